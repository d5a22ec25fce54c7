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
#   sbatch --nodes=1 --ntasks-per-node=2 --time=30 jobscripts/campaign.sh DECK     (overrides)
# The resubmitted job gets this job's nodes, tasks, CPUs per task, memory, time limit, partition, account, QOS,
# name and log file (appended to). Slurm does not tell a job its --signal: a --signal given on the sbatch command
# line holds for the first job only; to change it for every job, edit the line above or submit with
# SBATCH_SIGNAL=TERM@SECONDS in the environment (the environment goes with the resubmission).
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
# LEGOCRYST_RESUBMITS counts the chain, so a campaign that stops without getting anywhere does not go on forever
resubmits=${LEGOCRYST_RESUBMITS:-0}
max_resubmits=${LEGOCRYST_MAX_RESUBMITS:-50}
if [ $status -eq 3 ] && [ -n "${SLURM_JOB_ID:-}" ] && [ "$resubmits" -ge "$max_resubmits" ]; then
  echo "campaign: stopped again after $resubmits resubmissions (LEGOCRYST_MAX_RESUBMITS): not resubmitting" >&2
elif [ $status -eq 3 ] && [ -n "${SLURM_JOB_ID:-}" ]; then
  echo "campaign: stopped before the time limit; resubmitting to resume ($((resubmits + 1)) of at most $max_resubmits)"
  export LEGOCRYST_RESUBMITS=$((resubmits + 1))
  # sbatch reads the #SBATCH lines again but not the first submission's command line: repeat what this job got
  again=(--dependency=afterany:"$SLURM_JOB_ID" --job-name="$SLURM_JOB_NAME" --nodes="$SLURM_JOB_NUM_NODES"
         --ntasks="$SLURM_NTASKS" --partition="$SLURM_JOB_PARTITION")
  limit=$(job_field TimeLimit)
  [ -n "$limit" ] && again+=(--time="$limit")
  [ -n "${SLURM_NTASKS_PER_NODE:-}" ] && again+=(--ntasks-per-node="$SLURM_NTASKS_PER_NODE")
  [ -n "${SLURM_CPUS_PER_TASK:-}" ] && again+=(--cpus-per-task="$SLURM_CPUS_PER_TASK")
  [ -n "${SLURM_MEM_PER_NODE:-}" ] && again+=(--mem="$SLURM_MEM_PER_NODE")
  [ -n "${SLURM_MEM_PER_CPU:-}" ] && again+=(--mem-per-cpu="$SLURM_MEM_PER_CPU")
  [ -n "${SLURM_JOB_ACCOUNT:-}" ] && again+=(--account="$SLURM_JOB_ACCOUNT")
  [ -n "${SLURM_JOB_QOS:-}" ] && again+=(--qos="$SLURM_JOB_QOS")
  log=$(job_field StdOut) err=$(job_field StdErr)
  [ -n "$log" ] && again+=(--output="$log")
  [ -n "$err" ] && [ "$err" != "$log" ] && again+=(--error="$err")
  sbatch "${again[@]}" "$script" "$deck" ||
    echo "campaign: the resubmission failed: submit $script $deck again by hand (it resumes)" >&2
fi
exit $status
