#!/usr/bin/env python3
"""Reference segmentation scores with NumPy, to cross-check org.clipwsss.runtime.eval.ConfusionMatrix.

Reads two folders of .npy label arrays (integer [H,W]; the Java test exports the decoded PNG masks this way, as
PIL may not be installed), pairs them by file name and prints JSON with the confusion-matrix scores:

    python3 miou_reference.py --gt GT_DIR --pred PRED_DIR --classes N

Ground-truth pixels equal to 255 are not scored. A predicted value that is not a class (>= N, 255 included) goes to
an extra "unassigned" column: a false negative of the ground-truth class and a false positive of no class.
Undefined scores (0 / 0) are written as null; the mIoU is the nanmean of the IoUs.
"""
import argparse
import json
import os

import numpy as np


def confusion(gt_dir, pred_dir, n):
    """(n, n + 1) counts: rows are ground-truth classes, column n is 'unassigned'."""
    hist = np.zeros((n, n + 1), dtype=np.int64)
    for name in sorted(f for f in os.listdir(pred_dir) if f.endswith(".npy")):
        gt = np.load(os.path.join(gt_dir, name)).astype(np.int64).ravel()
        pred = np.load(os.path.join(pred_dir, name)).astype(np.int64).ravel()
        assert gt.shape == pred.shape, name
        keep = gt != 255
        assert np.all(gt[keep] < n), name
        pred = np.where(pred < n, pred, n)
        hist += np.bincount((n + 1) * gt[keep] + pred[keep], minlength=n * (n + 1)).reshape(n, n + 1)
    return hist


def scores(hist):
    n = hist.shape[0]
    tp = np.diag(hist[:, :n])
    fp = hist[:, :n].sum(axis=0) - tp
    fn = hist.sum(axis=1) - tp
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = tp / (tp + fp + fn)
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        accuracy = tp.sum() / hist.sum()

    def floats(a):
        return [None if np.isnan(v) else float(v) for v in np.atleast_1d(a)]

    return {
        "classes": n,
        "iou": floats(iou),
        "precision": floats(precision),
        "recall": floats(recall),
        "tp": tp.tolist(),
        "fp": fp.tolist(),
        "fn": fn.tolist(),
        "mIoU": floats(np.nanmean(iou) if np.any(~np.isnan(iou)) else np.nan)[0],
        "pixelAccuracy": floats(accuracy)[0],
        "pixels": int(hist.sum()),
        "unassigned": int(hist[:, n].sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gt", required=True)
    parser.add_argument("--pred", required=True)
    parser.add_argument("--classes", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps(scores(confusion(args.gt, args.pred, args.classes)), indent=1))


if __name__ == "__main__":
    main()
