#!/bin/bash
# Images/s of segment as 1, 2 and 4 concurrent shards (local processes) over the same images, each into a fresh
# output folder, then (with SPARK=1) of clip-wsss-spark segment on local[1], local[2] and local[4] with as many
# partitions; times from process start to the end. On a machine with fewer cores than shards or Spark tasks the extra
# ones are oversubscribed (it says so).
#   bench/shards/scaling.sh MODEL IMAGES_DIR LABELS_CSV [N_IMAGES] [THREADS_TOTAL]
# N_IMAGES: the first N images of the folder (default all), linked into a work folder. THREADS_TOTAL (default: the
# cores): ONNX Runtime threads shared out among the shards (at least 1 each). Prints one line per shard count.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="$1"; images="$2"; labels="$3"; n="${4:-0}"; total="${5:-$(nproc)}"
work="$(mktemp -d /tmp/clip-wsss-scaling.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
ls "$images" | sort | { if [[ "$n" -gt 0 ]]; then head -n "$n"; else cat; fi; } | while read -r f; do ln -s "$images/$f" "$work/in/$f"; done
count=$(ls "$work/in" | wc -l)
[[ -f "$root/target/clip-wsss.jar" ]] || (cd "$root" && mvn -q -B -ntp -o -DskipTests package)
# warm the graph cache once (not timed)
"$root/bin/clip-wsss" segment --model "$model" --input "$work/in" --labels "$labels" --out "$work/warm" --shard 0/"$count" \
  --progress-every 100000 > /dev/null 2>&1 || true
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $count images; model $model"
for shards in 1 2 4; do
  threads=$(( total / shards )); (( threads < 1 )) && threads=1
  start=$(date +%s.%N)
  pids=()
  for ((i = 0; i < shards; i++)); do
    "$root/bin/clip-wsss" segment --model "$model" --input "$work/in" --labels "$labels" --out "$work/out$shards" \
      --shard "$i/$shards" --threads "$threads" --progress-every 100000 > "$work/log$shards.$i" 2>&1 & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  end=$(date +%s.%N)
  note=""; (( shards > $(nproc) )) && note=" (oversubscribed: more shards than cores)"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]} shards x {sys.argv[4]} threads: {int(sys.argv[5])/s:.2f} images/s ({s:.1f} s){sys.argv[6]}')" \
    "$start" "$end" "$shards" "$threads" "$count" "$note"
done

[[ "${SPARK:-0}" == 1 ]] || exit 0
for tasks in 1 2 4; do
  start=$(date +%s.%N)
  "$root/bin/clip-wsss-spark" segment --model "$model" --input "$work/in" --labels "$labels" --out "$work/spark$tasks" \
    --master "local[$tasks]" --partitions "$tasks" > "$work/spark$tasks.log" 2>&1 || true
  end=$(date +%s.%N)
  note=""; (( tasks > $(nproc) )) && note=" (oversubscribed: more tasks than cores)"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'Spark local[{sys.argv[3]}], {sys.argv[3]} partitions x 1 thread: {int(sys.argv[4])/s:.2f} images/s ({s:.1f} s){sys.argv[5]}')" \
    "$start" "$end" "$tasks" "$count" "$note"
  grep -h "^clip-wsss-spark:" "$work/spark$tasks.log" || tail -3 "$work/spark$tasks.log"
done
