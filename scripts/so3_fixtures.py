#!/usr/bin/env python3
"""Writes tests/envopt/fixtures/so3_pyxtal.txt: SO(3) power spectra from PyXtal (pyxtal.lego.SO3) for random
skewed cells with two or three species, so test_envopt_so3_pyxtal checks legocryst without Python.

Needs pyxtal (PyPI) and a SciPy that still has scipy.special.sph_harm (< 1.15), e.g.
    python3 -m venv /tmp/pyx && /tmp/pyx/bin/pip install pyxtal "scipy<1.15"
    /tmp/pyx/bin/python scripts/so3_fixtures.py > tests/envopt/fixtures/so3_pyxtal.txt

compute_p(atoms) without atom_ids takes PyXtal's ASE-neighbour-list path, which sees every periodic image (its
atom_ids path looks at the 27 nearest cells only), the definition legocryst implements.
"""
import sys
import warnings

import numpy as np
import pyxtal
import scipy
from ase import Atoms
from pyxtal.lego.SO3 import SO3

warnings.filterwarnings("ignore")


def random_cell(rng, n_atoms, density, species, min_distance):
    """Triclinic cell (angles 55..125 degrees) holding n_atoms at `density` atoms/A^3, no pair closer than
    min_distance; lattice rows as in legocryst."""
    while True:
        lengths = 1 + rng.random(3)
        angles = np.radians(55 + 70 * rng.random(3))
        ca, cb, cg = np.cos(angles)
        sg = np.sin(angles[2])
        v = np.sqrt(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg)
        if not np.isfinite(v) or v < 0.3:
            continue
        a, b, c = lengths
        lattice = np.array([[a, 0, 0], [b * cg, b * sg, 0],
                            [c * cb, c * (ca - cb * cg) / sg, c * v / sg]])
        lattice *= np.cbrt(n_atoms / density / abs(np.linalg.det(lattice)))
        break
    frac = []
    while len(frac) < n_atoms:
        f = rng.random(3)
        ok = True
        for g in frac:
            d = f - g
            d -= np.round(d)
            shifts = np.array([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])
            if np.min(np.linalg.norm((d + shifts) @ lattice, axis=1)) < min_distance:
                ok = False
                break
        if ok:
            frac.append(f)
    numbers = rng.choice(species, size=n_atoms)
    return lattice, np.array(frac), numbers


def main():
    rng = np.random.default_rng(20240611)
    out = sys.stdout
    out.write("# SO(3) power spectra from PyXtal %s (SciPy %s), written by scripts/so3_fixtures.py\n"
              % (pyxtal.__version__, scipy.__version__))
    out.write("# case NAME WEIGHT_ON NMAX LMAX ALPHA RCUT N_ATOMS / lattice (rows) / atom Z FRAC / p ATOM VALUES\n")
    cases = [
        # name, options (nmax, lmax, rcut, alpha, weight_on), atoms, density, species, min distance
        ("cn_signed", (2, 4, 2.0, 1.5, True), 8, 0.16, [6, 7], 1.1),
        ("cn_unsigned", (2, 4, 2.0, 1.5, False), 8, 0.16, [6, 7], 1.1),
        ("bcn_small_cell", (2, 4, 2.0, 1.5, True), 3, 0.14, [5, 6, 7], 1.0),
        ("c_wide", (3, 6, 3.0, 2.0, True), 6, 0.12, [6], 1.2),
        ("cn_nmax4", (4, 3, 2.5, 1.0, True), 7, 0.13, [6, 7], 1.1),
    ]
    for name, (nmax, lmax, rcut, alpha, weight_on), n_atoms, density, species, dmin in cases:
        lattice, frac, numbers = random_cell(rng, n_atoms, density, species, dmin)
        atoms = Atoms(numbers=numbers, scaled_positions=frac, cell=lattice, pbc=True)
        calc = SO3(nmax=nmax, lmax=lmax, rcut=rcut, alpha=alpha, weight_on=weight_on)
        p = calc.compute_p(atoms)
        out.write("case %s %d %d %d %r %r %d\n" % (name, int(weight_on), nmax, lmax, alpha, rcut, n_atoms))
        out.write("lattice " + " ".join(repr(float(x)) for x in lattice.ravel()) + "\n")
        for z, f in zip(numbers, frac):
            out.write("atom %d %s\n" % (z, " ".join(repr(float(x)) for x in f)))
        for i in range(n_atoms):
            out.write("p %d %s\n" % (i, " ".join(repr(float(x)) for x in p[i])))
        out.write("end\n")


if __name__ == "__main__":
    main()
