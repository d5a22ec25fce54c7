/* Every section and key of the input deck. `legocryst help deck` and docs/deck.md are generated from this table,
 * so a key's documentation lives here and nowhere else. Adding a key is one line; a test checks that every
 * default is valid for its type and range. */
#include "deck.h"

const lc_deck_section lc_deck_sections[] = {
    {"prepare", "Known structures -> training set (`legocryst prepare`): source, filters, augmentation limits, "
                "encoder, seed, output."},
    {"relax", "Rows -> locally optimised candidates (`legocryst relax`): input, optimiser, validity, output."},
    {"run", "Options of every command: logging for interactive and batch use."},
};
const int lc_deck_section_count = (int)(sizeof lc_deck_sections / sizeof lc_deck_sections[0]);

const lc_deck_key lc_deck_schema[] = {
    /* section, key, type, default, allowed, doc */
    {"prepare", "source", LC_DECK_PATH, "", NULL,
     "Required. The structures to prepare: a folder of CIF/POSCAR files, a text file listing structure files one "
     "per line, or a CSV index with a file column and per-structure properties (e.g. index.csv)."},
    {"prepare", "source_type", LC_DECK_CHOICE, "auto", "auto|folder|list|csv",
     "How to read source. auto: a folder is a folder, a name ending in .csv is a CSV index, anything else a list "
     "of files."},
    {"prepare", "file_column", LC_DECK_STRING, "file", NULL,
     "CSV index: the column with each structure's file, relative to the CSV's folder."},
    {"prepare", "id_column", LC_DECK_STRING, "id", NULL,
     "CSV index: the column with each structure's identifier, kept with its rows."},
    {"prepare", "energy_column", LC_DECK_STRING, "", NULL,
     "CSV index: the column with each structure's energy in eV/atom (e.g. reaxff_energy_eV_atom); empty: no "
     "energy filter."},
    {"prepare", "energy_max", LC_DECK_DOUBLE, "0", NULL,
     "With energy_column set, structures whose energy (eV/atom) is >= energy_max are dropped."},
    {"prepare", "max_sites", LC_DECK_INT, "8", "[1, 64]",
     "Structures with more Wyckoff sites (orbits) than this are skipped; also the number of site slots in a row."},
    {"prepare", "max_dof", LC_DECK_INT, "24", "[1, inf)",
     "Structures with more free parameters (cell lengths and angles plus free Wyckoff coordinates) are skipped."},
    {"prepare", "max_atoms", LC_DECK_INT, "500", "[1, inf)",
     "Structures with more atoms in the conventional cell are skipped."},
    {"prepare", "max_length", LC_DECK_DOUBLE, "50", "(0, inf)",
     "Cells (source or augmented) with a lattice length above this, in Angstrom, are skipped."},
    {"prepare", "min_angle", LC_DECK_DOUBLE, "30", "(0, 180)",
     "Cells with a lattice angle below this, in degrees, are skipped."},
    {"prepare", "max_angle", LC_DECK_DOUBLE, "150", "(0, 180)",
     "Cells with a lattice angle above this, in degrees, are skipped."},
    {"prepare", "rows_per_source", LC_DECK_INT, "500", "[1, inf)",
     "At most this many rows per source structure, the structure itself and its augmented subgroup rows together."},
    {"prepare", "rows_original", LC_DECK_INT, "300", "[1, inf)",
     "At most this many rows from a source's own description (its space group); the rest of rows_per_source comes "
     "from subgroup descriptions."},
    {"prepare", "rows_per_subgroup", LC_DECK_INT, "100", "[1, inf)",
     "At most this many rows from each accepted subgroup description of a source."},
    {"prepare", "max_subgroup_depth", LC_DECK_INT, "3", "[0, 10]",
     "Group-subgroup augmentation descends at most this many maximal-subgroup steps; 0: no augmentation."},
    {"prepare", "symprec", LC_DECK_DOUBLE, "1e-3", "(0, 1]",
     "Distance tolerance of the symmetry search (spglib symprec), in Angstrom."},
    {"prepare", "merge_distance", LC_DECK_DOUBLE, "0.5", "[0, inf)",
     "Atoms closer than this, in Angstrom, when a row is decoded back into a structure are merged and the row "
     "flagged."},
    {"prepare", "seed", LC_DECK_INT, "2026", "[0, inf)",
     "Seed of the counter-based random numbers behind augmentation choices: the same seed gives the same rows on "
     "any number of ranks."},
    {"prepare", "output", LC_DECK_PATH, "training.h5", NULL,
     "The training set to write (HDF5: rows, encoders, the resolved deck)."},
    {"prepare", "gmm_components", LC_DECK_INT, "10", "[1, 100]",
     "Gaussian-mixture modes per continuous column for mode-specific normalisation."},
    {"prepare", "gmm_weight_threshold", LC_DECK_DOUBLE, "0.005", "[0, 1)",
     "Mixture modes with a weight below this are dropped."},

    {"relax", "input", LC_DECK_PATH, "", NULL,
     "Required. HDF5 file with a /rows dataset (a training set from `prepare`, or samples)."},
    {"relax", "first", LC_DECK_INT, "0", "[0, inf)", "First row of input to relax."},
    {"relax", "count", LC_DECK_INT, "-1", "[-1, inf)", "Rows to relax from `first`; -1: all."},
    {"relax", "stride", LC_DECK_INT, "1", "[1, inf)", "Relax every stride-th row (e.g. one per source)."},
    {"relax", "first_of_source", LC_DECK_BOOL, "false", NULL,
     "Relax only the first row of each source (/source_id of a training set): each known structure as described "
     "in its own space group."},
    {"relax", "species", LC_DECK_INT, "6", "[1, 118]", "Atomic number of the single species of the rows."},
    {"relax", "output", LC_DECK_PATH, "candidates.h5", NULL, "The candidate database to write (HDF5)."},
    {"relax", "reference", LC_DECK_STRING, "graphite", NULL,
     "Reference environment: graphite (P6_3/mmc, a = 2.46, c = 6.70 A), or a structure file whose first atom's "
     "environment is the target."},
    {"relax", "max_iterations", LC_DECK_INT, "400", "[0, inf)", "L-BFGS (TAO BLMVM) iterations per candidate."},
    {"relax", "gradient_atol", LC_DECK_DOUBLE, "1e-8", "[0, inf)", "Stop when the projected gradient norm is below."},
    {"relax", "min_length", LC_DECK_DOUBLE, "1.5", "(0, inf)", "Lower bound of the cell lengths, Angstrom."},
    {"relax", "max_length", LC_DECK_DOUBLE, "50", "(0, inf)", "Upper bound of the cell lengths, Angstrom."},
    {"relax", "min_angle", LC_DECK_DOUBLE, "30", "(0, 180)", "Lower bound of the cell angles, degrees."},
    {"relax", "max_angle", LC_DECK_DOUBLE, "150", "(0, 180)", "Upper bound of the cell angles, degrees."},
    {"relax", "merge_distance", LC_DECK_DOUBLE, "0.5", "[0, inf)",
     "Rows whose atoms come closer than this when decoded are reported undecodable (collapsed)."},
    {"relax", "nmax", LC_DECK_INT, "2", "[1, 11]", "SO(3) descriptor: radial functions."},
    {"relax", "lmax", LC_DECK_INT, "4", "[0, 16]", "SO(3) descriptor: angular degree."},
    {"relax", "alpha", LC_DECK_DOUBLE, "1.5", "(0, inf)", "SO(3) descriptor: Gaussian exponent, 1/Angstrom^2."},
    {"relax", "rcut", LC_DECK_DOUBLE, "2.0", "(0, inf)", "SO(3) descriptor: cutoff radius, Angstrom."},
    {"relax", "coordination", LC_DECK_INT, "3", "[1, 24]", "Valid: every atom has exactly this many neighbours."},
    {"relax", "bond_cutoff", LC_DECK_DOUBLE, "1.872", "[0, inf)",
     "Neighbours are atoms closer than this, Angstrom (1.2 x (0.78 + 0.78) for C-C); 0: 1.2 x the sum of the "
     "covalent radii."},
    {"relax", "min_distance", LC_DECK_DOUBLE, "1.0", "[0, inf)", "Valid: no two atoms closer, Angstrom."},
    {"relax", "min_dimensionality", LC_DECK_INT, "3", "[0, 3]",
     "Valid: the bonded network extends periodically in at least this many dimensions (3: frameworks only)."},
    {"relax", "symprec", LC_DECK_DOUBLE, "1e-3", "(0, 1]", "Tolerance of the space group after relaxation, Angstrom."},
    {"relax", "dedup", LC_DECK_BOOL, "true", NULL,
     "Mark valid candidates that are the same crystal as an earlier valid one (duplicate of its id)."},
    {"relax", "match_site_tolerance", LC_DECK_DOUBLE, "0.05", "(0, inf)",
     "Dedup: atoms of two candidates pair up within this distance, Angstrom."},
    {"relax", "match_length_tolerance", LC_DECK_DOUBLE, "0.01", "(0, 1)",
     "Dedup: reduced cell lengths agree within this fraction."},
    {"relax", "match_angle_tolerance", LC_DECK_DOUBLE, "1", "(0, 90)", "Dedup: reduced cell angles agree within this, degrees."},

    {"run", "quiet", LC_DECK_BOOL, "false", NULL, "Print errors only: no progress lines."},
    {"run", "log_json", LC_DECK_BOOL, "false", NULL,
     "Progress and log lines as one JSON object per line, for batch systems."},
};
const int lc_deck_schema_count = (int)(sizeof lc_deck_schema / sizeof lc_deck_schema[0]);
