#!/usr/bin/env bash
#SBATCH --job-name=legocryst-campaign
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=64
#SBATCH --time=04:00:00
# SIGTERM to every task 5 minutes before the time limit: the campaign saves its segments and exits with status 3.
#SBATCH --signal=TERM@300
#SBATCH --open-mode=append
#
# A large candidate campaign (docs/campaign.md) that survives its time limit: when the run stops with status 3
# (SIGTERM before the limit) this script submits itself again with --dependency=afterany, and the next job
# resumes from the segments. A killed node loses only its ranks' unsaved work: submit again by hand (or let the
# resubmission do it) and --resume finishes the campaign.
#   sbatch jobscripts/campaign.sh inputs/campaign_sp2.ini
# Set [campaign] grace_seconds below the --signal lead time minus the time to write a segment (seconds).
# LEGOCRYST: the binary (default build/cpu/legocryst beside this script's folder).
set -uo pipefail
deck=${1:?usage: sbatch jobscripts/campaign.sh DECK}
script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
if [ -n "${SLURM_JOB_ID:-}" ]; then
  job_info=$(scontrol show job "$SLURM_JOB_ID" 2> /dev/null)
  job_field() { sed -n "s/^.*[[:space:]]$1=\([^[:space:]]*\).*$/\1/p" <<< "$job_info" | head -1; }
  # sbatch runs a copy of the script (Slurm's spool folder/slurm_script), and the job may be submitted from any
  # folder: the submitted script (scontrol's Command) finds the checkout and is what gets resubmitted
  if [ "$(basename "$script")" = slurm_script ]; then
    script=$(job_field Command)
    [ -f "$script" ] || script=${SLURM_SUBMIT_DIR:-.}/jobscripts/campaign.sh
  fi
fi
here=$(cd "$(dirname "$script")/.." && pwd)
bin=${LEGOCRYST:-$here/build/cpu/legocryst}
# one OpenMP/BLAS thread per rank: candidates are independent, ranks fill the cores
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

# resume when a previous job left checkpoints (OUTPUT.segments/ beside the output)
output=$(awk '/^[[:space:]]*\[/ { sub(/\].*/, "]"); gsub(/[[:space:]]/, ""); s = $0; next }
              s == "[campaign]" && /^[[:space:]]*output[[:space:]]*=/ { sub(/^[^=]*=[[:space:]]*/, "");
                                                                         sub(/[[:space:]]*([;#].*)?$/, ""); print }' "$deck")
output=${output:-campaign.h5}
case $output in /*) ;; *) output=$(cd "$(dirname "$deck")" && pwd)/$output ;; esac
resume=()
[ -d "$output.segments" ] && resume=(--resume)

srun --kill-on-bad-exit=1 "$bin" campaign "$deck" "${resume[@]}"
status=$?
if [ $status -eq 3 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
  echo "campaign: stopped before the time limit; resubmitting to resume"
  sbatch --dependency=afterany:"$SLURM_JOB_ID" "$script" "$deck"
fi
exit $status
