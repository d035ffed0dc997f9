#!/usr/bin/env bash
# Side by side, in one run, on the same images and the same model: images/s of
#   (a) CLIP-ES's own code (linyq2117/CLIP-ES, generate_cams_voc12.py's perform(): Grad-CAM + class-aware
#       attention affinity) on PyTorch, CPU, THREADS threads  -- clip_es_perform_bench.py
#   (b) this project's re-implementation, `bin/clip-wsss segment --method clip-es --threads THREADS`
#       (ONNX Runtime, Java), one process over a folder                -- project_segment_bench.py
# each after one warm-up image, and the ratio (b)/(a). See README.md beside this file for what is timed.
#
# Usage: bench/peer/clip_es_side_by_side.sh CLIP_ES_DIR VENV MODEL_DIR IMAGES_DIR [LABELS_CSV]
#   CLIP_ES_DIR  a checkout of github linyq2117/CLIP-ES (not in this repository; fetch it yourself)
#   VENV         a Python virtual environment with torch (2.x, CPU wheel), torchvision, numpy, opencv-python-headless,
#                pillow, ftfy, regex, tqdm, lxml, safetensors, setuptools<81 (CLIP-ES imports pkg_resources)
#   MODEL_DIR    a Hugging Face-layout CLIP folder (config.json + model.safetensors), e.g. from
#                shared/perf/clip_ref.py vit-b-16 OUT SEED; converted here to an OpenAI state_dict for CLIP-ES
#   IMAGES_DIR   a folder of NAME.jpg (e.g. shared/data/voc2012-sample/JPEGImages)
#   LABELS_CSV   image,labels with PASCAL VOC class names separated by ';' (default: IMAGES_DIR/../labels.csv)
# Environment: THREADS (2), REPEATS (2: timed passes over the images per side and process), ROUNDS (1: the
#   whole comparison repeated, sides alternating), NAMES (comma-separated image names; default 8 VOC images),
#   WORK (/tmp/clip-es-side-by-side), FP16=1 keeps CLIP-ES's fp16 rounding (default: bypassed, as in
#   shared/conformance/clip-es), SKIP_CHECK=1 skips the conversion check, INT8=1 also runs (c): the project with
#   --source safetensors --variant quantized (int8 graphs).
set -euo pipefail
if [[ $# -lt 4 ]]; then
  sed -n '2,22p' "$0" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
clip_es="$(cd "$1" && pwd)"
venv="$(cd "$2" && pwd)"
model="$(cd "$3" && pwd)"
images="$(cd "$4" && pwd)"
labels="${5:-$images/../labels.csv}"
THREADS="${THREADS:-2}"
REPEATS="${REPEATS:-2}"
ROUNDS="${ROUNDS:-1}"
WORK="${WORK:-/tmp/clip-es-side-by-side}"
NAMES="${NAMES:-2007_000032,2007_000039,2007_000063,2007_000129,2007_000515,2007_002293,2007_003682,2007_008043}"
py="$venv/bin/python"
mkdir -p "$WORK"
results="$WORK/results"
rm -rf "$results"
mkdir -p "$results"

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== load before: $(cat /proc/loadavg)"
echo "== CLIP-ES at $clip_es ($(git -C "$clip_es" rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
echo "== project at $repo ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo 'no git'); $(git -C "$repo" status --porcelain 2>/dev/null | wc -l) changed files)"

pt="$WORK/openai_clip.pt"
if [[ ! -f "$pt" || "$model/model.safetensors" -nt "$pt" ]]; then
  echo "== converting $model to the OpenAI layout: $pt"
  "$py" "$here/hf_to_openai_clip.py" "$model" "$pt"
fi
if [[ "${SKIP_CHECK:-0}" != 1 && -f "$model/reference/pixel_values.npy" ]]; then
  echo "== conversion check (CLIP-ES's model vs the folder's reference outputs)"
  "$py" "$here/check_conversion.py" "$clip_es" "$model" "$pt" --threads "$THREADS" 2>/dev/null
fi
if [[ ! -f "$repo/target/clip-wsss.jar" ]]; then
  (cd "$repo" && mvn -q -B -ntp -o -DskipTests package)
fi
echo "== jar: $repo/target/clip-wsss.jar built $(date -u -r "$repo/target/clip-wsss.jar" +%Y-%m-%dT%H:%M:%SZ), sha256 $(sha256sum "$repo/target/clip-wsss.jar" | cut -c1-12)"

fp16=()
[[ "${FP16:-0}" == 1 ]] && fp16=(--fp16-rounding)
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r/$ROUNDS: (a) CLIP-ES perform(), PyTorch, $THREADS threads; load $(cut -d' ' -f1-4 /proc/loadavg)"
  "$py" "$here/clip_es_perform_bench.py" --clip-es "$clip_es" --model-pt "$pt" --images "$images" --labels "$labels" \
    --names "$NAMES" --threads "$THREADS" --repeats "$REPEATS" --work "$WORK/clip-es" "${fp16[@]}" \
    --json "$results/clip_es.$r.json" > /dev/null 2> "$WORK/clip-es.$r.log"
  echo "   $(cut -d' ' -f1-4 /proc/loadavg) after"
  echo "== round $r/$ROUNDS: (b) clip-wsss segment --method clip-es, $THREADS threads; load $(cut -d' ' -f1-4 /proc/loadavg)"
  "$py" "$here/project_segment_bench.py" --repo "$repo" --model "$model" --images "$images" --labels "$labels" \
    --names "$NAMES" --threads "$THREADS" --repeats "$REPEATS" --work "$WORK/clip-wsss" \
    --json "$results/clip_wsss.$r.json" > /dev/null 2> "$WORK/clip-wsss.$r.log"
  echo "   $(cut -d' ' -f1-4 /proc/loadavg) after"
  if [[ "${INT8:-0}" == 1 ]]; then
    echo "== round $r/$ROUNDS: (c) the same with --source safetensors --variant quantized (int8); load $(cut -d' ' -f1-4 /proc/loadavg)"
    "$py" "$here/project_segment_bench.py" --repo "$repo" --model "$model" --images "$images" --labels "$labels" \
      --names "$NAMES" --threads "$THREADS" --repeats "$REPEATS" --work "$WORK/clip-wsss-int8" \
      --json "$results/clip_wsss_int8.$r.json" -- --source safetensors --variant quantized > /dev/null 2> "$WORK/clip-wsss-int8.$r.log"
    echo "   $(cut -d' ' -f1-4 /proc/loadavg) after"
  fi
done
echo "== load after: $(cat /proc/loadavg)"

"$py" - "$results" <<'EOF'
import glob, json, os, statistics, sys
d = sys.argv[1]
def load(prefix):
    return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, prefix + ".*.json")))]
