#!/usr/bin/env python3
"""PyXtal's own LEGO optimiser (pyxtal.lego.builder) on the rows that `legocryst relax` relaxes, judged with
legocryst's validity rules and pymatgen's StructureMatcher; the PyXtal half of benchmarks/compare_pyxtal.sh.

    pyxtal_lego.py --legocryst BIN --samples SAMPLES.h5 --decoded DECODED.h5 --count M \
        --legocryst-db SUBSET.h5 --legocryst-time CPU,WALL [--legocryst-full-db FULL.h5 --legocryst-full-time CPU,WALL]
        --work DIR

DECODED.h5 is `legocryst relax` on the same rows with max_iterations = 0: each decodable row's structure as
legocryst decodes it (cell constrained to the lattice system, every site projected onto its Wyckoff position) and,
in /candidates/row_out, that projected row. PyXtal gets the projected row (a row of pyxtal's tabular representation:
angles in radians, Wyckoff index in pyxtal's list, coordinates in pyxtal's origin), builds it with
pyxtal.from_tabular_representation as LEGO-xtal's 2_relax.py does, and the built crystal is checked atom for atom
against legocryst's decode. Rows legocryst calls undecodable get the raw row the same way; PyXtal optimises those it
can build, and they count as not valid on both sides.

Optimisation as pyxtal.lego.builder.optimize_xtal does it (optimize_lattice(standard=True) for triclinic and
monoclinic cells, then minimize_from_x with opt_type 'local': scipy Nelder-Mead, then L-BFGS-B with scipy's
finite-difference gradients, pyxtal's bounds), with the minimizer list of LEGO-xtal's 2_relax.py
(Nelder-Mead 100, L-BFGS-B 400, L-BFGS-B 200) unless --minimizers says otherwise, and legocryst's SO(3) settings
(nmax 2, lmax 4, alpha 1.5, rcut 2.0, signed-Z weights) against graphite (P6_3/mmc, 2b + 2c, a 2.46, c 6.70 A).

Needs pyxtal from PyPI with a SciPy below 1.15 (pyxtal.lego.SO3 uses scipy.special.sph_harm), h5py, spglib
(a pyxtal dependency); run it in a virtual environment (see benchmarks/README.md). Timings: process CPU time and
wall time of the per-row work (build + optimisation), one thread (set OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1).
"""
import argparse
import functools
import json
import math
import os
import re
import subprocess
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

BOND_CUTOFF = 1.872      # legocryst relax.bond_cutoff
MIN_DISTANCE = 1.0       # relax.min_distance
COORDINATION = 3         # relax.coordination
MIN_DIMENSIONALITY = 3   # relax.min_dimensionality
STATUS = {0: "valid", 1: "invalid", 2: "failed", 3: "undecodable", 4: "duplicate"}


# ---------------------------------------------------------------- geometry and legocryst's validity rules

def lattice_parameters(m):
    a, b, c = (np.linalg.norm(v) for v in m)
    ang = lambda u, v: math.degrees(math.acos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v)))
    return np.array([a, b, c, ang(m[1], m[2]), ang(m[0], m[2]), ang(m[0], m[1])])


def bonds(lattice, frac, cutoff):
    """Every pair (i, j, image n) with |frac_j + n - frac_i| (Cartesian) <= cutoff, the atom itself at n = 0
    excluded, its own images included; returns (i, j, n, d) arrays. Images are searched far enough along each
    axis that nothing within the cutoff is missed (cutoff x the reciprocal lengths, plus the wrap)."""
    lattice = np.asarray(lattice, float)
    frac = np.asarray(frac, float) % 1.0
    recip = np.linalg.norm(np.linalg.inv(lattice).T, axis=1)      # 1 / plane spacings
    reach = np.ceil(cutoff * recip).astype(int) + 1
    shifts = np.array([[i, j, k] for i in range(-reach[0], reach[0] + 1) for j in range(-reach[1], reach[1] + 1)
                       for k in range(-reach[2], reach[2] + 1)])
    n = len(frac)
    out_i, out_j, out_n, out_d = [], [], [], []
    for i in range(n):
        d = frac[None, :, :] - frac[i][None, None, :] + shifts[:, None, :]     # [S, n, 3]
        r = np.linalg.norm(d @ lattice, axis=2)
        s_idx, j_idx = np.nonzero(r <= cutoff)
        for s, j in zip(s_idx, j_idx):
            if j == i and not shifts[s].any():
                continue
            out_i.append(i)
            out_j.append(j)
            out_n.append(shifts[s])
            out_d.append(r[s, j])
    return (np.array(out_i, int), np.array(out_j, int), np.array(out_n, int).reshape(-1, 3), np.array(out_d))


