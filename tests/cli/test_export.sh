#!/usr/bin/env bash
# `legocryst export`: relax graphite written three ways and diamond (valid at dimensionality 2 and coordination 3:
# one valid graphite, two duplicates of it, diamond invalid), export every selection in every format, and check
# that the files are there, that their number matches the database, and that each reads back (legocryst info;
# ASE too when Debian's python3-ase is there). Bad arguments are user errors (exit 2).
# usage: test_export.sh LEGOCRYST CANDIDATE_ROWS WORKDIR
set -u
bin=$1 rows=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
"$rows" good "$work/rows.h5" || fail "cannot write the rows"
printf '[relax]\ninput = %s\noutput = %s\nmin_dimensionality = 2\n' "$work/rows.h5" "$work/db.h5" > "$work/relax.ini"
"$bin" relax "$work/relax.ini" --quiet > "$work/relax.out" || fail "relax exited $?"
grep -q "4 candidates: 1 valid, 1 invalid, 0 failed, 0 undecodable, 2 duplicate" "$work/relax.out" ||
    fail "unexpected relax result: $(cat "$work/relax.out")"

# expected counts: every candidate has a structure (4), valid ones with duplicates (3), unique (1)
for format in cif poscar extxyz; do
    case $format in cif) ext=cif ;; poscar) ext=vasp ;; extxyz) ext=xyz ;; esac
    for selection in all valid unique; do
        case $selection in all) flags="" expected=4 ;; valid) flags=--valid expected=3 ;;
                           unique) flags="--valid --unique" expected=1 ;; esac
        out=$work/$format-$selection
        # shellcheck disable=SC2086
        "$bin" export "$work/db.h5" $flags --format $format --output "$out" > "$work/export.out" ||
            fail "export $flags --format $format exited $?"
        count=$(find "$out" -name "*.$ext" | wc -l)
        [ "$count" -eq "$expected" ] || fail "$format $selection: $count files, expected $expected"
        grep -q "export: $expected of 4 candidates" "$work/export.out" || fail "export said: $(cat "$work/export.out")"
        [ -z "$(find "$out" -name '*.partial')" ] || fail "$format $selection: partial files left"
    done
done
# the unique one is graphite (row 0), its group found again after relaxation; it reads back as P6_3/mmc
[ -f "$work/cif-unique/0_sg194.cif" ] || fail "unique export is not 0_sg194.cif: $(ls "$work/cif-unique")"
for f in "$work/cif-unique/0_sg194.cif" "$work/poscar-unique/0_sg194.vasp"; do
    "$bin" info --symprec 1e-3 "$f" > "$work/info.out" || fail "legocryst info $f exited $?"
    grep -q "P6_3/mmc (194)" "$work/info.out" || fail "$f: not read back as P6_3/mmc: $(cat "$work/info.out")"
done
for f in "$work"/cif-all/*.cif "$work"/poscar-all/*.vasp; do
    "$bin" info "$f" > /dev/null || fail "legocryst info cannot read $f"
done
if /usr/bin/python3 -c "import ase" 2> /dev/null; then
    /usr/bin/python3 - "$work" << 'PY' || fail "ASE disagrees with the exported files"
import glob, sys
import ase.io
work = sys.argv[1]
counts = {}
for pattern, fmt in (("cif-all/*.cif", "cif"), ("poscar-all/*.vasp", "vasp"), ("extxyz-all/*.xyz", "extxyz")):
    for path in sorted(glob.glob(f"{work}/{pattern}")):
        atoms = ase.io.read(path, format=fmt)
        assert set(atoms.get_chemical_symbols()) == {"C"}, path
        counts.setdefault(path.split("/")[-1].split(".")[0], set()).add(len(atoms))
assert len(counts) == 4 and all(len(n) == 1 for n in counts.values()), counts
print("ASE reads", len(counts), "candidates in three formats with the same atom counts:", counts)
PY
fi

# user errors: exit 2
"$bin" export "$work/missing.h5" --output "$work/x" 2> /dev/null; [ $? -eq 2 ] || fail "missing database: not exit 2"
"$bin" export "$work/db.h5" --format pdb --output "$work/x" 2> /dev/null; [ $? -eq 2 ] || fail "bad format: not exit 2"
"$bin" export "$work/db.h5" 2> /dev/null; [ $? -eq 2 ] || fail "no --output: not exit 2"
"$bin" export "$work/rows.h5" --output "$work/x" 2> /dev/null; [ $? -eq 2 ] || fail "not a database: not exit 2"
echo "export: all checks passed"
