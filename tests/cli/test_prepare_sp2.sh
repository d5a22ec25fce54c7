#!/usr/bin/env bash
# `legocryst prepare` on the 150 sp2 carbon structures of ../shared with the LEGO filters, on 1 and on 2 ranks:
# exactly 140 sources kept, at least 60,000 distinct rows, a summary of rows per source and per space group, and
# the same file content on 2 ranks as on 1. Leaves WORKDIR/sp2_1rank.h5 for test_training_set.
# usage: test_prepare_sp2.sh LEGOCRYST MPIEXEC SOURCE_DIR SHARED_DIR WORKDIR
set -u
bin=$1 mpiexec=$2 src=$3 shared=$4 work=$5
index=$shared/data/sp2_carbon/index.csv
if [ ! -f "$index" ]; then echo "skipped: $index not found"; exit 77; fi
command -v h5diff >/dev/null || { echo "FAIL: h5diff not found (hdf5-tools)"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"
rm -f "$work"/sp2_1rank.h5 "$work"/sp2_2ranks.h5
failures=0 checks=0
check() { checks=$((checks + 1)); if ! eval "$2"; then echo "FAIL: $1"; failures=$((failures + 1)); fi; }

deck=$src/inputs/prepare_sp2.ini
start=$(date +%s.%N)
"$bin" prepare "$deck" --set prepare.source="$index" --set prepare.output="$work/sp2_1rank.h5" > "$work/summary_1rank.txt"
status=$?
t1=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check "prepare on 1 rank exits 0" "[ $status -eq 0 ]"
start=$(date +%s.%N)
"$mpiexec" -n 2 --oversubscribe "$bin" prepare "$deck" --set prepare.source="$index" \
  --set prepare.output="$work/sp2_2ranks.h5" > "$work/summary_2ranks.txt"
status=$?
t2=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
check "prepare on 2 ranks exits 0" "[ $status -eq 0 ]"
echo "prepare wall time: 1 rank ${t1} s, 2 ranks ${t2} s"

head -2 "$work/summary_1rank.txt"
kept=$(sed -n 's/^prepare: 150 sources, \([0-9]*\) kept.*/\1/p' "$work/summary_1rank.txt")
rows=$(sed -n 's/^prepare: \([0-9]*\) distinct rows.*/\1/p' "$work/summary_1rank.txt")
check "exactly 140 sources kept (got '$kept')" "[ '$kept' = 140 ]"
check "at least 60,000 distinct rows (got '$rows')" "[ '${rows:-0}' -ge 60000 ]"
check "summary lists rows per source" "grep -q '^rows per source' '$work/summary_1rank.txt'"
check "summary lists rows per space group" "grep -q '^rows per space group' '$work/summary_1rank.txt'"
check "summaries equal on 1 and 2 ranks" "cmp -s '$work/summary_1rank.txt' '$work/summary_2ranks.txt'"
check "no .partial file left" "[ ! -e '$work/sp2_1rank.h5.partial' ]"

for dataset in rows encoded source_id description sources/id sources/energy sources/file sources/info \
               encoder/kind encoder/category_offset encoder/category encoder/mode_offset encoder/mode_mean \
               encoder/mode_std encoder/mode_weight; do
  check "/$dataset identical on 1 and 2 ranks" "h5diff -q '$work/sp2_1rank.h5' '$work/sp2_2ranks.h5' /$dataset"
done

echo "$((checks - failures)) passed, $failures failed"
[ $failures -eq 0 ]
