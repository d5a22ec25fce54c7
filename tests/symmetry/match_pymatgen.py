#!/usr/bin/python3
"""Writes pairs of structures with pymatgen StructureMatcher verdicts, the fixture test_match checks against.

Run with Debian's Python (python3-pymatgen); the pyenv python3 on PATH has no pymatgen:

    /usr/bin/python3 tests/symmetry/match_pymatgen.py > tests/symmetry/match_pymatgen_pairs.txt

Each pair is a base crystal and a variant. "exact" variants are the same crystal (other cell, frame, origin,
atom order, mirror image, or noise of 2e-4 A); the others are not, to some degree pymatgen's loose tolerances
may or may not forgive. The C test checks that the strict matcher accepts every exact pair and accepts nothing
pymatgen rejects. Format, all numbers plain text:

    pair NAME EXACT PYMATGEN_VERDICT
    cell N          (then 3 lattice rows in Angstrom, then N lines "Z x y z", fractional)
    cell M          (the variant)
"""
import sys

import numpy as np
import pymatgen
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Lattice, Structure

RNG = np.random.default_rng(20240611)


def lattice(a, b, c, alpha, beta, gamma):
    return Lattice.from_parameters(a, b, c, alpha, beta, gamma).matrix


def random_atoms(matrix, species, min_distance):
    frac = []
    while len(frac) < len(species):
        f = RNG.random(3)
        trial = Structure(matrix, ["H"] * (len(frac) + 1), frac + [f])
        if len(frac) == 0 or min(trial.get_distance(len(frac), j) for j in range(len(frac))) >= min_distance:
            frac.append(f)
    return Structure(matrix, species, frac)


def bases():
    yield "graphite", Structure(lattice(2.464, 2.464, 6.711, 90, 90, 120), ["C"] * 4,
                                [[0, 0, 0.25], [0, 0, 0.75], [1 / 3, 2 / 3, 0.25], [2 / 3, 1 / 3, 0.75]])
    fcc = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
    yield "diamond", Structure(lattice(3.567, 3.567, 3.567, 90, 90, 90), ["C"] * 8,
                               np.vstack([fcc, fcc + 0.25]))
    u = 0.305
    yield "rutile", Structure(lattice(4.594, 4.594, 2.959, 90, 90, 90), ["Ti", "Ti", "O", "O", "O", "O"],
                              [[0, 0, 0], [0.5, 0.5, 0.5], [u, u, 0], [-u, -u, 0], [0.5 + u, 0.5 - u, 0.5],
                               [0.5 - u, 0.5 + u, 0.5]])
    yield "perovskite", Structure(lattice(3.905, 3.905, 3.905, 90, 90, 90), ["Sr", "Ti", "O", "O", "O"],
                                  [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    yield "random6", random_atoms(lattice(4.9, 5.3, 6.1, 71, 83, 104), ["Si", "Si", "O", "O", "O", "O"], 1.5)
    yield "random12", random_atoms(lattice(5.1, 6.3, 7.2, 78, 85, 96),
                                   ["Ti"] * 2 + ["Si"] * 4 + ["O"] * 6, 1.4)


def rotation():
    q = RNG.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def rebuild(s, matrix=None, species=None, frac=None):
    return Structure(s.lattice.matrix if matrix is None else matrix,
                     [str(e) for e in s.species] if species is None else species,
                     s.frac_coords if frac is None else frac)


def rotated(s):
    return rebuild(s, matrix=s.lattice.matrix @ rotation().T)


def shifted(s):
    return rebuild(s, frac=(s.frac_coords + RNG.random(3)) % 1.0)


def permuted(s):
    order = RNG.permutation(len(s))
    return rebuild(s, species=[str(s.species[i]) for i in order], frac=s.frac_coords[order])


def basis(s, t):
    t = np.array(t, dtype=float)
    return rebuild(s, matrix=t @ s.lattice.matrix, frac=(s.frac_coords @ np.linalg.inv(t)) % 1.0)


def moved(s, index, distance):
    d = RNG.normal(size=3)
    d *= distance / np.linalg.norm(d)
    frac = s.frac_coords.copy()
    frac[index] += s.lattice.get_fractional_coords(d)
    return rebuild(s, frac=frac % 1.0)


def noisy(s, amplitude):
    d = RNG.normal(size=(len(s), 3))
    d *= (amplitude * RNG.random((len(s), 1))) / np.linalg.norm(d, axis=1)[:, None]
    return rebuild(s, frac=(s.frac_coords + s.lattice.get_fractional_coords(d)) % 1.0)


def strained(s, factor):
    m = s.lattice.matrix.copy()
    m[0] *= factor
    return rebuild(s, matrix=m)


def variants(name, s):
    yield "rotated_shifted_permuted", 1, permuted(shifted(rotated(s)))
    yield "basis_110_010_001", 1, shifted(basis(s, [[1, 1, 0], [0, 1, 0], [0, 0, 1]]))
    yield "basis_cyclic_left_handed", 1, shifted(basis(s, [[0, 1, 0], [1, 0, 0], [0, 0, 1]]))
    yield "supercell_211", 1, shifted(rotated(s * (2, 1, 1)))
    yield "supercell_122_sheared", 1, shifted(basis(s * (1, 2, 2), [[1, 0, 1], [0, 1, 0], [0, 0, 1]]))
    yield "inverted", 1, shifted(rebuild(s, frac=(-s.frac_coords) % 1.0))
    yield "noise_2e-4", 1, rotated(noisy(s, 2e-4))
    yield "moved_0.01", 0, moved(s, 1, 0.01)
    yield "moved_0.05", 0, rotated(moved(s, 1, 0.05))
    yield "moved_0.8", 0, moved(s, 0, 0.8)
    yield "strain_2pct", 0, strained(s, 1.02)
    yield "strain_30pct", 0, strained(s, 1.30)
    species = [str(e) for e in s.species]
    others = [i for i in range(len(s)) if species[i] != species[0]]
    if others:
        swapped = list(species)
        swapped[0], swapped[others[0]] = swapped[others[0]], swapped[0]
        yield "swapped_species", 0, rebuild(s, species=swapped)
    yield "missing_atom", 0, Structure(s.lattice, species[1:], s.frac_coords[1:])
    big = s * (2, 1, 1)
    yield "supercell_missing_atom", 0, Structure(big.lattice, [str(e) for e in big.species][1:], big.frac_coords[1:])
    if name.startswith("random"):
        other = random_atoms(s.lattice.matrix, species, 1.4)
        yield "other_random_atoms", 0, other


def write_cell(out, s):
    out.write("cell %d\n" % len(s))
    for row in s.lattice.matrix:
        out.write("%.10f %.10f %.10f\n" % tuple(row))
    for site in s:
        out.write("%d %.10f %.10f %.10f\n" % ((site.specie.Z,) + tuple(site.frac_coords % 1.0)))


def main():
    matcher = StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5, primitive_cell=True, scale=False)
    out = sys.stdout
    out.write("# pymatgen %s StructureMatcher(ltol=0.2, stol=0.3, angle_tol=5, primitive_cell=True, scale=False)\n"
              % pymatgen.core.__version__)
    out.write("# written by tests/symmetry/match_pymatgen.py; read by tests/symmetry/test_match.c\n")
    for name, s in bases():
        for variant, exact, v in variants(name, s):
            verdict = int(matcher.fit(s, v))
            out.write("pair %s/%s %d %d\n" % (name, variant, exact, verdict))
            write_cell(out, s)
            write_cell(out, v)


if __name__ == "__main__":
    main()
