#!/usr/bin/env bash
# End-to-end checks of the legocryst command line on the built-in structures.
# usage: test_cli.sh LEGOCRYST_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
failures=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # expect DESCRIPTION COMMAND... : command succeeds
  checks=$((checks + 1))
  if ! "${@:2}" >/dev/null 2>&1; then echo "FAIL: $1"; failures=$((failures + 1)); fi
}

# info: space groups and Wyckoff sites of the built-in structures
"$bin" info "$src"/inputs/structures/graphite.cif > "$tmp/graphite.txt"
expect "info exits 0 on graphite" test $? -eq 0
expect "graphite is P6_3/mmc (194)" grep -q "space group  P6_3/mmc (194)" "$tmp/graphite.txt"
expect "graphite sites 2b and 2c" grep -Eq "C +2b +-6m2" "$tmp/graphite.txt"
expect "graphite site 2c" grep -Eq "C +2c +-6m2" "$tmp/graphite.txt"
"$bin" info "$src"/inputs/structures/diamond.cif > "$tmp/diamond.txt"
expect "diamond is Fd-3m (227) on 8a" grep -q "Fd-3m (227)" "$tmp/diamond.txt"
expect "diamond density 3.51" grep -q "density 3.51" "$tmp/diamond.txt"
"$bin" info "$src"/inputs/structures/lonsdaleite.cif > "$tmp/lonsdaleite.txt"
expect "lonsdaleite 4f" grep -Eq "C +4f +3m\." "$tmp/lonsdaleite.txt"
"$bin" info "$src"/inputs/structures/SrTiO3.vasp > "$tmp/srtio3.txt"
expect "SrTiO3 is Pm-3m (221)" grep -q "Pm-3m (221)" "$tmp/srtio3.txt"
expect "SrTiO3 oxygen on 3c or 3d" grep -Eq "O +3[cd]" "$tmp/srtio3.txt"

