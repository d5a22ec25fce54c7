#!/usr/bin/env bash
# The built-in sp2 carbon set (inputs/sp2_carbon, written by the project from the literature; the demo's data) through
# the pipeline: `legocryst info` finds each file's declared space group; `legocryst prepare` with
# the demo deck inputs/demo.ini keeps every source; `legocryst relax` of each source's own row (first_of_source) leaves
# every one valid (status 0, or 4: a duplicate of an earlier source), three-coordinated and 3-D; `export --valid`
# writes one file per source. Fewer rows per source than the deck asks for, to stay quick (the first row of a
# source is its own description whatever the number).
# usage: test_builtin_sp2.sh LEGOCRYST SOURCE_DIR
set -u
bin=$1 src=$2
set_dir=$src/inputs/sp2_carbon
deck=$src/inputs/demo.ini
command -v h5dump >/dev/null || { echo "FAIL: h5dump not found (hdf5-tools)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
check() { checks=$((checks + 1)); if ! eval "$2"; then echo "FAIL: $1"; failures=$((failures + 1)); fi; }
# the values of one integer dataset, one per line
values() { h5dump -d "$2" -y -w 0 -o "$tmp/values.txt" "$1" > /dev/null && tr -cs '0-9.eE+-' '\n' < "$tmp/values.txt" | grep .; }

n=$(find "$set_dir" -maxdepth 1 -name '*.cif' | wc -l)
check "6 to 10 structures in inputs/sp2_carbon (found $n)" "[ $n -ge 6 ] && [ $n -le 10 ]"
check "inputs/sp2_carbon/README.md lists them" "[ -s '$set_dir/README.md' ]"
for f in "$set_dir"/*.cif; do
  name=$(basename "$f")
  check "$name is listed in README.md" "grep -q '$name' '$set_dir/README.md'"
  declared=$(sed -n 's/^_symmetry_Int_Tables_number *\([0-9]*\).*/\1/p' "$f")
  "$bin" info "$f" > "$tmp/info.txt" 2>&1
  check "$name: info exits 0" "[ $? -eq 0 ]"
  check "$name: info finds the declared group ($declared)" "grep -q 'space group .*(${declared:-none})' '$tmp/info.txt'"
done

"$bin" prepare "$deck" --quiet --set prepare.output="$tmp/training.h5" --set prepare.rows_per_source=50 \
  > "$tmp/prepare.txt" 2> "$tmp/prepare.err"
check "prepare exits 0 ($(tail -1 "$tmp/prepare.err"))" "[ $? -eq 0 ]"
check "prepare keeps all $n sources" "grep -q '^prepare: $n sources, $n kept' '$tmp/prepare.txt'"

printf '[relax]\ninput = %s\nfirst_of_source = true\noutput = %s\n' "$tmp/training.h5" "$tmp/db.h5" > "$tmp/relax.ini"
"$bin" relax "$tmp/relax.ini" --quiet > "$tmp/relax.txt" 2> "$tmp/relax.err"
check "relax exits 0 ($(tail -1 "$tmp/relax.err"))" "[ $? -eq 0 ]"
check "relax: $n candidates, none invalid, failed or undecodable ($(head -1 "$tmp/relax.txt"))" \
  "grep -Eq '^relax: $n candidates: [0-9]+ valid, 0 invalid, 0 failed, 0 undecodable, [0-9]+ duplicate' '$tmp/relax.txt'"
status=$(values "$tmp/db.h5" /candidates/status | tr '\n' ' ')
check "one candidate per source ($status)" "[ $(wc -w <<<"$status") -eq $n ]"
check "every source valid after relaxation, status 0 or 4 ($status)" "! grep -Eq '[^04 ]' <<<'$status'"
coordination=$(values "$tmp/db.h5" /candidates/coordination | sort -u | tr '\n' ' ')
check "every atom three-coordinated ($coordination)" "[ '$coordination' = '3 ' ]"
dimensionality=$(values "$tmp/db.h5" /candidates/dimensionality | sort -u | tr '\n' ' ')
check "every network 3-D ($dimensionality)" "[ '$dimensionality' = '3 ' ]"

"$bin" export "$tmp/db.h5" --valid --output "$tmp/valid" > /dev/null 2>&1
check "export --valid exits 0" "[ $? -eq 0 ]"
check "export --valid writes $n files" "[ $(find "$tmp/valid" -name '*.cif' | wc -l) -eq $n ]"

echo "$((checks - failures)) passed, $failures failed"
[ $failures -eq 0 ]