a, b = load("clip_es"), load("clip_wsss")
def summary(runs, name):
    rates = [x for r in runs for x in r["images_per_s_each"]]
    cores = [x for r in runs for x in r["pass_cores_used"]]
    r0 = runs[0]
    print(f"{name}: {r0['images']} images ({r0['labels']} labels), {r0['threads']} threads")
    print(f"   passes: " + ", ".join(f"{x:.3f}" for x in rates) + " images/s"
          + f"  (cores used: " + ", ".join(f"{c:.2f}" for c in cores) + ")")
    byp = [statistics.median(r["images_per_s_each"][i] for r in runs) for i in range(r0["repeats"])]
    print("   median by pass within a process: " + ", ".join(f"#{i + 1} {x:.3f}" for i, x in enumerate(byp)) + " images/s")
    cpu = [c / r["images"] for r in runs for c in r["pass_cpu_seconds"]]
    print(f"   best {max(rates):.3f} images/s ({1 / max(rates):.2f} s/image), median {statistics.median(rates):.3f};"
          f" CPU time per image: median {statistics.median(cpu):.2f} s, least {min(cpu):.2f} s")
    return max(rates), statistics.median(rates), min(cpu), statistics.median(cpu)
print()
ba, ma, ca, cma = summary(a, "(a) CLIP-ES perform(), PyTorch " + a[0]["versions"]["torch"]
                 + (", fp16 rounding kept" if a[0]["fp16_rounding"] else ", fp16 rounding bypassed"))
nt = a[0]["not_timed_seconds"]
print(f"   not timed: clip.load {nt['clip_load']:.1f} s, 45 text prompts {nt['text_features_45']:.1f} s, warm-up image {nt['warmup_image']:.1f} s")
bb, mb, cb, cmb = summary(b, "(b) clip-wsss segment --method clip-es, ONNX Runtime")
rj = b[-1]["run_json"]
print(f"   not timed: process start to warm-up image written {b[-1]['not_timed_seconds']['start_to_warmup_done']:.1f} s")
print(f"   run.json (last round, whole process, warm-up and all passes): {rj['seconds']:.1f} s; stages "
      + ", ".join(f"{k} {v['seconds']:.1f} s/{v['calls']}" for k, v in rj["stages"].items()))
print(f"ratio (b)/(a) of images/s: best {bb / ba:.2f}x, median {mb / ma:.2f}x;"
      f" of CPU time per image (a)/(b): least {ca / cb:.2f}x, median {cma / cmb:.2f}x")
c = load("clip_wsss_int8")
if c:
    bc, mc, cc, cmc = summary(c, "(c) clip-wsss segment --method clip-es --source safetensors --variant quantized (int8)")
    print(f"ratio (c)/(a) of images/s: best {bc / ba:.2f}x, median {mc / ma:.2f}x;"
          f" of CPU time per image (a)/(c): least {ca / cc:.2f}x, median {cma / cmc:.2f}x")
EOF
