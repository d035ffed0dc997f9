// bin/gui-check's startup macro, run by plain ImageJ as a user's macro would be:
//   java -jar ij.jar -ijpath DIR -macro gui-check.ijm "SYNC|PHOTO|MODEL"
// It runs the plugin's macro commands on the photo (bin/gui-check places the windows); at each step it writes
// SYNC/<step>.ready and waits (at most 100 s) for SYNC/<step>.done while bin/gui-check takes the screenshot.
args = split(getArgument(), "|");
sync = args[0];
photo = args[1];
model = args[2];

function step(name) {
    File.saveString("", sync + "/" + name + ".ready");
    t0 = getTime();
    while (!File.exists(sync + "/" + name + ".done")) {
        if (getTime() - t0 > 100000) {
            print("gui-check: nobody took the screenshot '" + name + "'");
            exit;
        }
        wait(100);
    }
}

// 1. the menu (bin/gui-check opens Plugins > CLIP WSSS > Macro commands with the keyboard)
step("menu");

// 2. the CAMs, with the overlay of the strongest label's map on the photo and a colour bar
open(photo);
photoId = getImageID();
run("CLIP WSSS CAMs", "labels=[cat;dog] model=[" + model + "] overlay");
step("cams");
close("CAM overlay of *");
close("CAMs of *");

// 3. the pseudo mask with one ROI per class (outlined on the mask by the command) and the class table;
//    the ROIs also go onto the photo as an overlay, with the class names as labels
selectImage(photoId);
roiManager("UseNames", "true");
run("CLIP WSSS Pseudo Mask", "labels=[cat;dog;sofa] model=[" + model + "] rois table");
roiManager("Set Color", "yellow");
roiManager("Set Line Width", 2);
selectImage(photoId);
run("From ROI Manager");
Overlay.drawLabels(true);
Overlay.useNamesAsLabels(true);
Overlay.setLabelFontSize(14, "bold");
step("mask");
