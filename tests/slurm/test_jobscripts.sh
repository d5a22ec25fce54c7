#!/usr/bin/env bash
# The batch scripts under a real Slurm (label `slurm`; `bash scripts/slurm-one-node.sh` makes a one-node cluster):
#  1. `sbatch --wait jobscripts/lego_pipeline.sh DECK` runs prepare, train, campaign and report on 2 ranks started by
#     srun (MPI through Slurm's PMI: one world of 2, not two worlds of 1) and completes with exit code 0;
#  2. `jobscripts/campaign.sh` under a time limit: Slurm's --signal SIGTERM stops the campaign (status 3, segments
#     saved), the script resubmits itself with the same shape and time limit, the next job resumes, ... until the
#     campaign is complete; the database equals an uninterrupted 2-rank mpiexec run of the same deck.
# Both are submitted from a scratch folder, not the checkout, as on a cluster. Exits 77 (skipped) when no Slurm
# answers or its nodes cannot run 2 tasks. About 3-5 minutes on 2 cores.
# usage: test_jobscripts.sh LEGOCRYST MPIEXEC SOURCE_DIR WORK_DIR
set -u
bin=$1 mpiexec=$2 src=$3 work=$4
skip() { echo "SKIP: $*"; exit 77; }
command -v sbatch > /dev/null && command -v sinfo > /dev/null && command -v scontrol > /dev/null ||
  skip "no Slurm client (sbatch, sinfo, scontrol); bash scripts/slurm-one-node.sh sets up a one-node cluster"
timeout 10 scontrol ping 2> /dev/null | grep -q UP || skip "slurmctld does not answer (scontrol ping)"
cpus=$(timeout 10 sinfo -h -t idle,mixed -o %c 2> /dev/null | sort -n | tail -1)
[ -n "$cpus" ] || skip "no Slurm node is up (sinfo -t idle,mixed)"
[ "$cpus" -ge 2 ] || skip "the Slurm nodes have $cpus CPU: the test needs 2 tasks on one node"

bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export LEGOCRYST=$bin # the scripts run this binary (the environment goes with sbatch)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
unset SBATCH_SIGNAL SBATCH_TIMELIMIT SBATCH_PARTITION
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
work=$(pwd)
name=lc-test-$$ # every job of this test, resubmissions included, has this name
trap 'scancel -u "$(id -un)" -n "$name" 2> /dev/null' EXIT
failures=0 checks=0
check() {
  checks=$((checks + 1))
  if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
job_field() { scontrol show job "$1" 2> /dev/null | sed -n "s/^.*[[:space:]]$2=\([^[:space:]]*\).*$/\1/p" | head -1; }
n_total() { "$bin" report "$1" --json 2> /dev/null | sed -n 's/^{"n_total": \([0-9]*\),.*/\1/p'; }

# 1. the pipeline on the built-in structures, small
cat > pipeline.ini << DECK
[prepare]
source = $src/inputs/structures
rows_per_source = 50
seed = 2026
output = out/training.h5
[train]
training_set = out/training.h5
epochs = 6
batch = 40
hidden = 32
latent = 8
checkpoint = out/model.h5
metrics = out/metrics.csv
[sample]
checkpoint = out/model.h5
seed = 7
[relax]
min_dimensionality = 0
max_iterations = 200
[campaign]
candidates = 200
best = 3
output = out/campaign.h5
DECK
echo "== sbatch --wait lego_pipeline.sh (from $work)"
started=$SECONDS
sbatch --wait --job-name="$name" --time=10 --output=pipeline-%j.out "$src/jobscripts/lego_pipeline.sh" pipeline.ini \
  > submit.out 2>&1
code=$?
cat submit.out
job=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' submit.out)
echo "pipeline: job $job, exit $code, $((SECONDS - started)) s"
log=pipeline-$job.out
check "pipeline: sbatch --wait exits 0" "[ $code -eq 0 ]"
check "pipeline: Slurm says COMPLETED, exit code 0:0" \
  "[ '$(job_field "$job" JobState)' = COMPLETED ] && [ '$(job_field "$job" ExitCode)' = 0:0 ]"
check "pipeline: srun started one MPI world of 2 ranks (PMI)" "grep -q 'campaign: 200 candidates.* on 2 ranks' '$log'"
check "pipeline: the script says where the results are" "grep -q '^pipeline: database' '$log'"
check "pipeline: the database holds 200 candidates" "[ '$(n_total out/campaign.h5)' = 200 ]"
check "pipeline: figures" "[ -s out/campaign_figures/objective.png ]"
[ $failures -eq 0 ] || { echo "--- $log"; cat "$log"; }

# 2. the time-limit path. Slurm sends --signal within its 30-second scheduling tick *before* the lead time
# (up to 30 s early), so a 1-minute job with TERM@30 may be signalled before the ranks are up; 2 minutes with
# TERM@80 signals 10-40 s after the start. The campaign is sized to need about 75 s of farm on this machine (from
# a calibration run), so the first job is always stopped; [relax] min_dimensionality = 3 keeps the merge short.
# The signal goes in SBATCH_SIGNAL so that the resubmitted jobs get it too (Slurm does not tell a job its
# --signal); nodes, tasks and time are given on the command line and the script must carry them over.
model=$work/out/model.h5
deck() { # CANDIDATES OUTPUT
  cat << DECK
[sample]
checkpoint = $model
seed = 11
[relax]
max_iterations = 200
[campaign]
candidates = $1
grace_seconds = 20
best = 3
output = $2
DECK
}
deck 400 calibration.h5 > calibration.ini
"$mpiexec" -n 2 "$bin" campaign calibration.ini --quiet > /dev/null 2>&1
rate=$("$bin" report calibration.h5 --json 2> /dev/null |
       sed -n 's/.*"candidates_per_second": \([0-9.]*\).*/\1/p' | head -1)
candidates=$(awk -v r="${rate:-0}" 'BEGIN { n = int(r * 75 / 100) * 100
                                            print (n < 2000 ? 2000 : (n > 40000 ? 40000 : n)) }')
echo "== campaign.sh under a 2-minute limit: $candidates candidates (calibration: ${rate:-?} candidates/s on 2 ranks)"
deck "$candidates" chain.h5 > chain.ini
started=$SECONDS
SBATCH_SIGNAL=TERM@80 sbatch --job-name="$name" --time=2 --nodes=1 --ntasks-per-node=2 --output=chain-%j.out \
  "$src/jobscripts/campaign.sh" chain.ini > submit.out 2>&1
cat submit.out
first=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' submit.out)
log=chain-$first.out
# a job submits the next one before it ends, so the chain is done when no job of this name is left
while [ -n "$first" ] && [ -n "$(squeue -h -n "$name" -o %i 2> /dev/null)" ] &&
  [ $((SECONDS - started)) -lt 420 ]; do
  sleep 5
done
echo "chain: $((SECONDS - started)) s"
if [ -n "$(squeue -h -n "$name" -o %i 2> /dev/null)" ]; then
  echo "FAIL: the chain of jobs still runs after 420 s: cancelled"
  scancel -u "$(id -un)" -n "$name"
  failures=$((failures + 1))
fi
jobs=("$first" $(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$log" 2> /dev/null))
echo "chain: jobs ${jobs[*]}"
for j in "${jobs[@]}"; do
  echo "  job $j: $(job_field "$j" JobState) exit $(job_field "$j" ExitCode), nodes $(job_field "$j" NumNodes)," \
    "tasks $(job_field "$j" NumTasks), limit $(job_field "$j" TimeLimit), run $(job_field "$j" RunTime)"
done
last=${jobs[${#jobs[@]} - 1]}
check "chain: the first job was stopped by SIGTERM and saved (exit code 3)" \
  "[ '$(job_field "$first" ExitCode)' = 3:0 ] && grep -q 'campaign stopped by a signal' '$log'"
check "chain: it resubmitted itself and the next job resumed" "[ ${#jobs[@]} -ge 2 ] && grep -q '(resumed)' '$log'"
same_shape=1
for j in "${jobs[@]:1}"; do
  for f in NumNodes NumTasks TimeLimit Partition; do
    [ "$(job_field "$j" $f)" = "$(job_field "$first" $f)" ] || same_shape=0
  done
  [ "$(job_field "$j" StdOut)" = "$work/$log" ] || same_shape=0
done
check "chain: resubmitted jobs have the first one's nodes, tasks, time limit, partition and log" "[ $same_shape = 1 ]"
check "chain: the last job completed (exit code 0:0)" \
  "[ '$(job_field "$last" JobState)' = COMPLETED ] && [ '$(job_field "$last" ExitCode)' = 0:0 ]"
check "chain: the database holds all $candidates candidates, no segments left" \
  "[ '$(n_total chain.h5)' = $candidates ] && [ ! -e chain.h5.segments ]"
[ $failures -eq 0 ] || { echo "--- $log"; grep -v '^ *[0-9]' "$log"; }

echo "== the same deck on 2 ranks without a stop (mpiexec)"
"$mpiexec" -n 2 "$bin" campaign chain.ini --quiet --set campaign.output="$work/plain.h5" > plain.out 2>&1
check "plain run completes" "[ $? -eq 0 ]"
check "the resubmitted campaign equals the plain run (/candidates, /atoms)" \
  "h5diff -q chain.h5 plain.h5 /candidates /candidates && h5diff -q chain.h5 plain.h5 /atoms /atoms"

echo "$((checks - failures)) of $checks checks passed"
if [ $failures -eq 0 ]; then rm -rf "$work"; fi
[ $failures -eq 0 ]
