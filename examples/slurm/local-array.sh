#!/bin/bash
# A stand-in for sbatch on a machine without SLURM (for trying the scripts, and for the tests): runs an array job's
# tasks as local processes, all at once, with the environment SLURM gives them (SLURM_ARRAY_JOB_ID,
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN/MAX, SLURM_JOB_ID, SLURM_CPUS_PER_TASK), each task's
# output in its --output file (%A, %a, %j replaced) in the current folder; waits for them. A job with --dependency runs
# after the jobs it names have ended (here: at once, since every earlier job has ended when this returns).
# Understands what the example scripts use: --parsable, --export=ALL, --array=A-B, --dependency=..., and the same
# options in #SBATCH lines. Prints the job id with --parsable, like sbatch. Exit status: 0 when the job was run (as
# sbatch, whatever the tasks' own exit codes; they are in the log files and in local-array.status).
set -uo pipefail
array=""
parsable=0
script=""
for a in "$@"; do
  case "$a" in
    --parsable) parsable=1 ;;
    --array=*) array="${a#--array=}" ;;
    --export=*|--dependency=*) ;;
    -*) echo "local-array.sh: option $a not supported" >&2; exit 2 ;;
    *) script="$a" ;;
  esac
done
[[ -f "$script" ]] || { echo "local-array.sh: no script '$script'" >&2; exit 2; }
[[ -n "$array" ]] || array="$(sed -n 's/^#SBATCH --array=//p' "$script" | head -1)"
cpus="$(sed -n 's/^#SBATCH --cpus-per-task=//p' "$script" | head -1)"
outpat="$(sed -n 's/^#SBATCH --output=//p' "$script" | head -1)"
job=$(( ($$ * 7 + RANDOM) % 900000 + 100000 ))
[[ "$parsable" == 1 ]] && echo "$job"
run_task() { # $1 task id or "", $2 count
  local log="${outpat:-slurm-%j.out}"
  log="${log//%A/$job}"; log="${log//%a/${1:-0}}"; log="${log//%j/$job}"
  if [[ -n "$1" ]]; then
    SLURM_JOB_ID="$job" SLURM_ARRAY_JOB_ID="$job" SLURM_ARRAY_TASK_ID="$1" SLURM_ARRAY_TASK_COUNT="$2" \
      SLURM_ARRAY_TASK_MIN="$min" SLURM_ARRAY_TASK_MAX="$max" SLURM_CPUS_PER_TASK="${cpus:-1}" bash "$script" > "$log" 2>&1
  else
    SLURM_JOB_ID="$job" SLURM_CPUS_PER_TASK="${cpus:-1}" bash "$script" > "$log" 2>&1
  fi
  echo "$job${1:+_$1} exit $?" >> local-array.status
}
if [[ -n "$array" ]]; then
  min="${array%-*}"; max="${array#*-}"
  count=$(( max - min + 1 ))
  pids=()
  for ((t = min; t <= max; t++)); do run_task "$t" "$count" & pids+=($!); done
  wait "${pids[@]}"
else
  run_task "" 1
fi
exit 0
