// CLIP WSSS - the same tag for every image of a folder (e.g. "nucleus" for a folder of microscopy images).
//
// Arguments ("key=value", a value with spaces in [brackets]):
//   input=FOLDER    the images (jpg, png, tif, bmp, gif)
//   tag=TEXT        the label(s) of every image; several separated by ";" (e.g. tag=[nucleus;cytoplasm])
//   output=FOLDER   receives cams/, masks/, overlays/, selection.csv, errors.csv, classes.txt, run.json
//   model=DIR       optional: a CLIP model folder or the name of a model installed with Manage Models
//   synonyms=none   optional (default gpt_prompts, POLE's VOC list: other classes keep their own name)
//
// Headless:  fiji --headless -macro macros/batch_folder_one_tag.ijm "input=/data/img tag=nucleus output=/data/out"
args = getArgument();
tag = call("ij.Macro.getValue", args, "tag", "");
if (tag == "") exit("usage: input=FOLDER tag=TEXT output=FOLDER [model=DIR]");
run("CLIP WSSS Batch", args + " labels=[" + tag + "]");