def dimensionality(n_atoms, bi, bj, bn):
    """legocryst's dimensionality (src/envopt/validity.c): walk each bonded component from a root, giving every
    atom the cell image it is reached in; a bond i -> j (image n) that closes a loop adds the loop's net lattice
    translation offset_i + n - offset_j. The component's dimensionality is the rank of those translations (3: a
    framework periodic in three directions, 2: layers, 1: chains, 0: molecules); the structure's is the largest
    over its components."""
    adj = [[] for _ in range(n_atoms)]
    for i, j, n in zip(bi, bj, bn):
        adj[i].append((j, n))
    offset = [None] * n_atoms
    best = 0
    for root in range(n_atoms):
        if offset[root] is not None:
            continue
        offset[root] = np.zeros(3, int)
        queue, head, loops = [root], 0, []
        while head < len(queue):
            i = queue[head]
            head += 1
            for j, n in adj[i]:
                to = offset[i] + n
                if offset[j] is None:
                    offset[j] = to
                    queue.append(j)
                else:
                    t = to - offset[j]
                    if t.any():
                        loops.append(t)
        if loops:
            best = max(best, int(np.linalg.matrix_rank(np.array(loops, float))))
    return best


def judge(lattice, frac):
    """legocryst's validity (src/envopt/validity.c, defaults for sp2 carbon): every atom exactly 3 neighbours
    within 1.872 A, no pair (an atom's own images included) closer than 1.0 A, a 3-D bonded network."""
    n = len(frac)
    bi, bj, bn, bd = bonds(lattice, frac, max(BOND_CUTOFF, MIN_DISTANCE))
    cn = np.bincount(bi[bd <= BOND_CUTOFF], minlength=n) if n else np.zeros(0, int)
    dmin = float(bd.min()) if len(bd) else math.inf
    keep = bd <= BOND_CUTOFF
    dim = dimensionality(n, bi[keep], bj[keep], bn[keep])
    valid = (n > 0 and int(cn.min()) == COORDINATION and int(cn.max()) == COORDINATION and dmin >= MIN_DISTANCE
             and dim >= MIN_DIMENSIONALITY)
    return {"valid": bool(valid), "cn_min": int(cn.min()) if n else 0, "cn_max": int(cn.max()) if n else 0,
            "min_distance": dmin, "dimensionality": dim}


def dedup(structures):
    """Greedy in row order, as legocryst: each structure against the unique ones before it with pymatgen's
    StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5) (primitive_cell and scale at their defaults, True).
    Returns duplicate_of (index into structures, -1 for unique)."""
    from pymatgen.analysis.structure_matcher import StructureMatcher
    matcher = StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5)
    unique, out = [], []
    for k, s in enumerate(structures):
        hit = -1
        for u in unique:
            if matcher.fit(structures[u], s):
                hit = u
                break
        out.append(hit)
        if hit < 0:
            unique.append(k)
    return out


def pmg_structure(lattice, frac):
    from pymatgen.core import Lattice, Structure
    return Structure(Lattice(lattice), ["C"] * len(frac), frac)


# ---------------------------------------------------------------- legocryst's files

def read_db(path):
    import h5py
    with h5py.File(path, "r") as f:
        c = f["candidates"]
        db = {k: c[k][()] for k in ("id", "status", "row_status", "spacegroup", "n_atoms", "atom_offset", "lattice",
                                    "objective", "coordination", "dimensionality", "duplicate_of", "row_in",
                                    "row_out", "iterations")}
        db["frac"] = f["atoms/frac"][()]
    return db


def db_structure(db, k):
    o, n = int(db["atom_offset"][k]), int(db["n_atoms"][k])
    return db["lattice"][k].reshape(3, 3), db["frac"][o:o + n]


