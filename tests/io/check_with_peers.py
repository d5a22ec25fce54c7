#!/usr/bin/python3
"""Reads the files legocryst wrote (test_io_peers) with ASE and pymatgen and compares them with what legocryst
meant to write: lattice, species and positions to 1e-6 A.

Usage: check_with_peers.py DIR. DIR holds NAME.ref.json next to each written file:
  {"file": "graphite.cif", "format": "cif" | "vasp" | "extxyz",
   "lattice": [[ax, ay, az], [bx, by, bz], [cx, cy, cz]],   # rows, Angstrom
   "species": [Z, ...], "frac": [[x, y, z], ...],
   "orientation": "matrix" | "parameters",   # CIF keeps only lengths and angles
   "same_order": true | false}               # false: peers expand symmetry in their own order
Exit status: 0 all agree, 1 a disagreement, 77 ASE or pymatgen not importable (ctest: skipped).
"""
import glob
import json
import math
import os
import sys
import warnings

try:
    import numpy as np
    from ase.io import read as ase_read
    from pymatgen.io.cif import CifParser
    from pymatgen.io.vasp import Poscar
except ImportError as error:  # Debian: python3-ase, python3-pymatgen
    print(f"skipped: cannot import ASE/pymatgen ({error}); install python3-ase and python3-pymatgen")
    sys.exit(77)

TOL = 1e-6  # Angstrom (and degrees for cell angles)


def cell_parameters(lattice):
    lattice = np.asarray(lattice, dtype=float)
    lengths = np.linalg.norm(lattice, axis=1)
    angles = []
    for i, j in ((1, 2), (0, 2), (0, 1)):
        cosine = np.dot(lattice[i], lattice[j]) / (lengths[i] * lengths[j])
        angles.append(math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))
    return lengths, np.array(angles)


def compare(label, ref, lattice, numbers, frac):
    """Returns a list of problems (empty when the peer's structure matches the reference)."""
    problems = []
    ref_lattice = np.asarray(ref["lattice"], dtype=float)
    lattice = np.asarray(lattice, dtype=float)
    if ref["orientation"] == "matrix":
        worst = np.abs(lattice - ref_lattice).max()
        if worst > TOL:
            problems.append(f"{label}: lattice differs by {worst:.3g} A")
    else:
        (la, aa), (lb, ab) = cell_parameters(lattice), cell_parameters(ref_lattice)
        if np.abs(la - lb).max() > TOL or np.abs(aa - ab).max() > TOL:
            problems.append(f"{label}: cell {la} {aa} differs from {lb} {ab}")
    ref_numbers, ref_frac = list(ref["species"]), np.asarray(ref["frac"], dtype=float)
    numbers, frac = list(numbers), np.asarray(frac, dtype=float)
    if len(numbers) != len(ref_numbers):
        return problems + [f"{label}: {len(numbers)} atoms, expected {len(ref_numbers)}"]
    if sorted(numbers) != sorted(ref_numbers):
        return problems + [f"{label}: species {sorted(numbers)} != {sorted(ref_numbers)}"]
    if ref["same_order"] and numbers != ref_numbers:
        problems.append(f"{label}: species order {numbers} != {ref_numbers}")
    # One-to-one matching by periodic Cartesian distance, measured in the reference lattice.
    used = set()
    worst = 0.0
    for i, (z, f) in enumerate(zip(ref_numbers, ref_frac)):
        d = frac - f
        d -= np.round(d)
        dist = np.linalg.norm(d @ ref_lattice, axis=1)
        candidates = [j for j in np.argsort(dist) if numbers[j] == z and j not in used]
        if ref["same_order"]:
            candidates = [i] if numbers[i] == z else []
        if not candidates:
            problems.append(f"{label}: no partner for atom {i}")
            continue
        j = candidates[0]
        used.add(j)
        worst = max(worst, dist[j])
    if worst > TOL:
        problems.append(f"{label}: positions differ by up to {worst:.3g} A")
    return problems


def read_with_ase(path, fmt):
    atoms = ase_read(path, format=fmt)
    return atoms.cell[:], atoms.get_atomic_numbers(), atoms.get_scaled_positions(wrap=True)


def read_with_pymatgen(path, fmt):
    if fmt == "cif":
        structures = CifParser(path).get_structures(primitive=False)
        if len(structures) != 1:
            raise ValueError(f"{len(structures)} structures")
        s = structures[0]
    elif fmt == "vasp":
        s = Poscar.from_file(path).structure
    else:
        return None  # pymatgen has no extended-XYZ reader for periodic structures
    return s.lattice.matrix, [site.specie.Z for site in s], s.frac_coords


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    refs = sorted(glob.glob(os.path.join(sys.argv[1], "*.ref.json")))
    if not refs:
        print(f"no *.ref.json in {sys.argv[1]}")
        return 1
    problems, checked = [], 0
    for ref_path in refs:
        with open(ref_path) as handle:
            ref = json.load(handle)
        path = os.path.join(sys.argv[1], ref["file"])
        for peer, reader in (("ASE", read_with_ase), ("pymatgen", read_with_pymatgen)):
            label = f"{ref['file']} read by {peer}"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = reader(path, ref["format"])
            except Exception as error:  # a peer refusing the file is a failure to report, not to hide
                problems.append(f"{label}: {type(error).__name__}: {error}")
                continue
            if result is None:
                continue
            found = compare(label, ref, *result)
            problems += found
            checked += 1
            print(f"{'FAIL' if found else 'ok  '} {label}")
    for problem in problems:
        print(problem)
    print(f"{checked} file readings compared, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
