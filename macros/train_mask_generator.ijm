// CLIP WSSS - train the SemPLeS mask generator on a folder of images with tags, then use it for masks.
//
// Arguments ("key=value", a value with spaces in [brackets]):
//   input=FOLDER      the training images (jpg, png, tif, bmp, gif)
//   labels=FILE       labels.csv (image,labels with labels separated by ";"), or one tag set for every image
//   classes=TEXT      the classes to learn, separated by ";" (e.g. classes=[cat;dog])
//   output=FOLDER     receives mask_generator.onnx + .json, prompt_embeds.npy + prompts.json, the stage folders
//   model=DIR         optional: a CLIP model folder or an installed model's name
//   steps=N lr=X      optional: steps of stages a and c (default 100), AdamW rate (default 0.001)
//   batch=N           optional: (image, class) pairs per step (default 8; 0: all)
//   promptsteps=N     optional: background-prompt steps of stage b (default 50)
//   adapters          optional flag: train POLE's adapters jointly (adapters.safetensors)
//   masks=FOLDER      optional: afterwards, run the trained generator over input into this folder
//
// Esc stops after the current step with a checkpoint; running the macro again continues.
// Headless:  fiji --headless -macro macros/train_mask_generator.ijm "input=/data/img labels=/data/labels.csv classes=[cat;dog] output=/data/gen"
args = getArgument();
output = call("ij.Macro.getValue", args, "output", "");
masks = call("ij.Macro.getValue", args, "masks", "");
if (output == "") exit("usage: input=FOLDER labels=FILE classes=TEXT output=FOLDER [steps=N lr=X batch=N masks=FOLDER]");
trainArgs = replace(args, "masks=\\[[^\\]]*\\]|masks=[^ ]*", "");
run("CLIP WSSS Train", "trainer=mask-generator stages=abc " + trainArgs);
if (masks != "") {
    input = call("ij.Macro.getValue", args, "input", "");
    labels = call("ij.Macro.getValue", args, "labels", "");
    model = call("ij.Macro.getValue", args, "model", "");
    run("CLIP WSSS Batch", "input=[" + input + "] labels=[" + labels + "] output=[" + masks + "] model=[" + model + "] method=onnx cam_model=["
        + output + "/mask_generator.onnx] background=[" + output + "/prompt_embeds.npy] synonyms=none");
}
