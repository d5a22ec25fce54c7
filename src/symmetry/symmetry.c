#include "symmetry.h"

#include <spglib.h>
#include <stdlib.h>
#include <string.h>

#include "core/lattice.h"

lc_symmetry_options lc_symmetry_default_options(void) {
    lc_symmetry_options options = {.symprec = 1e-3, .angle_tolerance = -1.0};
    return options;
}

/* spglib keeps the cell vectors as columns; legocryst as rows. */
static void transpose(const double in[3][3], double out[3][3]) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) out[i][j] = in[j][i];
}

static void copy_trimmed(char *dst, size_t size, const char *src) {
    size_t n = strnlen(src, size - 1);
    while (n > 0 && src[n - 1] == ' ') n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int spglib_failure(lc_error *err, const lc_structure *s, const lc_symmetry_options *options) {
    return lc_error_set(err, s->name[0] ? s->name : "structure", 0, "spglib found no space group (symprec %g): %s",
                        options->symprec, spg_get_error_message(spg_get_error_code()));
}

int lc_symmetry_analyze(const lc_structure *s, const lc_symmetry_options *options, lc_symmetry_dataset *out,
                        lc_error *err) {
    memset(out, 0, sizeof *out);
    double columns[3][3];
    transpose(s->lattice, columns);
    SpglibDataset *d = spgat_get_dataset(columns, s->frac, s->species, s->n_atoms,
                                         options->symprec, options->angle_tolerance);
    if (!d) return spglib_failure(err, s, options);

    out->number = d->spacegroup_number;
    out->hall_number = d->hall_number;
    copy_trimmed(out->symbol, sizeof out->symbol, d->international_symbol);
    copy_trimmed(out->hall_symbol, sizeof out->hall_symbol, d->hall_symbol);
    copy_trimmed(out->pointgroup, sizeof out->pointgroup, d->pointgroup_symbol);

    out->n_operations = d->n_operations;
    out->rotations = lc_malloc(sizeof *out->rotations * (size_t)d->n_operations);
    out->translations = lc_malloc(sizeof *out->translations * (size_t)d->n_operations);
    memcpy(out->rotations, d->rotations, sizeof *out->rotations * (size_t)d->n_operations);
    memcpy(out->translations, d->translations, sizeof *out->translations * (size_t)d->n_operations);

    out->n_atoms = d->n_atoms;
    out->wyckoff_letters = lc_malloc((size_t)d->n_atoms + 1);
    out->site_symmetry = lc_malloc(sizeof *out->site_symmetry * (size_t)d->n_atoms);
    out->equivalent_atoms = lc_malloc(sizeof *out->equivalent_atoms * (size_t)d->n_atoms);
    for (int i = 0; i < d->n_atoms; i++) {
        out->wyckoff_letters[i] = (char)('a' + d->wyckoffs[i]);
        copy_trimmed(out->site_symmetry[i], sizeof out->site_symmetry[i], d->site_symmetry_symbols[i]);
        out->equivalent_atoms[i] = d->equivalent_atoms[i];
    }
    out->wyckoff_letters[d->n_atoms] = '\0';

    memcpy(out->transformation, d->transformation_matrix, sizeof out->transformation);
    memcpy(out->origin_shift, d->origin_shift, sizeof out->origin_shift);

    lc_structure_init(&out->standardized, d->n_std_atoms);
    transpose(d->std_lattice, out->standardized.lattice);
    for (int i = 0; i < d->n_std_atoms; i++) {
        out->standardized.species[i] = d->std_types[i];
        for (int k = 0; k < 3; k++) out->standardized.frac[i][k] = lc_wrap_unit(d->std_positions[i][k]);
    }
    memcpy(out->standardized.name, s->name, sizeof s->name);
    spg_free_dataset(d);
    return 0;
}

void lc_symmetry_dataset_free(lc_symmetry_dataset *d) {
    free(d->rotations);
    free(d->translations);
    free(d->wyckoff_letters);
    free(d->site_symmetry);
    free(d->equivalent_atoms);
    lc_structure_free(&d->standardized);
    memset(d, 0, sizeof *d);
}

int lc_symmetry_standardize(const lc_structure *s, int to_primitive, const lc_symmetry_options *options,
                            lc_structure *out, lc_error *err) {
    /* spglib writes the result in place; a conventional cell holds at most 4x the atoms of the input. */
    int capacity = 4 * (s->n_atoms > 0 ? s->n_atoms : 1);
    double columns[3][3];
    transpose(s->lattice, columns);
    double(*positions)[3] = lc_malloc(sizeof *positions * (size_t)capacity);
    int *types = lc_malloc(sizeof *types * (size_t)capacity);
    memcpy(positions, s->frac, sizeof *positions * (size_t)s->n_atoms);
    memcpy(types, s->species, sizeof *types * (size_t)s->n_atoms);
    int n = spgat_standardize_cell(columns, positions, types, s->n_atoms, to_primitive, 0, options->symprec,
                                   options->angle_tolerance);
    if (n <= 0) {
        free(positions);
        free(types);
        return spglib_failure(err, s, options);
    }
    lc_structure_init(out, n);
    transpose(columns, out->lattice);
    for (int i = 0; i < n; i++) {
        out->species[i] = types[i];
        for (int k = 0; k < 3; k++) out->frac[i][k] = lc_wrap_unit(positions[i][k]);
    }
    memcpy(out->name, s->name, sizeof s->name);
    free(positions);
    free(types);
    return 0;
}
