#!/usr/bin/env bash
# `legocryst relax` over rows that are no crystal (impossible groups, Wyckoff indices out of range, NaN and Inf,
# negative, flat, huge and tiny cells, all -1): the run finishes with exit 0 and every row is recorded as
# invalid, failed or undecodable with the right row_status (candidate_rows check-bad).
# usage: test_relax_bad_rows.sh LEGOCRYST CANDIDATE_ROWS WORKDIR
set -u
bin=$1 rows=$2 work=$3
mkdir -p "$work"
"$rows" bad "$work/bad_rows.h5" || { echo "FAIL: cannot write the rows"; exit 1; }
printf '[relax]\ninput = %s\noutput = %s\nmax_iterations = 50\n' "$work/bad_rows.h5" "$work/bad_candidates.h5" \
    > "$work/bad.ini"
"$bin" relax "$work/bad.ini" --quiet; status=$?
[ $status -eq 0 ] || { echo "FAIL: relax exited $status"; exit 1; }
"$rows" check-bad "$work/bad_candidates.h5"
