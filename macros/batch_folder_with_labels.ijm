// CLIP WSSS - CAMs, class synonyms and pseudo masks for a folder of images, with a labels CSV.
//
// Arguments ("key=value", a value with spaces in [brackets]):
//   input=FOLDER    the images (jpg, png, tif, bmp, gif)
//   labels=FILE     labels.csv: header "image,labels", then one row per image; labels separated by ";"
//                   (the image may be named with or without its extension)
//   output=FOLDER   receives cams/, masks/, overlays/, selection.csv, errors.csv, classes.txt, run.json
//   model=DIR       optional: a CLIP model folder or the name of a model installed with Manage Models
//   classes=FILE    optional: class list, one per line (line index = mask value); default: the labels' union
//   and any pipeline option: method= synonyms= background= template= bg_threshold= refine= ...
//   shard=I/N       optional: only shard I of N (0 <= I < N) of the sorted images; N shards may share the output folder;
//                   then run("CLIP WSSS Summarize", "output=[FOLDER]") merges their reports (examples/slurm/)
//
// A rerun skips images that are already done; bad images are listed in errors.csv and the run goes on.
// Headless:  fiji --headless -macro macros/batch_folder_with_labels.ijm "input=/data/img labels=/data/labels.csv output=/data/out"
args = getArgument();
if (args == "") exit("usage: input=FOLDER labels=labels.csv output=FOLDER [model=DIR] [classes=FILE]");
run("CLIP WSSS Batch", args);
