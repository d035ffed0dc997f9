#!/usr/bin/env python3
"""Times CLIP-ES's own per-image loop, perform() of its generate_cams_voc12.py (Grad-CAM + class-aware attention
affinity), on the CPU, over a list of images.

CLIP-ES is imported from the folder given (github linyq2117/CLIP-ES, fetched separately) with the run-time
substitutions of clip_es_runtime.py (CPU device; torchvision/ttach placeholders where needed; CLIP-ES's fp16
rounding bypassed unless --fp16-rounding). The setup is that of its __main__: clip.load of an OpenAI-layout
state_dict (hf_to_openai_clip.py makes one from a Hugging Face folder), the 25 background and 20 class text
features with 'a clean origami {}.', GradCAM on the last block's ln_1 with its reshape_transform.

perform() reads PASCAL VOC annotations (the image size and the object names) from an Annotations/ folder beside
JPEGImages/: both are made in --work from the labels CSV (image,labels with ';' between VOC class names; one
object per label, in that order) and links to the images.

What is timed: perform() over the images, after one warm-up call of perform() on the first image. That is,
per image: its XML, PIL open + bicubic resize + normalise, the trunk (11 blocks), per label one GradCAM call
(the last block, ln_post, mean pooling, the softmax over [labels + 25 background], backward to ln_1's output,
the Grad-CAM), cv2 resizes, the affinity (Sinkhorn, T·T, box mask, refine) and np.save of the float16 maps.
Not timed: clip.load, the text features (45 prompts), building GradCAM, the warm-up.
torch.set_num_threads(--threads); torch's inter-op threads and OpenCV's threads left at their defaults.
A pass also reports its process CPU time (all threads), so how many cores it got on average.

Usage: clip_es_perform_bench.py --clip-es DIR --model-pt OPENAI.pt --images DIR --labels CSV --names a,b,...
       [--threads 2] [--repeats 1] [--work DIR] [--json OUT.json] [--fp16-rounding]
"""
import argparse
import csv
import json
import os
import sys
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_es_runtime import load_clip_es  # noqa: E402


def read_labels(path):
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        if [h.strip().lower() for h in header[:2]] != ["image", "labels"]:
            raise SystemExit(f"{path}: header {header}, expected image,labels")
        for row in r:
            if row:
                out[os.path.splitext(row[0].strip())[0]] = [x.strip() for x in row[1].split(";") if x.strip()]
    return out


def voc_layout(work, images_dir, names, labels):
    """work/JPEGImages/NAME.jpg (links) and work/Annotations/NAME.xml as perform() reads them."""
    from PIL import Image
    jp, an = os.path.join(work, "JPEGImages"), os.path.join(work, "Annotations")
    os.makedirs(jp, exist_ok=True)
    os.makedirs(an, exist_ok=True)
    for n in names:
        src = os.path.abspath(os.path.join(images_dir, n + ".jpg"))
        dst = os.path.join(jp, n + ".jpg")
        if os.path.lexists(dst):
            os.remove(dst)
        os.symlink(src, dst)
        w, h = Image.open(src).size
        objs = "".join(f"<object><name>{c}</name></object>" for c in labels[n])
        with open(os.path.join(an, n + ".xml"), "w") as f:
            f.write(f"<annotation><filename>{n}.jpg</filename><size><width>{w}</width><height>{h}</height>"
                    f"<depth>3</depth></size>{objs}</annotation>")
    return jp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clip-es", required=True)
    ap.add_argument("--model-pt", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--names", required=True, help="comma-separated image names (without .jpg)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1, help="timed passes over the images (after the one warm-up)")
    ap.add_argument("--work", default="/tmp/clip-es-perform-bench")
    ap.add_argument("--json")
    ap.add_argument("--fp16-rounding", action="store_true", help="keep CLIP-ES's fp16 rounding (as it ships)")
    a = ap.parse_args()

    import torch
    torch.set_num_threads(a.threads)
    g, clip, notes = load_clip_es(a.clip_es, fp16_rounding=a.fp16_rounding)
    import cv2
    import numpy as np

    names = [n for n in a.names.split(",") if n]
    labels = read_labels(a.labels)
    img_root = voc_layout(a.work, a.images, names, labels)
    out_dir = os.path.join(a.work, "cams")
    os.makedirs(out_dir, exist_ok=True)

    t0 = time.perf_counter()
    model, _ = clip.load(a.model_pt, device="cpu")
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    bg = g.zeroshot_classifier(g.BACKGROUND_CATEGORY, ['a clean origami {}.'], model)
    fg = g.zeroshot_classifier(g.new_class_names, ['a clean origami {}.'], model)
    t_text = time.perf_counter() - t0
    cam = g.GradCAM(model=model, target_layers=[model.visual.transformer.resblocks[-1].ln_1],
                    reshape_transform=g.reshape_transform)
    args = types.SimpleNamespace(img_root=img_root, cam_out_dir=out_dir)
    files = [n + ".jpg" for n in names]

    t0 = time.perf_counter()
    g.perform(0, [files[:1]], args, model, bg, fg, cam)
    t_warm = time.perf_counter() - t0
    passes, cpu = [], []
    for _ in range(a.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        g.perform(0, [files], args, model, bg, fg, cam)
        passes.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(passes)
    res = {
        "side": "CLIP-ES perform() (PyTorch)",
        "images": len(files), "labels": sum(len(labels[n]) for n in names), "threads": a.threads,
        "repeats": a.repeats, "pass_seconds": passes, "pass_cpu_seconds": cpu,
        "pass_cores_used": [c / s for c, s in zip(cpu, passes)], "images_per_s_best": len(files) / best,
        "images_per_s_each": [len(files) / p for p in passes],
        "not_timed_seconds": {"clip_load": t_load, "text_features_45": t_text, "warmup_image": t_warm},
        "fp16_rounding": a.fp16_rounding, "substitutions": notes,
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "opencv": cv2.__version__,
                     "torch_threads": torch.get_num_threads(), "torch_interop_threads": torch.get_num_interop_threads(),
                     "opencv_threads": cv2.getNumThreads()},
        "clip_es_dir": os.path.abspath(a.clip_es),
    }
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
