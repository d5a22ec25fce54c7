#!/usr/bin/python3
"""Pairs of carbon structures with pymatgen StructureMatcher verdicts at LEGO-Cryst's dedup tolerances: the
fixture tests/symmetry/test_match_loose.c checks legocryst's loose matcher against (>= 99 % agreement).

Run with Debian's Python (python3-pymatgen); the pyenv python3 on PATH has no pymatgen:

    /usr/bin/python3 scripts/dedup_pairs.py > tests/symmetry/dedup_pairs.txt

Bases: the sp2 carbon structures (../shared/data/sp2_carbon/cif) and carbon_24 (val.csv, cif column), at most 16
atoms so a supercell stays small. Kinds of pair (the second field):
  same      the base in another cell (random unimodular basis), rotated, origin shifted, atoms permuted
  super     the same as a 2x1x1-like supercell in a random basis
  noise     same plus Gaussian noise on every atom (sigma 0.01 .. 0.35 A): pymatgen decides
  strain    same with the cell strained by 2 .. 30 % along a random direction: pymatgen decides
  other     two different bases of similar density (within 5 %) and equal primitive atom count
Format (that of tests/symmetry/match_pymatgen_pairs.txt):

    pair NAME KIND PYMATGEN_VERDICT
    cell N          (then 3 lattice rows in Angstrom, then N lines "Z x y z", fractional)
    cell M
"""
import csv
import glob
import os
import sys
import warnings

import numpy as np
import pymatgen
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

warnings.filterwarnings("ignore")
RNG = np.random.default_rng(20250611)
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data")
MATCHER = StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5, primitive_cell=True, scale=True)
MAX_ATOMS = 16


def bases():
    out = []
    for path in sorted(glob.glob(os.path.join(DATA, "sp2_carbon", "cif", "*.cif"))):
        try:
            s = Structure.from_file(path)
        except Exception:
            continue
        if len(s) <= MAX_ATOMS:
            out.append((os.path.basename(path)[:-4], s))
    csv.field_size_limit(1 << 24)
    with open(os.path.join(DATA, "carbon_24", "val.csv")) as f:
        for k, row in enumerate(csv.DictReader(f)):
            if k >= 400:
                break
            s = Structure.from_str(row["cif"], fmt="cif")
            if len(s) <= MAX_ATOMS:
                out.append((row["material_id"], s))
    return out


def rotation():
    q = RNG.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def unimodular():
    while True:
        m = np.eye(3, dtype=int)
        for _ in range(2):
            i, j = RNG.choice(3, 2, replace=False)
            m[i] += RNG.integers(-1, 2) * m[j]
        if abs(round(np.linalg.det(m))) == 1:
            return m


def redescribe(s, supercell=None):
    """Same crystal: another basis (or a supercell), rotated frame, shifted origin, permuted atoms."""
    t = s.copy()
    if supercell is not None:
        t.make_supercell(supercell)
    t.make_supercell(unimodular())
    r = rotation()
    lattice = Lattice(t.lattice.matrix @ r.T)
    frac = (t.frac_coords + RNG.random(3)) % 1.0
    order = RNG.permutation(len(t))
    return Structure(lattice, [t.species[i] for i in order], frac[order])


def noisy(s, sigma):
    cart = s.cart_coords + RNG.normal(scale=sigma, size=(len(s), 3))
    return Structure(s.lattice, s.species, cart, coords_are_cartesian=True)


def strained(s, amount):
    u = RNG.normal(size=3)
    u /= np.linalg.norm(u)
    f = np.eye(3) + amount * np.outer(u, u)
    return Structure(Lattice(s.lattice.matrix @ f.T), s.species, s.frac_coords)


def write_cell(out, s):
    out.write(f"cell {len(s)}\n")
    for row in s.lattice.matrix:
        out.write(" ".join(f"{x:.8f}" for x in row) + "\n")
    for site in s:
        f = site.frac_coords % 1.0
        out.write(f"{site.specie.Z} {f[0]:.8f} {f[1]:.8f} {f[2]:.8f}\n")


def main():
    items = bases()
    pairs = []
    picks = RNG.permutation(len(items))
    for k, idx in enumerate(picks[:60]):
        name, s = items[idx]
        pairs.append((f"{name}/same", "same", s, redescribe(s)))
        if k % 2 == 0:
            pairs.append((f"{name}/super", "super", s, redescribe(s, [[2, 0, 0], [0, 1, 0], [0, 0, 1]])))
        sigma = float(RNG.choice([0.01, 0.03, 0.08, 0.15, 0.25, 0.35]))
        pairs.append((f"{name}/noise{sigma:g}", "noise", s, noisy(redescribe(s), sigma)))
        amount = float(RNG.choice([0.02, 0.08, 0.15, 0.22, 0.3]))
        pairs.append((f"{name}/strain{amount:g}", "strain", s, strained(redescribe(s), amount)))
    # different crystals of similar density and the same primitive size: the hard negatives
    prims = [(name, s, len(s.get_primitive_structure()), s.density) for name, s in items]
    others = 0
    for i in RNG.permutation(len(prims)):
        for j in RNG.permutation(len(prims)):
            if others >= 70:
                break
            a, b = prims[i], prims[j]
            if i != j and a[2] == b[2] and abs(a[3] - b[3]) < 0.05 * a[3]:
                pairs.append((f"{a[0]}/other/{b[0]}", "other", a[1], redescribe(b[1])))
                others += 1
                break
    out = sys.stdout
    out.write(f"# pymatgen {pymatgen.core.__version__} StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5, "
              "primitive_cell=True, scale=True)\n")
    out.write("# written by scripts/dedup_pairs.py; read by tests/symmetry/test_match_loose.c\n")
    for name, kind, a, b in pairs:
        try:
            verdict = int(MATCHER.fit(a, b))
        except IndexError:  # get_primitive_structure fails on some noisy cells in this pymatgen: no verdict
            continue
        out.write(f"pair {name.replace(' ', '_')} {kind} {verdict}\n")
        write_cell(out, a)
        write_cell(out, b)


if __name__ == "__main__":
    main()
