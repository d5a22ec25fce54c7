#!/usr/bin/env bash
# legocryst relax against PyXtal's own LEGO optimiser (pyxtal.lego.builder: Nelder-Mead then L-BFGS-B with
# finite-difference gradients) on the same sampled rows, in one run: candidates per second per core (CPU time, one
# thread each), valid fraction (every atom 3 neighbours within 1.872 A, no pair closer than 1.0 A, 3-D bonded
# network; PyXtal's results judged by the same rules in Python) and unique fraction (legocryst's matcher, and
# pymatgen's StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5) for both).
# usage: benchmarks/compare_pyxtal.sh [--legocryst BIN] [--python PY] [--pyxtal-rows M] [--keep DIR] SAMPLES.h5 [COUNT]
#   COUNT rows (default 1000) from the start of SAMPLES.h5 (/rows of `legocryst sample`) go through legocryst; the
#   first M of them (default 100: PyXtal needs ~10 s of CPU a row) through both programs. BIN defaults to
#   build/cpu/legocryst, PY to /tmp/pyxtal-venv/bin/python (a venv with pyxtal, scipy<1.15 and h5py: README.md).
#   --keep DIR keeps the databases, PyXtal's relaxed structures (extxyz) and its per-row results.
set -euo pipefail
bin=build/cpu/legocryst python=/tmp/pyxtal-venv/bin/python pyrows=100 keep=
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --legocryst) bin=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --pyxtal-rows) pyrows=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "compare_pyxtal.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -ge 1 ]] || { sed -n 's/^# usage: //p' "$0" >&2; exit 2; }
samples=$(realpath "$1") count=${2:-1000}
(( pyrows <= count )) || pyrows=$count
bin=$(realpath "$bin")
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n $keep ]]; then mkdir -p "$keep"; work=$(realpath "$keep"); else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
echo "$(date -u +%Y-%m-%dT%H:%MZ); $(nproc --all) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "$("$bin" version | head -n 1); one process, OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1, nice -n 10 for both programs"
echo "deck $here/pyxtal_compare.ini; rows: $samples"

# legocryst relax on N rows; CPU (user + sys) and wall seconds of the whole process go to OUT.time
relax() {
  local out=$1 n=$2; shift 2
  /usr/bin/time -f '%U %S %e' -o "$out.time" nice -n 10 "$bin" relax "$here/pyxtal_compare.ini" \
    --set relax.input="$samples" --set relax.count="$n" --set relax.output="$out" "$@" 2>&1
  awk '{ printf "%.3f,%.3f", $1 + $2, $3 }' "$out.time" > "$out.cpu_wall"
}
echo "== legocryst, $count rows"
relax "$work/legocryst_all.h5" "$count"
echo "== legocryst, the first $pyrows rows (timed on their own)"
relax "$work/legocryst_subset.h5" "$pyrows"
# the decoded crystals PyXtal starts from: max_iterations = 0 (each row decoded and projected, not optimised)
relax "$work/decoded.h5" "$pyrows" --set relax.max_iterations=0 --set relax.dedup=false > /dev/null
echo "== PyXtal, the first $pyrows rows"
nice -n 10 "$python" "$here/pyxtal_lego.py" --legocryst "$bin" --samples "$samples" --count "$pyrows" \
  --decoded "$work/decoded.h5" --legocryst-db "$work/legocryst_subset.h5" \
  --legocryst-time "$(cat "$work/legocryst_subset.h5.cpu_wall")" --legocryst-full-db "$work/legocryst_all.h5" \
  --legocryst-full-time "$(cat "$work/legocryst_all.h5.cpu_wall")" --work "$work/pyxtal"
