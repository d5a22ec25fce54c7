#!/usr/bin/env bash
# `legocryst report` end to end: a training set of the built-in structures (legocryst prepare, 20 rows), relaxed
# into a candidate database (valid graphite-like layers, their duplicates, invalid sp3 ones), then the report as
# text and JSON, with the best candidates as CIF files and the three plots. Checks that the files exist and are
# whole (PNG signature and size from the bytes, CIFs read back by legocryst info) and, with /usr/bin/python3 and
# h5py, that every JSON number equals what the database holds and every PNG chunk's CRC and pixel stream is right.
# Bad arguments are user errors (exit 2).
# usage: test_report_cli.sh LEGOCRYST SOURCE_DIR WORKDIR
set -u
bin=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work" && mkdir -p "$work/structures"
cp "$src"/inputs/structures/* "$work/structures/"
printf '[prepare]\nsource = structures\nrows_per_source = 5\nseed = 7\noutput = train.h5\n' > "$work/prepare.ini"
"$bin" prepare "$work/prepare.ini" --quiet > /dev/null || fail "prepare exited $?"
printf '[relax]\ninput = train.h5\noutput = db.h5\nmin_dimensionality = 2\n' > "$work/relax.ini"
"$bin" relax "$work/relax.ini" --quiet > "$work/relax.out" || fail "relax exited $?"
n=$(sed -n 's/^relax: \([0-9]*\) candidates:.*/\1/p' "$work/relax.out")
[ "$n" = 20 ] || fail "relax made '$n' candidates, expected 20: $(cat "$work/relax.out")"

# text
"$bin" report "$work/db.h5" > "$work/report.txt" || fail "report exited $?"
grep -Eq "^candidates +20$" "$work/report.txt" || fail "text report: $(cat "$work/report.txt")"
grep -q "best unique candidates" "$work/report.txt" || fail "text report lists no best candidates"

# JSON, CIFs, plots
"$bin" report "$work/db.h5" --json --best 3 --cif "$work/cif" --plots "$work/plots" --training "$work/train.h5" \
    > "$work/report.json" 2> "$work/report.err" || fail "report --json exited $?: $(cat "$work/report.err")"
[ "$(head -c 1 "$work/report.json")" = "{" ] && [ "$(tail -c 2 "$work/report.json")" = "}" ] ||
    fail "stdout is not one JSON object: $(cat "$work/report.json")"
