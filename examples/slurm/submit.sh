#!/bin/bash
# Submits a sharded clip-wsss run to SLURM: the array (segment-array.sbatch, or fiji-array.sbatch with FIJI set) and the
# summarize step as a job that waits for the whole array.
#   IMAGES=/data/images LABELS=/data/labels.csv OUT=/data/out MODEL=/models/clip-vit-base-patch16 SHARDS=16 examples/slurm/submit.sh
# SBATCH (default sbatch) is the submit command; local-array.sh stands in for it on a machine without SLURM.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CLIP_WSSS_HOME="${CLIP_WSSS_HOME:-$(cd "$here/../.." && pwd)}"
sbatch="${SBATCH:-sbatch}"
shards="${SHARDS:-4}"
script="$here/segment-array.sbatch"
[[ -n "${FIJI:-}" ]] && script="$here/fiji-array.sbatch"
array=$($sbatch --parsable --export=ALL --array="0-$((shards - 1))" "$script")
echo "array job $array: $shards shards of $script"
summary=$($sbatch --parsable --export=ALL --dependency="afterany:${array%%;*}" "$here/summarize.sbatch")
echo "summarize job $summary (after the array)"
