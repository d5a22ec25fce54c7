/* Crystal-structure matching: do two structures describe the same crystal?
 *
 * "Same" means the same atoms in space up to
 *   - the choice of cell: either structure may be a supercell of the other (a k-subgroup description doubles
 *     the cell) or written in any other basis of the lattice (swapped, negated or sheared axes);
 *   - the orientation of the Cartesian frame: lattices are compared through their metric tensors, never
 *     through Cartesian vectors;
 *   - the origin;
 *   - by default (allow_mirror), mirror images: the frames may differ by an improper rotation. A left-handed
 *     basis alone is no mirror image (handedness is taken from the sign of each cell's volume). LEGO-Cryst
 *     treats an enantiomorph as the same crystal: a subgroup written in another setting may turn P3_1 into
 *     P3_2, and the augmentation must still decode to "the same crystal". pymatgen's StructureMatcher does not
 *     tell mirror images apart either (tests/symmetry/match_pymatgen_pairs.txt, the "inverted" P1 pairs).
 *
 * Algorithm: each structure is reduced to its primitive cell (a search for pure translations among its own
 * atoms, no spglib, positions not symmetrised beyond averaging over those translations), whose lattice is
 * Minkowski-reduced. Every integer change of basis T (|det T| = 1) that maps one reduced metric onto the other
 * within the lattice tolerances is found by enumerating lattice vectors of the right lengths. For each T, origin
 * shifts that put an atom of the rarest species of b on a fixed atom of a are tried; a cell list over a's
 * atoms makes each trial O(N), and most wrong trials stop at their first atom. A shift is accepted when, after
 * refining it to the least-squares one, every atom of b lies within site_tolerance of its own atom of a of the
 * same species. Displacements are measured in the lattice whose metric is the mean of the two, so a lattice
 * mismatch is judged by the lattice tolerances alone (as pymatgen's StructureMatcher does).
 *
 * Inputs that already share a cell (same atom count, same metric) are first compared directly, skipping the
 * primitive-cell search.
 *
 * Limits: atoms are paired greedily (nearest free partner), which is exact while site_tolerance is well below
 * half the shortest distance between atoms of one species; the primitive cell is only found when the
 * translations found at symprec close into a group (otherwise the input cell is kept, so a supercell then
 * matches only a description in the same cell).
 *
 * Loose mode (loose = 1, lc_match_loose_options) follows pymatgen's StructureMatcher.fit (2022.11, the
 * defaults: attempt_supercell False, so the primitive cells must have equal atom counts): primitive cells found
 * at symprec 0.25 A (get_primitive_structure's tolerance), optionally both scaled to their geometric-mean volume
 * (scale), length ratios within (1/(1 + ltol), 1 + ltol) and angles within angle_tolerance, displacements
 * measured in the cell whose parameters are the mean of the two, in units of (V/N)^(1/3) of that cell. For each
 * correspondence and each shift putting an atom of b on the first atom of a's rarest species: every atom must
 * have a partner within stol / pi of that length along each reciprocal axis (pymatgen's frac_tol), atoms are
 * then paired by an optimal assignment (Hungarian, least total squared distance, pairs outside the same box on
 * the reduced cell excluded) and the pair is a match when, after the least-squares translation, the largest
 * displacement is below stol. The fixture tests/symmetry/dedup_pairs.txt (scripts/dedup_pairs.py) holds
 * pymatgen's verdicts on a few hundred pairs. */
#ifndef LEGOCRYST_SYMMETRY_MATCH_H
#define LEGOCRYST_SYMMETRY_MATCH_H

#include "core/structure.h"

typedef struct {
    double site_tolerance;   /* Angstrom: largest distance between an atom and its partner */
    double length_tolerance; /* fraction: |l_b - l_a| <= length_tolerance * l_a for each reduced primitive vector */
    double angle_tolerance;  /* degrees, between corresponding angles of the reduced primitive cells */
    double symprec;          /* Angstrom, for the primitive-cell search; <= 0 uses site_tolerance */
    int allow_mirror;        /* nonzero: a crystal matches its mirror image */
    int loose;               /* nonzero: pymatgen semantics (above); site_tolerance is then stol, a fraction of
                                (V/N)^(1/3), and symprec <= 0 means 0.25 A */
    int scale;               /* loose: compare at equal volume (StructureMatcher's scale=True) */
} lc_match_options;

/* Strict defaults for checking that two descriptions are one crystal: site_tolerance 1e-3 A, length_tolerance
 * 1e-4, angle_tolerance 0.01 degrees, symprec = site_tolerance, allow_mirror 1. */
lc_match_options lc_match_default_options(void);
/* LEGO-Cryst's dedup, pymatgen's StructureMatcher defaults: loose, ltol 0.2, stol 0.3, angle_tol 5 degrees,
 * primitive cells, scale = 1, mirror images equal. */
lc_match_options lc_match_loose_options(void);

typedef struct {
    /* Cell correspondence between the inputs: a.lattice ~ transformation * b.lattice * R for some orthogonal R
     * (rows convention). Rational when one cell is a supercell of the other: |det| = V_a / V_b. */
    double transformation[3][3];
    /* An atom at fractional f_b in b sits at f_b * transformation^-1 + origin_shift (fractional in a, mod 1). */
    double origin_shift[3];
    int mirror;              /* 1 when R is improper: a is the mirror image of b */
    /* Angstrom, after the least-squares shift, over the atoms compared: the primitive cell's, or the input
     * cell's when the inputs already shared a cell */
    double max_displacement;
    double rms_displacement;
    double length_misfit;    /* largest |l_b - l_a| / l_a over the cell vectors compared */
    double angle_misfit;     /* degrees, largest difference of the cell angles compared */
    int n_primitive_atoms;   /* atoms in the common primitive cell */
} lc_match_result;

/* Returns 1 when a and b are the same crystal within opt (NULL: lc_match_default_options()), else 0; result
 * (may be NULL) is filled on a match. A structure without atoms or with a flat cell matches nothing. */
int lc_structure_match(const lc_structure *a, const lc_structure *b, const lc_match_options *opt,
                       lc_match_result *result);

/* A structure prepared for matching: its reduced primitive cell, atoms sorted by species. Deduplication of many
 * structures prepares each once and compares the prepared cells pairwise. */
typedef struct {
    lc_structure primitive;   /* Minkowski-reduced primitive cell, atoms sorted by species */
    double to_input[3][3];    /* primitive.lattice = to_input * input lattice */
    int n_translations;       /* lattice points of the primitive cell per input cell */
} lc_match_cell;

/* Returns 0, or -1 (cell zeroed) for a structure without atoms, with a flat cell or non-finite numbers. */
int lc_match_cell_init(lc_match_cell *cell, const lc_structure *s, const lc_match_options *opt);
void lc_match_cell_free(lc_match_cell *cell);
/* As lc_structure_match, on prepared cells (prepared with the same symprec). */
int lc_match_cells(const lc_match_cell *a, const lc_match_cell *b, const lc_match_options *opt,
                   lc_match_result *result);

#endif
