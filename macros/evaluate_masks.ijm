// CLIP WSSS - scores predicted masks against ground-truth masks: per-class IoU, precision, recall, mIoU.
//
// Arguments ("key=value", a value with spaces in [brackets]):
//   pred=FOLDER     predicted masks (8-bit PNGs, e.g. the masks/ folder of a batch run)
//   gt=FOLDER       ground-truth masks with the same file names (255 = ignore)
//   classes=FILE    optional: class list, one per line, "background" first (default: PASCAL VOC's 21)
//
// Prints the table to the Log and fills a Results table.
// Headless:  fiji --headless -macro macros/evaluate_masks.ijm "pred=/data/out/masks gt=/data/gt classes=/data/classes.txt"
args = getArgument();
if (args == "") exit("usage: pred=FOLDER gt=FOLDER [classes=FILE]");
run("CLIP WSSS Evaluate", args);
