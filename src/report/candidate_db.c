#include "candidate_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mpi/h5_parallel.h"

void lc_candidate_db_free(lc_candidate_db *db) {
    free(db->id), free(db->status), free(db->spacegroup_relaxed), free(db->dimensionality), free(db->n_atoms);
    free(db->atom_offset), free(db->objective), free(db->density), free(db->lattice), free(db->species);
    free(db->frac);
    memset(db, 0, sizeof *db);
}

int lc_candidate_db_read(const char *path, int with_structures, lc_candidate_db *db, lc_error *err) {
    memset(db, 0, sizeof *db);
    char *kind = NULL;
    if (lc_h5_read_attr_string(path, "/", "kind", &kind, err) != 0) return -1;
    int ours = strcmp(kind, "candidate-database") == 0;
    free(kind);
    if (!ours) return lc_error_set(err, path, 0, "not a candidate database (kind is not candidate-database)");
    long dims[2], atom_dims[2];
    if (lc_h5_dataset_shape(path, "candidates/status", dims, err) != 0 ||
        lc_h5_dataset_shape(path, "atoms/species", atom_dims, err) != 0)
        return -1;
    long n = dims[0], m = atom_dims[0];
    size_t rows = (size_t)(n ? n : 1);
    db->n = n;
    db->id = lc_malloc(sizeof *db->id * rows);
    db->status = lc_malloc(sizeof *db->status * rows);
    db->spacegroup_relaxed = lc_malloc(sizeof *db->spacegroup_relaxed * rows);
    db->dimensionality = lc_malloc(sizeof *db->dimensionality * rows);
    db->n_atoms = lc_malloc(sizeof *db->n_atoms * rows);
    db->atom_offset = lc_malloc(sizeof *db->atom_offset * rows);
    db->objective = lc_malloc(sizeof *db->objective * 2 * rows);
    db->density = lc_malloc(sizeof *db->density * rows);
    if (n > 0 &&
        (lc_h5_read_rows_i64(path, "candidates/id", 0, n, 1, db->id, err) != 0 ||
         lc_h5_read_rows_i32(path, "candidates/status", 0, n, 1, db->status, err) != 0 ||
         lc_h5_read_rows_i32(path, "candidates/spacegroup_relaxed", 0, n, 1, db->spacegroup_relaxed, err) != 0 ||
         lc_h5_read_rows_i32(path, "candidates/dimensionality", 0, n, 1, db->dimensionality, err) != 0 ||
         lc_h5_read_rows_i32(path, "candidates/n_atoms", 0, n, 1, db->n_atoms, err) != 0 ||
         lc_h5_read_rows_i64(path, "candidates/atom_offset", 0, n, 1, db->atom_offset, err) != 0 ||
         lc_h5_read_rows_f64(path, "candidates/objective", 0, n, 2, db->objective, err) != 0 ||
         lc_h5_read_rows_f64(path, "candidates/density", 0, n, 1, db->density, err) != 0))
        return -1;
    /* a corrupt offset must not read past the atoms */
    for (long k = 0; k < n; k++)
        if (db->n_atoms[k] < 0 || db->atom_offset[k] < 0 || db->atom_offset[k] + db->n_atoms[k] > m)
            return lc_error_set(err, path, 0, "candidate %ld: atoms %lld + %d outside /atoms (%ld rows)", k,
                                db->atom_offset[k], db->n_atoms[k], m);
    if (!with_structures) return 0;
    size_t atoms = (size_t)(m ? m : 1);
    db->n_atoms_total = m;
    db->lattice = lc_malloc(sizeof *db->lattice * 9 * rows);
    db->species = lc_malloc(sizeof *db->species * atoms);
    db->frac = lc_malloc(sizeof *db->frac * 3 * atoms);
    if (n > 0 && lc_h5_read_rows_f64(path, "candidates/lattice", 0, n, 9, db->lattice, err) != 0) return -1;
    if (m > 0 && (lc_h5_read_rows_i32(path, "atoms/species", 0, m, 1, db->species, err) != 0 ||
                  lc_h5_read_rows_f64(path, "atoms/frac", 0, m, 3, db->frac, err) != 0))
        return -1;
    return 0;
}

void lc_candidate_db_structure(const lc_candidate_db *db, long k, lc_structure *out) {
    if (!db->lattice || k < 0 || k >= db->n)
        lc_fatal("candidate %ld of %ld, structures read: %d", k, db->n, db->lattice != NULL);
    lc_structure_init(out, db->n_atoms[k]);
    memcpy(out->lattice, db->lattice + 9 * k, sizeof out->lattice);
    memcpy(out->species, db->species + db->atom_offset[k], sizeof *out->species * (size_t)db->n_atoms[k]);
    memcpy(out->frac, db->frac + 3 * db->atom_offset[k], sizeof *out->frac * (size_t)db->n_atoms[k]);
    snprintf(out->name, sizeof out->name, "%lld_sg%d", db->id[k], db->spacegroup_relaxed[k]);
}

int lc_candidate_db_export(const lc_candidate_db *db, const long *which, long count, const char *folder,
                           lc_file_format format, lc_error *err) {
    if (mkdir(folder, 0777) != 0 && errno != EEXIST)
        return lc_error_set(err, folder, 0, "cannot create folder: %s", strerror(errno));
    const char *ext = format == LC_FORMAT_CIF ? "cif" : format == LC_FORMAT_POSCAR ? "vasp" : "xyz";
    int status = 0;
    for (long i = 0; i < count && status == 0; i++) {
        lc_structure s;
        lc_candidate_db_structure(db, which[i], &s);
        size_t length = strlen(folder) + strlen(s.name) + 16;
        char *path = lc_malloc(length);
        snprintf(path, length, "%s/%s.%s", folder, s.name, ext);
        status = lc_structure_write(path, format, &s, err);
        free(path);
        lc_structure_free(&s);
    }
    return status;
}