@functools.lru_cache(maxsize=None)
def legocryst_wyckoff(binary, spg):
    """legocryst's table for a group: (Hall number, [(letter, multiplicity, representative)]), general first."""
    text = subprocess.run([binary, "wyckoff", str(spg)], check=True, capture_output=True, text=True).stdout
    hall = int(re.search(r"Hall number (\d+)", text).group(1))
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\S)\s+(\d+)\s+\S+\s+\((.*)\)\s*$", line)
        if m:
            # Pmmm's general position is the International Tables' alpha: '{' in legocryst, 'A' in pyxtal
            rows.append(("A" if m.group(1) == "{" else m.group(1), int(m.group(2)), m.group(3)))
    return hall, rows


def representative_point(rep, rng):
    """A generic point of a representative such as 'x, 2x, z', 'x, x+1/4, 3/8' or '-x, y-x, 1/2'."""
    values = {"x": rng.uniform(0.05, 0.45), "y": rng.uniform(0.05, 0.45), "z": rng.uniform(0.05, 0.45)}
    point = []
    for expr in rep.split(","):
        expr = re.sub(r"(\d)([xyz])", r"\1*\2", expr.strip())
        point.append(eval(expr, {"__builtins__": {}}, dict(values)))
    return np.array(point, float)


# ---------------------------------------------------------------- legocryst's setting -> pyxtal's

def op_keys(rotations, translations):
    """Integer key of each operation: rotation entries (in -1..1) in base 3, translation in 24ths."""
    r = (np.asarray(rotations).reshape(len(rotations), 9).round().astype(np.int64) + 1)
    rcode = (r * (3 ** np.arange(9))).sum(axis=1)
    t = np.mod(np.rint(np.asarray(translations) * 24).astype(np.int64), 24)
    return rcode * 13824 + t[:, 0] * 576 + t[:, 1] * 24 + t[:, 2]


@functools.lru_cache(maxsize=None)
def setting_map(binary, spg):
    """How a point of legocryst's setting of group spg (spglib's Hall setting that `legocryst wyckoff` names)
    becomes a point of pyxtal's setting: x_pyxtal = x_legocryst + shift. The shift is searched on the 1/24 grid:
    it must carry legocryst's operations onto pyxtal's general-position operations exactly (t' = t + (I - R) s,
    same rotations), and then every Wyckoff position i of legocryst onto pyxtal's position i (same letter, same
    multiplicity, a generic point of legocryst's representative lies on pyxtal's position after the shift); shifts
    by the Euclidean normaliser can rename positions, so the second test picks among the first's answers.
    Returns (shift, None) or (None, why)."""
    import spglib
    from pyxtal.symmetry import Group
    hall, table = legocryst_wyckoff(binary, spg)
    ops = spglib.get_symmetry_from_database(hall)
    R, t = ops["rotations"], ops["translations"]
    group = Group(spg)
    if len(group) != len(table):
        return None, "%d Wyckoff positions in pyxtal, %d in legocryst" % (len(group), len(table))
    theirs = np.unique(op_keys([op.rotation_matrix for op in group[0].ops],
                               [op.translation_vector for op in group[0].ops]))
    if len(theirs) != len(R):
        return None, "%d operations in pyxtal, %d in legocryst" % (len(theirs), len(R))
    candidates = np.array([[i, j, k] for i in range(24) for j in range(24) for k in range(24)], float) / 24
    for first in range(0, len(R), 8):      # a few operations at a time: most shifts fail on the first ones
        r8, t8 = R[first:first + 8], t[first:first + 8]
        moved = t8[None, :, :] + candidates[:, None, :] - np.einsum("oij,sj->soi", r8, candidates)
        keys = op_keys(np.broadcast_to(r8, (len(candidates),) + r8.shape).reshape(-1, 3, 3), moved.reshape(-1, 3))
        candidates = candidates[np.isin(keys, theirs).reshape(len(candidates), len(r8)).all(axis=1)]
    if not len(candidates):
        return None, "no origin shift carries legocryst's operations onto pyxtal's"
    # smallest shifts first
    candidates = candidates[np.argsort(np.linalg.norm(np.where(candidates > 0.5, candidates - 1, candidates),
                                                      axis=1), kind="stable")]
    rng = np.random.default_rng(spg)
    for s in candidates:
        good = True
        for i, (letter, mult, rep) in enumerate(table):
            wp = group[i]
            if wp.letter != letter or wp.multiplicity != mult:
                return None, "position %d: legocryst %d%s, pyxtal %s" % (i, mult, letter, wp.get_label())
            p = representative_point(rep, rng) + s
            if wp.search_generator(p, tol=1e-6) is None:
                good = False
                break
        if good:
            return s, None
    return None, "no origin shift keeps the Wyckoff letters"