grep -q '"n_total": 20' "$work/report.json" || fail "JSON n_total is not 20"
unique=$(grep -o '"n_unique": [0-9]*' "$work/report.json" | grep -o '[0-9]*$')
[ "${unique:-0}" -ge 1 ] || fail "no unique candidate to export"
expected=$((unique < 3 ? unique : 3))
count=$(find "$work/cif" -name '*_sg*.cif' | wc -l)
[ "$count" -eq "$expected" ] || fail "$count CIF files, expected $expected"
grep -q "report: $expected best unique candidates written" "$work/report.err" || fail "$(cat "$work/report.err")"
for f in "$work"/cif/*.cif; do
    "$bin" info "$f" > /dev/null || fail "legocryst info cannot read $f"
done
for plot in objective spacegroups density; do
    f=$work/plots/$plot.png
    [ -s "$f" ] || fail "$plot.png missing"
    # signature, then IHDR: 960 x 600
    [ "$(od -An -tx1 -N16 "$f" | tr -d ' \n')" = "89504e470d0a1a0a0000000d49484452" ] || fail "$plot.png: no PNG header"
    [ "$(od -An -tx1 -j16 -N8 "$f" | tr -d ' \n')" = "000003c000000258" ] || fail "$plot.png: not 960 x 600"
done
[ -z "$(find "$work" -name '*.partial')" ] || fail "partial files left"
"$bin" report "$work/db.h5" --plots "$work/plots_alone" > /dev/null || fail "report --plots without --training"

if /usr/bin/python3 -c "import h5py, numpy" 2> /dev/null; then
    /usr/bin/python3 - "$work" << 'PY' || fail "the report disagrees with the database"
import calendar, glob, json, os, struct, sys, time, zlib
import h5py, numpy as np
work = sys.argv[1]
report = json.load(open(f"{work}/report.json"))
with h5py.File(f"{work}/db.h5") as f:
    c = {k: f["candidates"][k][:] for k in ("id", "status", "spacegroup_relaxed", "dimensionality", "n_atoms",
                                             "density", "objective")}
    times = [calendar.timegm(time.strptime(f.attrs[k].decode(), "%Y-%m-%dT%H:%M:%SZ")) for k in ("start_time", "end_time")]
st, sg, dim = c["status"], c["spacegroup_relaxed"], c["dimensionality"]
valid_env, unique = (st == 0) | (st == 4), st == 0
expected = {"n_total": len(st), "n_decodable": int((st != 3).sum()), "n_valid_env": int(valid_env.sum()),
            "n_unique": int(unique.sum()), "n_3d": int((valid_env & (dim == 3)).sum()),
            "n_unique_3d": int((unique & (dim == 3)).sum()), "n_failed": int((st == 2).sum()),
            "n_invalid": int((st == 1).sum())}
for k, v in expected.items():
    assert report[k] == v, (k, report[k], v)
assert len(set(st.tolist())) >= 3, f"the database should mix statuses: {st}"
wall = times[1] - times[0]
assert report["wall_seconds"] == (wall if wall > 0 else None), (report["wall_seconds"], wall)
groups = {g["spacegroup"]: (g["candidates"], g["valid_env"], g["unique"]) for g in report["spacegroups"]}
for g in range(1, 231):
    m = (sg == g) & (st != 3)
    want = (int(m.sum()), int((m & valid_env).sum()), int((m & unique).sum()))
    assert groups.get(g, (0, 0, 0)) == want, (g, groups.get(g), want)
after = c["objective"][:, 1]
order = sorted((after[i], c["id"][i], i) for i in np.flatnonzero(unique & np.isfinite(after)))[:3]
best = report["best"]
assert [b["id"] for b in best] == [int(o[1]) for o in order], (best, order)
for b, (_, _, i) in zip(best, order):
    assert (b["spacegroup"], b["n_atoms"]) == (sg[i], c["n_atoms"][i]) and b["density"] == c["density"][i]
    assert b["objective"] == after[i]
names = sorted(os.path.basename(p) for p in glob.glob(f"{work}/cif/*.cif"))
assert names == sorted(f"{b['id']}_sg{b['spacegroup']}.cif" for b in best), names

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, kinds = 8, b"", []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), (path, kind)
        kinds.append(kind)
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (width, height, depth, color) == (960, 600, 8, 2)
        if kind == b"IDAT":
            idat += body
        at += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and at == len(data)
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(600, 1 + 3 * 960)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(600, 960, 3)

blue, orange, grey = (31, 119, 180), (255, 127, 14), (127, 127, 127)
def has(img, rgb):
    return int((img == np.array(rgb, np.uint8)).all(axis=2).sum())
for name in ("objective", "spacegroups", "density"):
    img = pixels(f"{work}/plots/{name}.png")
    assert tuple(img[0, 0]) == (255, 255, 255), name
    assert has(img, blue) > 50, name        # data (and a legend swatch)
assert has(pixels(f"{work}/plots/objective.png"), orange) > 50    # valid candidates over the decodable ones
assert has(pixels(f"{work}/plots/density.png"), grey) > 300       # the training set's curve
assert has(pixels(f"{work}/plots_alone/density.png"), grey) < 300  # no training set: no curve (only text)
print("report agrees with h5py:", {k: report[k] for k in expected}, "best", [b["id"] for b in best])
PY
fi

# user errors: exit 2
for args in "$work/missing.h5" "$work/train.h5" "$work/db.h5 --best -1" "$work/db.h5 --best x" \
            "$work/db.h5 --training $work/train.h5" "$work/db.h5 --frobnicate" "" "$work/db.h5 $work/db.h5" \
            "$work/db.h5 --plots /dev/null/plots" "$work/db.h5 --cif /dev/null/cif" \
            "$work/db.h5 --plots $work/p2 --training $work/db.h5"; do
    # shellcheck disable=SC2086
    "$bin" report $args > /dev/null 2> "$work/err.txt"; status=$?
    [ $status -eq 2 ] || fail "report $args: exit $status, expected 2"
    grep -q "^legocryst: error: " "$work/err.txt" || fail "report $args: no error message"
done
"$bin" report --help | grep -q "^usage: legocryst report DB" || fail "report --help"
echo "report: all checks passed"