# --json is valid JSON with one object per structure
"$bin" info --json "$src"/inputs/structures/* > "$tmp/all.json"
expect "info --json exits 0" test $? -eq 0
if command -v /usr/bin/python3 >/dev/null; then
  expect "info --json parses, 4 structures, graphite 194" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$tmp/all.json'))
assert len(d) == 4, len(d)
g = [s for s in d if s['name'] == 'graphite'][0]
assert g['spacegroup_number'] == 194 and g['n_atoms'] == 4
assert sorted(x['wyckoff'] for x in g['sites']) == ['b', 'c']
"
fi

# --symprec changes what is found: a slightly distorted graphite is P6_3/mmc only at a loose tolerance
sed 's/^C2 C 0.333333 0.666667 0.25/C2 C 0.3343 0.6667 0.25/' "$src"/inputs/structures/graphite.cif > "$tmp/distorted.cif"
"$bin" info --symprec 0.01 "$tmp/distorted.cif" > "$tmp/loose.txt"
expect "loose symprec finds 194" grep -q "(194)" "$tmp/loose.txt"
"$bin" info --symprec 1e-5 "$tmp/distorted.cif" > "$tmp/tight.txt"
expect "tight symprec finds a lower group" bash -c "! grep -q '(194)' '$tmp/tight.txt'"

# wyckoff: the table of one group
"$bin" wyckoff 194 > "$tmp/194.txt"
expect "wyckoff 194 lists 12 positions" test "$(grep -Ec '^[a-l] ' "$tmp/194.txt")" -eq 12
expect "wyckoff 194 12k (x, 2x, z)" grep -Eq "^k +12 +\.m\. +\(x, 2x, z\)" "$tmp/194.txt"
expect "wyckoff 194 general 24l" grep -Eq "^l +24 +1 +\(x, y, z\)" "$tmp/194.txt"

# user errors: message on stderr, exit status 2
for args in "wyckoff 0" "wyckoff 231" "wyckoff abc" "info" "info --symprec x $src/inputs/structures/graphite.cif" \
            "info /nonexistent.cif" "frobnicate"; do
  # shellcheck disable=SC2086
  "$bin" $args > /dev/null 2> "$tmp/err.txt"
  status=$?
  expect "'$args' exits 2" test $status -eq 2
  expect "'$args' says legocryst: error:" grep -q "^legocryst: error: " "$tmp/err.txt"
done
printf 'data_bad\n_cell_length_a 2.46\n_cell_length_b 2.46\n_cell_length_c oops\n' > "$tmp/bad.cif"
"$bin" info "$tmp/bad.cif" > /dev/null 2> "$tmp/err.txt"
expect "malformed CIF exits 2" test $? -eq 2
expect "malformed CIF names file and line" grep -Eq "^legocryst: error: .*bad.cif:[0-9]+: " "$tmp/err.txt"

# prepare: a bad structure is reported and skipped with a count; a run with nothing usable is a user error
mkdir -p "$tmp/src"
cp "$src"/inputs/structures/graphite.cif "$src"/inputs/structures/diamond.cif "$tmp/src/"
printf 'data_broken\n_cell_length_a 2.46\n' > "$tmp/src/broken.cif"
printf '[prepare]\nsource = src\nrows_per_source = 20\noutput = out.h5\n' > "$tmp/deck.ini"
"$bin" prepare "$tmp/deck.ini" > "$tmp/prepare.txt" 2> "$tmp/prepare.err"
expect "prepare with one broken file exits 0" test $? -eq 0
expect "prepare counts the broken file" grep -q "3 sources, 2 kept, 1 unreadable" "$tmp/prepare.txt"
expect "prepare names the broken file" grep -q "warning: skipped: .*broken.cif" "$tmp/prepare.err"
expect "prepare wrote the training set, no .partial left" test -s "$tmp/out.h5" -a ! -e "$tmp/out.h5.partial"
expect "prepare prints progress with rate" grep -q "sources/s" "$tmp/prepare.err"
"$bin" prepare "$tmp/deck.ini" --quiet --set prepare.output="$tmp/quiet.h5" > /dev/null 2> "$tmp/quiet.err"
expect "prepare --quiet prints no progress" bash -c "! grep -q 'sources/s' '$tmp/quiet.err'"
"$bin" prepare "$tmp/deck.ini" --log-json --set prepare.output="$tmp/json.h5" > /dev/null 2> "$tmp/json.err"
expect "prepare --log-json prints JSON lines" grep -q '^{"event": "progress"' "$tmp/json.err"
rm "$tmp"/src/graphite.cif "$tmp"/src/diamond.cif
"$bin" prepare "$tmp/deck.ini" --set prepare.output="$tmp/none.h5" > /dev/null 2> "$tmp/none.err"
expect "prepare with no usable structure exits 2" test $? -eq 2
expect "prepare with no usable structure writes nothing" test ! -e "$tmp/none.h5" -a ! -e "$tmp/none.h5.partial"
"$bin" prepare "$tmp/deck.ini" --set prepare.max_sites=99 > /dev/null 2> "$tmp/bad_set.err"
expect "prepare rejects an out-of-range --set with exit 2" test $? -eq 2
expect "prepare names the key of a bad --set" grep -q "^legocryst: error: --set: prepare.max_sites" "$tmp/bad_set.err"
printf '[prepare]\nsource = src\nmax_site = 3\n' > "$tmp/typo.ini"
"$bin" prepare "$tmp/typo.ini" > /dev/null 2> "$tmp/typo.err"
expect "prepare rejects an unknown key with file and line" grep -q "^legocryst: error: .*typo.ini:3: prepare.max_site" "$tmp/typo.err"

"$bin" version > "$tmp/version.txt"
expect "version names spglib and PETSc" grep -q "PETSc" "$tmp/version.txt"

echo "$((checks - failures)) passed, $failures failed"
[ $failures -eq 0 ]