def pyxtal_row(binary, row):
    """A legocryst row (degrees, legocryst's Wyckoff index and origin) as a row of pyxtal's tabular
    representation (radians, pyxtal's index = legocryst's, verified by setting_map; pyxtal's origin)."""
    rep = np.array(row, float)
    spg = int(rep[0])
    shift = np.zeros(3)
    if rep[0] == spg and 1 <= spg <= 230:
        s, _ = setting_map(binary, spg)
        if s is not None:
            shift = s
    rep[4:7] = np.radians(rep[4:7])
    for k in range(7, len(rep) - 3, 4):
        if rep[k] > -0.01 and min(rep[k:k + 4]) > -0.01:
            rep[k + 1:k + 4] = np.mod(rep[k + 1:k + 4] + shift, 1.0)
    return rep, shift


def same_structure(lattice_a, frac_a, lattice_b, frac_b, tol=1e-5):
    """Same cell parameters (relative tol) and the same fractional coordinates as multisets (mod 1, tol)."""
    pa, pb = lattice_parameters(lattice_a), lattice_parameters(lattice_b)
    if np.max(np.abs(pa - pb) / np.maximum(1, np.abs(pb))) > tol or len(frac_a) != len(frac_b):
        return False
    used = np.zeros(len(frac_b), bool)
    for f in frac_a:
        d = frac_b - f
        d = np.abs(d - np.rint(d)).max(axis=1)
        d[used] = np.inf
        j = int(np.argmin(d))
        if d[j] > tol:
            return False
        used[j] = True
    return True


def pyxtal_frac(xtal):
    return np.vstack([site.coords for site in xtal.atom_sites])


