#!/usr/bin/env python3
"""Times this project's CLIP-ES method over a list of images in one `bin/clip-wsss segment --method clip-es`
process, after one warm-up image, from its per-image progress lines. Python standard library only.

The input folder (made in --work) holds links to the images: first a warm-up copy of the first image
(0w_NAME.jpg), then --repeats passes over all of them (1_NAME.jpg, 2_NAME.jpg, ...); `segment` takes a
folder's images sorted by name, so the warm-up runs first and each pass in order. labels.csv gives each link
its image's labels. The command is

  bin/clip-wsss segment --model MODEL --method clip-es --input IN --labels IN/labels.csv --out OUT
                        --threads N --progress-every 1 --overwrite [EXTRA...]

and every line it prints is time-stamped here as it arrives. A pass's time is from the progress line of the
image before it ("[1/9]" for the warm-up) to the progress line of its last image. `segment` prints an image's
line when its outputs are written; it reads the next image on a reader thread and writes on a writer thread
while the model computes, so a pass's time is the steady-state throughput of the whole batch: JPEG decoding,
CLIP-ES's CAMs (trunk, Grad-CAM tail for all labels, affinity, OpenCV-style resize), the argmax mask, and the
writing of cams/NAME.npy (float32), cams/NAME.json, masks/NAME.png and overlays/NAME.png. Not in a pass: JVM
start, model and graph loading, the warm-up image. Text prompts are encoded lazily (cached), so the first pass
also encodes the prompts of classes the warm-up image does not have; CLIP-ES encodes its 45 prompts before.

The process's CPU time (utime + stime of /proc/PID/stat, all its threads) is read at each progress line, so a
pass also reports how many cores it got on average (at most --threads plus the JVM's own threads).

Usage: project_segment_bench.py --repo DIR --model DIR --images DIR --labels CSV --names a,b,...
       [--threads 2] [--repeats 1] [--work DIR] [--json OUT.json] [-- EXTRA segment options]
"""
import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time


def read_labels(path):
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            if row:
                out[os.path.splitext(row[0].strip())[0]] = row[1].strip()
    return out


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--names", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--work", default="/tmp/clip-wsss-segment-bench")
    ap.add_argument("--json")
    ap.add_argument("extra", nargs="*", help="more segment options, after --")
    a = ap.parse_args()
    if not 1 <= a.repeats <= 9:
        raise SystemExit("--repeats: 1 to 9")

    names = [n for n in a.names.split(",") if n]
    labels = read_labels(a.labels)
    inp, out = os.path.join(a.work, "in"), os.path.join(a.work, "out")
    shutil.rmtree(inp, ignore_errors=True)
    os.makedirs(inp)
    rows = []
    plan = [("0w_" + names[0], names[0])] + [(f"{r}_{n}", n) for r in range(1, a.repeats + 1) for n in names]
    for link, n in plan:
        os.symlink(os.path.abspath(os.path.join(a.images, n + ".jpg")), os.path.join(inp, link + ".jpg"))
        rows.append((link, labels[n]))
    with open(os.path.join(inp, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "labels"])
        w.writerows(rows)

    cmd = [os.path.join(a.repo, "bin", "clip-wsss"), "segment", "--model", a.model, "--method", "clip-es",
           "--input", inp, "--labels", os.path.join(inp, "labels.csv"), "--out", out,
           "--threads", str(a.threads), "--progress-every", "1", "--overwrite"] + a.extra
    print("#", " ".join(cmd), file=sys.stderr)
    t_start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    marks = {}  # finished count -> (time, cpu seconds)
    log = []
    for line in p.stdout:
        t, c = time.perf_counter() - t_start, cpu_seconds(p.pid)
        log.append(f"{t:9.3f} {line.rstrip()}")
        print(log[-1], file=sys.stderr)
        m = re.match(r"\[(\d+)/(\d+)\]", line)
        if m:
            marks[int(m.group(1))] = (t, c)
    rc = p.wait()
    wall = time.perf_counter() - t_start
    if rc != 0:
        raise SystemExit(f"segment exited {rc}")
    run = json.load(open(os.path.join(out, "run.json")))
    n = len(names)
    passes, cpu = [], []
    for r in range(a.repeats):
        i0, i1 = 1 + r * n, 1 + (r + 1) * n
        passes.append(marks[i1][0] - marks[i0][0])
        cpu.append(marks[i1][1] - marks[i0][1])
    best = min(passes)
    res = {
        "side": "clip-wsss segment --method clip-es (ONNX Runtime, Java)",
        "images": n, "labels": sum(len(labels[x].split(";")) for x in names), "threads": a.threads,
        "repeats": a.repeats, "pass_seconds": passes, "pass_cpu_seconds": cpu,
        "pass_cores_used": [c / s for c, s in zip(cpu, passes)],
        "images_per_s_best": n / best, "images_per_s_each": [n / s for s in passes],
        "not_timed_seconds": {"start_to_warmup_done": marks[1][0]},
        "process_wall_seconds": wall,
        "run_json": {"seconds": run.get("seconds"), "stages": run.get("stages"), "counts": run.get("counts"),
                     "model": run.get("model")},
        "command": cmd,
    }
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
