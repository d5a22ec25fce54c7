#!/usr/bin/env bash
#SBATCH --job-name=legocryst
#SBATCH --nodes=1
#SBATCH --ntasks=2
#SBATCH --time=00:30:00
# Slurm sends SIGTERM to every task this long before the time limit: the campaign saves and exits (status 3);
# submit the script again and it resumes.
#SBATCH --signal=TERM@120
#
# The LEGO-Cryst pipeline on every task of the job: prepare -> train -> campaign -> report.
#   sbatch jobscripts/lego_pipeline.sh DECK           (srun starts the ranks; --ntasks sets how many)
#   bash jobscripts/lego_pipeline.sh DECK [RANKS]      (mpiexec, default 2 ranks)
# DECK needs [prepare], [train], [sample], [relax] and [campaign] sections (e.g. inputs/demo.ini). Steps whose
# output is already there are skipped (training set, model), a campaign with checkpoints left is resumed, so a
# job cut by its time limit goes on where it stopped. LEGOCRYST: the binary (default build/cpu/legocryst).
set -euo pipefail
deck=${1:?usage: lego_pipeline.sh DECK [RANKS]}
ranks=${2:-2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(basename "${BASH_SOURCE[0]}")" = slurm_script ]; then
  # sbatch runs a copy of the script from Slurm's spool folder, and the job may be submitted from any folder: the
  # submitted script (scontrol's Command) finds the checkout; the folder sbatch was called from only as a fallback
  script=$(scontrol show job "$SLURM_JOB_ID" 2> /dev/null |
           sed -n 's/^[[:space:]]*Command=\([^[:space:]]*\).*$/\1/p') || true
  if [ -f "$script" ]; then here=$(cd "$(dirname "$script")/.." && pwd); else here=${SLURM_SUBMIT_DIR:-$here}; fi
fi
bin=${LEGOCRYST:-$here/build/cpu/legocryst}
deck_dir=$(cd "$(dirname "$deck")" && pwd)

if [ -n "${SLURM_JOB_ID:-}" ]; then
  launch=(srun --kill-on-bad-exit=1)
else
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  launch=(mpiexec -n "$ranks" --oversubscribe)
fi

# A PATH key of the deck, resolved as legocryst resolves it (relative to the deck's folder).
deck_path() { # SECTION KEY
  local value
  value=$(awk -v want="[$1]" -v key="$2" '
    /^[[:space:]]*\[/ { sub(/\].*/, "]"); gsub(/[[:space:]]/, ""); section = $0; next }
    section == want && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
      sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]*([;#].*)?$/, ""); print; exit }' "$deck")
  case $value in /*) echo "$value" ;; "") echo "" ;; *) echo "$deck_dir/$value" ;; esac
}
training=$(deck_path prepare output)
model=$(deck_path train checkpoint)
database=$(deck_path campaign output)
mkdir -p "$(dirname "$training")" "$(dirname "$model")" "$(dirname "$database")"

[ -s "$training" ] || "${launch[@]}" "$bin" prepare "$deck"
[ -s "$model" ] || "${launch[@]}" "$bin" train "$deck"
resume=()
[ -d "$database.segments" ] && resume=(--resume)
"${launch[@]}" "$bin" campaign "$deck" "${resume[@]}"
"$bin" report "$database" --plots "${database%.h5}_figures" --training "$training" > /dev/null
echo "pipeline: database $database, best structures ${database%.h5}_best/, figures ${database%.h5}_figures/"