# ---------------------------------------------------------------- the run

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--legocryst", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--decoded", required=True, help="legocryst relax with max_iterations = 0 on the rows")
    ap.add_argument("--count", type=int, required=True, help="rows for PyXtal (the first COUNT)")
    ap.add_argument("--legocryst-db", help="legocryst's candidates for the same COUNT rows (for the report)")
    ap.add_argument("--legocryst-time", help="CPU,WALL seconds of that legocryst run (for the report)")
    ap.add_argument("--legocryst-full-db")
    ap.add_argument("--legocryst-full-time")
    ap.add_argument("--minimizers", default="Nelder-Mead:100,L-BFGS-B:400,L-BFGS-B:200")
    ap.add_argument("--rcut", type=float, default=2.0)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cache", help="finished rows, one JSON line each (default WORK/pyxtal_rows.jsonl): rows found "
                    "there are not optimised again, so a run can be stopped and resumed, or split")
    ap.add_argument("--compute", metavar="FIRST:END", help="only optimise the rows in [FIRST, END) missing from "
                    "the cache, append them to it and exit without a report (to split the work over processes)")
    args = ap.parse_args()
    if args.compute is None and not (args.legocryst_db and args.legocryst_time):
        ap.error("--legocryst-db and --legocryst-time are needed for the report (or give --compute)")

    import ase.io
    import h5py
    import pymatgen.core
    import pyxtal as pyxtal_module
    import scipy
    from pyxtal import pyxtal
    from pyxtal.lego.builder import builder, minimize_from_x

    os.makedirs(args.work, exist_ok=True)
    minimizers = [(m.split(":")[0], int(m.split(":")[1])) for m in args.minimizers.split(",")]
    with h5py.File(args.samples, "r") as f:
        rows = f["rows"][:args.count]
    decoded = read_db(args.decoded)
    n = len(rows)
    assert len(decoded["id"]) >= n, "decoded database shorter than --count"
    cache_path = args.cache or os.path.join(args.work, "pyxtal_rows.jsonl")
    cache = {}
    read_upto = [0]

    def refresh_cache():
        """Rows appended to the cache since the last look (by this or another process) join `cache`."""
        if not os.path.exists(cache_path):
            return
        with open(cache_path, "rb") as f:
            f.seek(read_upto[0])
            for line in f:
                if not line.endswith(b"\n"):  # another process is still writing it
                    break
                read_upto[0] += len(line)
                if line.strip():
                    r = json.loads(line)
                    cache[r["row"]] = r

    refresh_cache()

    print("pyxtal %s (numpy %s, scipy %s, pymatgen %s), one thread; SO(3) nmax 2, lmax 4, alpha 1.5, rcut %g, "
          "signed-Z weights; graphite reference; minimizers %s (finite-difference gradients)"
          % (pyxtal_module.__version__, np.__version__, scipy.__version__, pymatgen.core.__version__, args.rcut,
             ", ".join("%s %d" % m for m in minimizers)))

    # --- the setting map for every group in the rows
    groups = sorted({int(r[0]) for r in rows if r[0] == int(r[0]) and 1 <= r[0] <= 230})
    shifted, broken = [], []
    for g in groups:
        s, why = setting_map(args.legocryst, g)
        if s is None:
            broken.append("%d (%s)" % (g, why))
        elif s.any():
            shifted.append("%d %s" % (g, "+(" + ", ".join("%g/24" % round(v * 24) for v in s) + ")"))
    print("wyckoff: %d space groups in the rows; every Wyckoff index is the same position in pyxtal (letter, "
          "multiplicity, representative)%s; origin shifted (legocryst -> pyxtal) for %d: %s"
          % (len(groups), "" if not broken else ", except " + "; ".join(broken), len(shifted),
             ", ".join(shifted) or "none"))

    # --- PyXtal's builder as LEGO-xtal sets it up
    bu = builder(["C"], [1], prefix=os.path.join(args.work, "mof"), db_file=os.path.join(args.work, "pyxtal.db"),
                 log_file=os.path.join(args.work, "pyxtal.log"))
    bu.set_descriptor_calculator(mykwargs={"lmax": 4, "nmax": 2, "rcut": args.rcut, "alpha": 1.5,
                                           "weight_on": True})
    ref = pyxtal()
    ref.from_spg_wps_rep(194, ["2c", "2b"], [2.46, 6.70])
    bu.set_reference_enviroments(ref.to_pymatgen())
    bu.set_criteria(CN={"C": [COORDINATION]})

    first, end = (int(v) for v in args.compute.split(":")) if args.compute else (0, n)
    for k in range(max(first, 0), min(end, n)):
        refresh_cache()  # processes sharing the cache skip each other's rows
        if k in cache:
            continue
        lego_decodable = int(decoded["status"][k]) != 3
        source = decoded["row_out"][k] if lego_decodable and np.isfinite(decoded["row_out"][k][0]) else rows[k]
        rep, _ = pyxtal_row(args.legocryst, source)
        r = {"row": k, "legocryst_decodable": lego_decodable, "built": False, "optimised": False}
        c0, w0 = time.process_time(), time.perf_counter()
        xtal = pyxtal()
        try:
            with open(os.devnull, "w") as null:
                old = sys.stdout
                sys.stdout = null
                try:
                    xtal.from_tabular_representation(rep, normalize=False)
                finally:
                    sys.stdout = old
            built = bool(xtal.valid) and xtal.lattice is not None and len(xtal.atom_sites) > 0
        except Exception:
            built = False
        result = None
        if built:
            r["built"] = True
            if lego_decodable:     # outside the clock below: the check is ours, not PyXtal's work
                c1 = time.process_time()
                w1 = time.perf_counter()
                lat, frac = db_structure(decoded, k)
                shift = pyxtal_row(args.legocryst, rows[k])[1]
                r["decode_same"] = bool(same_structure(xtal.lattice.matrix, pyxtal_frac(xtal) - shift, lat, frac))
                r["objective_before"] = float(bu.get_similarity(xtal))
                c0 += time.process_time() - c1
                w0 += time.perf_counter() - w1
            try:
                # pyxtal.lego.builder.optimize_xtal without its database bookkeeping
                if xtal.lattice.ltype in ["triclinic", "monoclinic"]:
                    xtal.optimize_lattice(standard=True)
                x = xtal.get_1d_rep_x()
                _, wps, _ = bu.get_input_from_ref_xtal(xtal)
                result = minimize_from_x(x, xtal.dim, xtal.group.number, wps, bu.elements, bu.calculator,
                                         bu.ref_environments, opt_type="local", minimizers=minimizers,
                                         filename=None)
            except Exception as e:       # pyxtal's own failures count as not valid
                r["error"] = repr(e)[:200]
                result = None
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        r["cpu_s"], r["wall_s"] = cpu, wall
        if result is not None:
            opt, (x0, x1) = result
            r["optimised"] = True
            r["objective"] = float(bu.get_similarity(opt))
            atoms = opt.to_ase(resort=False, add_vaccum=False)
            lattice, frac = np.array(atoms.cell), atoms.get_scaled_positions(wrap=True)
            r.update(judge(lattice, frac))
            r["spacegroup"] = int(opt.group.number)
            r["lattice"], r["frac"] = lattice.tolist(), frac.tolist()
        else:
            r["valid"] = False
        with open(cache_path, "a") as f:  # one line per row, appended whole: several processes may share the file
            f.write(json.dumps(r, default=float) + "\n")
        cache[k] = r
        print("pyxtal: row %d done, %.0f s CPU" % (k, cpu), file=sys.stderr, flush=True)
    if args.compute:
        return
    lego = read_db(args.legocryst_db)
    assert len(lego["id"]) >= n, "legocryst database shorter than --count"

    # --- the rows in order, from the cache
    results = [dict(cache[k]) for k in range(n)]
    frames = []
    for r in results:
        if "lattice" in r:
            r["structure"] = (np.array(r.pop("lattice")), np.array(r.pop("frac")))
            atoms = ase.Atoms("C%d" % len(r["structure"][1]), cell=r["structure"][0],
                              scaled_positions=r["structure"][1], pbc=True)
            atoms.info = {"row": r["row"], "spacegroup": r["spacegroup"], "objective": r["objective"],
                          "valid": r["valid"], "legocryst_decodable": r["legocryst_decodable"]}
            frames.append(atoms)
    decode_checked = sum("decode_same" in r for r in results)
    decode_same = sum(r.get("decode_same", False) for r in results)
    decode_diff = [r["row"] for r in results if r.get("decode_same") is False]
    cpu_total = sum(r["cpu_s"] for r in results)
    wall_total = sum(r["wall_s"] for r in results)
    cpu_decodable = sum(r["cpu_s"] for r in results if r["legocryst_decodable"])

    ase.io.write(os.path.join(args.work, "pyxtal_relaxed.extxyz"), frames, format="extxyz")

    # --- validity and uniqueness, PyXtal; rows legocryst cannot decode count as not valid
    valid_rows = [r for r in results if r["valid"] and r["legocryst_decodable"]]
    valid_undecodable = [r for r in results if r["valid"] and not r["legocryst_decodable"]]
    dup = dedup([pmg_structure(*r["structure"]) for r in valid_rows])
    unique_pyxtal = sum(1 for d in dup if d < 0)
    for r, d in zip(valid_rows, dup):
        r["duplicate_of"] = valid_rows[d]["row"] if d >= 0 else -1

    # --- legocryst on the same rows: its own verdicts, our Python judge of its structures, pymatgen's dedup
    lego_status = [int(s) for s in lego["status"][:n]]
    lego_valid = [k for k in range(n) if lego_status[k] in (0, 4)]
    lego_unique = sum(1 for k in range(n) if lego_status[k] == 0)
    disagree = []
    for k in range(n):
        if lego_status[k] in (0, 1, 4) and lego["n_atoms"][k] > 0:
            if judge(*db_structure(lego, k))["valid"] != (lego_status[k] in (0, 4)):
                disagree.append(k)
    lego_dup_pmg = dedup([pmg_structure(*db_structure(lego, k)) for k in lego_valid])
    lego_unique_pmg = sum(1 for d in lego_dup_pmg if d < 0)

    lego_cpu, lego_wall = (float(v) for v in args.legocryst_time.split(","))
    built = sum(r["built"] for r in results)
    built_undecodable = sum(r["built"] and not r["legocryst_decodable"] for r in results)
    n_decodable = sum(r["legocryst_decodable"] for r in results)
    report = []
    say = lambda s="": report.append(s)
    say("decode check: %d of %d decodable rows built by pyxtal; %d of them are legocryst's decoded structure "
        "(same cell parameters, every atom within 1e-5 in fractional coordinates)%s"
        % (decode_checked, n_decodable, decode_same,
           "" if not decode_diff else "; differ: rows " + " ".join(map(str, decode_diff[:20]))))
    say("pyxtal built %d of %d rows (%d of the %d that legocryst calls undecodable: optimised and timed, counted "
        "not valid; %d of those came out valid by the rules)" % (built, n, built_undecodable, n - n_decodable,
                                                               len(valid_undecodable)))
    say("judge check: the Python judge agrees with legocryst's status on %d of %d relaxed legocryst candidates%s"
        % (sum(1 for k in range(n) if lego_status[k] in (0, 1, 4) and lego["n_atoms"][k] > 0) - len(disagree),
           sum(1 for k in range(n) if lego_status[k] in (0, 1, 4) and lego["n_atoms"][k] > 0),
           "" if not disagree else " (differ: rows " + " ".join(map(str, disagree[:20])) + ")"))
    say()
    say("same %d rows (first %d of %s; %d decodable):" % (n, n, os.path.basename(args.samples), n_decodable))
    say("%-10s %10s %10s %14s %12s %12s %20s" % ("", "CPU s", "wall s", "cand/s/core", "valid", "unique",
                                                  "unique (pymatgen)"))
    lego_rate = n / lego_cpu
    py_rate = n / cpu_total
    say("%-10s %10.2f %10.2f %14.4g %5d %.4f %5d %.4f %9d %.4f" % (
        "legocryst", lego_cpu, lego_wall, lego_rate, len(lego_valid), len(lego_valid) / n, lego_unique,
        lego_unique / n, lego_unique_pmg, lego_unique_pmg / n))
    say("%-10s %10.2f %10.2f %14.4g %5d %.4f %5d %.4f %9d %.4f" % (
        "pyxtal", cpu_total, wall_total, py_rate, len(valid_rows), len(valid_rows) / n, unique_pyxtal,
        unique_pyxtal / n, unique_pyxtal, unique_pyxtal / n))
    say("throughput ratio legocryst / pyxtal per core: %.0fx (CPU time; wall %.0fx); on decodable rows only "
        "(pyxtal %.4g cand/s/core, legocryst's whole time charged to them): %.0fx"
        % (lego_rate / py_rate, (n / lego_wall) / (n / wall_total), n_decodable / cpu_decodable,
           (n_decodable / lego_cpu) / (n_decodable / cpu_decodable) if cpu_decodable else math.nan))
    say("valid fraction: legocryst %.4f, pyxtal %.4f (%s)" % (
        len(lego_valid) / n, len(valid_rows) / n,
        "legocryst at least as high" if len(lego_valid) >= len(valid_rows) else "pyxtal higher"))
    if args.legocryst_full_db:
        full = read_db(args.legocryst_full_db)
        cpu, wall = (float(v) for v in args.legocryst_full_time.split(","))
        m = len(full["id"])
        st = full["status"]
        say("legocryst on all %d rows: %.2f s CPU, %.2f s wall, %.4g cand/s/core; valid %d (%.4f), unique %d "
            "(%.4f), undecodable %d" % (m, cpu, wall, m / cpu, int(np.isin(st, [0, 4]).sum()),
                                        np.isin(st, [0, 4]).mean(), int((st == 0).sum()), (st == 0).mean(),
                                        int((st == 3).sum())))
    print("\n".join(report))

    with open(os.path.join(args.work, "pyxtal_rows.json"), "w") as f:
        json.dump([{k: v for k, v in r.items() if k != "structure"} for r in results], f, indent=0, default=float)


if __name__ == "__main__":
    main()
