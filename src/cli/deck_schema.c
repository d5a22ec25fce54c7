/* Every section and key of the input deck. `legocryst help deck` and docs/deck.md are generated from this table,
 * so a key's documentation lives here and nowhere else. Adding a key is one line; a test checks that every
 * default is valid for its type and range. */
#include "deck.h"

const lc_deck_section lc_deck_sections[] = {
    {"prepare", "Known structures -> training set (`legocryst prepare`): source, filters, augmentation limits, "
                "encoder, seed, output."},
    {"relax", "Rows -> locally optimised candidates (`legocryst relax`): input, optimiser, validity, output."},
    {"train", "Training set -> generative model (`legocryst train`): model, optimisation, checkpoints, metrics."},
    {"sample", "Model -> rows (`legocryst sample`): how many, decoded and written to HDF5."},
    {"campaign", "Model -> sampled, relaxed, validated and deduplicated candidates over all ranks (`legocryst "
                 "campaign`): size, work chunks, checkpoints, output. Rows come from [sample] checkpoint and seed, "
                 "relaxation and validity follow [relax]."},
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
    {"relax", "restarts", LC_DECK_INT, "0", "[0, inf)",
     "When the end point is not valid, solve again from the row's cell with every free coordinate displaced "
     "(restart_displacement), up to this many times; the first valid end point is kept, else the lowest objective."},
    {"relax", "restart_displacement", LC_DECK_DOUBLE, "0.1", "(0, inf)",
     "Restarts: width of the normal displacement of each free Wyckoff coordinate (fractional)."},
    {"relax", "min_length", LC_DECK_DOUBLE, "1.5", "(0, inf)", "Lower bound of the cell lengths, Angstrom."},
    {"relax", "max_length", LC_DECK_DOUBLE, "50", "(0, inf)", "Upper bound of the cell lengths, Angstrom."},
    {"relax", "min_angle", LC_DECK_DOUBLE, "30", "(0, 180)", "Lower bound of the cell angles, degrees."},
    {"relax", "max_angle", LC_DECK_DOUBLE, "150", "(0, 180)", "Upper bound of the cell angles, degrees."},
    {"relax", "merge_distance", LC_DECK_DOUBLE, "0.5", "[0, inf)",
     "Rows whose atoms come closer than this when decoded are reported undecodable (collapsed)."},
    {"relax", "snap_special", LC_DECK_BOOL, "true", NULL,
     "Decoding: a site whose orbit images come closer than merge_distance moves onto the nearest special Wyckoff "
     "position (lower multiplicity) that makes its orbit exact, and a site coinciding with an earlier one is "
     "dropped (docs/lego-rows.md); false: such rows are collapsed."},
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
    {"relax", "match_site_tolerance", LC_DECK_DOUBLE, "0.3", "(0, inf)",
     "Dedup: largest displacement of an atom from its partner, a fraction of (V/N)^(1/3) (pymatgen stol)."},
    {"relax", "match_length_tolerance", LC_DECK_DOUBLE, "0.2", "(0, 1)",
     "Dedup: reduced cell lengths agree within this ratio, 1 + ltol (pymatgen ltol)."},
    {"relax", "match_angle_tolerance", LC_DECK_DOUBLE, "5", "(0, 90)",
     "Dedup: reduced cell angles agree within this, degrees (pymatgen angle_tol)."},
    {"relax", "match_density_tolerance", LC_DECK_DOUBLE, "0", "[0, inf)",
     "Dedup: candidates whose densities differ by more than this fraction are different crystals without matching "
     "(LEGO-Cryst splits by density before matching); 0: off. Bounds the matcher's work in large campaigns."},
    {"relax", "match_scale", LC_DECK_BOOL, "true", NULL,
     "Dedup: compare cells scaled to equal volume (pymatgen scale, LEGO-Cryst's default)."},

    {"train", "training_set", LC_DECK_PATH, "", NULL, "Required. The training set written by `legocryst prepare`."},
    {"train", "model", LC_DECK_CHOICE, "vae", "vae|gan|transformer",
     "vae: TVAE-style VAE; gan: CTGAN-style WGAN-GP (docs/models.md); transformer: autoregressive over the row's "
     "columns (docs/transformer.md)."},
    {"train", "epochs", LC_DECK_INT, "100", "[1, inf)", "Passes over the training rows (each epoch in a new order)."},
    {"train", "batch", LC_DECK_INT, "500", "[10, inf)",
     "Global batch: rows per optimiser step over all ranks (the GAN needs a multiple of 10 x ranks)."},
    {"train", "hidden", LC_DECK_INT, "512", "[1, inf)", "Width of the hidden layers."},
    {"train", "latent", LC_DECK_INT, "128", "[1, inf)", "Latent (VAE) or noise (GAN) dimension."},
    {"train", "layers", LC_DECK_INT, "4", "[1, 20]", "Transformer blocks (pre-LN attention + MLP)."},
    {"train", "heads", LC_DECK_INT, "4", "[1, inf)", "Transformer attention heads (must divide width)."},
    {"train", "width", LC_DECK_INT, "128", "[1, inf)", "Transformer model width (token embedding dimension)."},
    {"train", "prior_components", LC_DECK_INT, "30", "[0, 1000]",
     "VAE: at every checkpoint a Gaussian mixture of this many components (diagonal covariances) is fitted to where "
     "the encoder puts the training rows, and `sample` draws the latent from it (docs/models.md); 0: N(0, I), TVAE's "
     "prior."},
    {"train", "learning_rate", LC_DECK_DOUBLE, "0", "[0, 1]",
     "Adam learning rate; 0: the model's default (VAE 1e-3, GAN 2e-4, Transformer 1e-3)."},
    {"train", "seed", LC_DECK_INT, "2026", "[0, inf)",
     "Initial weights, data order and every random draw: the same seed gives the same run on any number of ranks."},
    {"train", "checkpoint", LC_DECK_PATH, "model.h5", NULL, "Checkpoint written every checkpoint_every epochs and at the end."},
    {"train", "checkpoint_every", LC_DECK_INT, "10", "[1, inf)", "Epochs between checkpoints."},
    {"train", "resume", LC_DECK_BOOL, "false", NULL,
     "Continue from the checkpoint file (weights, optimiser state, epoch); the run goes on as if never stopped."},
    {"train", "metrics", LC_DECK_PATH, "metrics.csv", NULL,
     "Per-epoch metrics: losses, seconds, rows per second (plot with scripts/plot_metrics.py)."},
    {"train", "blas_threads", LC_DECK_INT, "0", "[0, inf)", "OpenBLAS threads per rank; 0: OpenBLAS's default."},

    {"sample", "checkpoint", LC_DECK_PATH, "model.h5", NULL, "Required. A checkpoint written by `legocryst train`."},
    {"sample", "rows", LC_DECK_INT, "10000", "[1, inf)", "How many rows to draw (spread over the ranks)."},
    {"sample", "seed", LC_DECK_INT, "1", "[0, inf)", "Sampling round: row i depends only on the model, this seed and i."},
    {"sample", "species", LC_DECK_INT, "6", "[1, 118]", "Atomic number of the single species of the rows."},
    {"sample", "merge_distance", LC_DECK_DOUBLE, "0.5", "[0, inf)",
     "Rows whose atoms come closer than this when decoded are not decodable (collapsed sites)."},
    {"sample", "snap_special", LC_DECK_BOOL, "true", NULL,
     "Decoding: a site whose orbit images come closer than merge_distance moves onto the nearest special Wyckoff "
     "position (lower multiplicity) that makes its orbit exact, and a site coinciding with an earlier one is "
     "dropped (docs/lego-rows.md); false: such rows are collapsed."},
    {"sample", "training_set", LC_DECK_PATH, "", NULL,
     "Optional: a training set to compare the space-group histogram with (total-variation distance)."},
    {"sample", "output", LC_DECK_PATH, "samples.h5", NULL, "The sampled rows (HDF5 /rows, /decodable, /row_status)."},

    {"campaign", "candidates", LC_DECK_INT, "100000", "[1, inf)",
     "Candidates 0 .. N-1; candidate i is row i of the model at [sample] seed, relaxed: the same on any number of "
     "ranks and after a resume."},
    {"campaign", "chunk", LC_DECK_INT, "16", "[1, inf)",
     "Candidates a rank takes from the shared counter at a time (dynamic load balance)."},
    {"campaign", "segment_candidates", LC_DECK_INT, "2000", "[1, inf)",
     "A rank saves its finished candidates to a segment file (the checkpoint) after this many..."},
    {"campaign", "segment_seconds", LC_DECK_DOUBLE, "300", "(0, inf)", "...or after this many seconds."},
    {"campaign", "grace_seconds", LC_DECK_DOUBLE, "60", "(0, inf)",
     "After SIGTERM (Slurm: --signal or the time limit; KillWait) the run saves and exits within this time: "
     "candidates still running after half of it are cancelled and redone on --resume."},
    {"campaign", "best", LC_DECK_INT, "10", "[0, inf)",
     "The summary lists this many lowest-objective unique candidates and writes them as CIF files."},
    {"campaign", "best_folder", LC_DECK_PATH, "", NULL,
     "Where the best candidates' CIF files go; empty: the output's name without .h5, plus _best."},
    {"campaign", "output", LC_DECK_PATH, "campaign.h5", NULL,
     "The candidate database (docs/candidate-database.md). While the campaign runs, its checkpoints are in "
     "OUTPUT.segments/."},

    {"run", "quiet", LC_DECK_BOOL, "false", NULL, "Print errors only: no progress lines."},
    {"run", "log_json", LC_DECK_BOOL, "false", NULL,
     "Progress and log lines as one JSON object per line, for batch systems."},
};
const int lc_deck_schema_count = (int)(sizeof lc_deck_schema / sizeof lc_deck_schema[0]);
