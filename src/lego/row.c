/* Crystal <-> LEGO-Cryst row. */
#include "row.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "symmetry/spacegroup.h"
#include "symmetry/symmetry.h"
#include "symmetry/wyckoff.h"

const char *lc_row_status_name(lc_row_status status) {
    static const char *names[LC_ROW_STATUS_COUNT] = {"ok", "bad space group", "bad Wyckoff index", "bad cell",
                                                     "no sites", "collapsed sites"};
    return status >= 0 && status < LC_ROW_STATUS_COUNT ? names[status] : "unknown status";
}

int lc_row_cell_freedom(int spacegroup) {
    if (spacegroup <= 2) return 6;
    if (spacegroup <= 15) return 4;
    if (spacegroup <= 74) return 3;
    if (spacegroup <= 194) return 2; /* tetragonal, trigonal (hexagonal axes), hexagonal */
    return 1;
}

void lc_row_constrain_cell(int spacegroup, const double in[6], double out[6]) {
    memcpy(out, in, sizeof(double) * 6);
    if (spacegroup <= 2) return;
    out[3] = out[5] = 90.0;
    if (spacegroup <= 15) return; /* monoclinic, unique axis b: beta free */
    out[4] = 90.0;
    if (spacegroup <= 74) return;
    if (spacegroup <= 194) {
        out[0] = out[1] = 0.5 * (in[0] + in[1]);
        if (spacegroup >= 143) out[5] = 120.0;
        return;
    }
    out[0] = out[1] = out[2] = (in[0] + in[1] + in[2]) / 3.0;
}

int lc_row_degrees_of_freedom(const lc_row *row) {
    const lc_wyckoff_table *table = lc_wyckoff_table_get(row->spacegroup);
    int dof = lc_row_cell_freedom(row->spacegroup);
    for (int s = 0; s < row->n_sites; s++) dof += table->positions[row->sites[s].wyckoff_index].n_free;
    return dof;
}

static void apply_op(const lc_wyckoff_table *t, int op, const double x[3], double y[3]) {
    for (int i = 0; i < 3; i++) {
        double v = t->translations[op][i];
        for (int j = 0; j < 3; j++) v += t->rotations[op][i][j] * x[j];
        y[i] = lc_wrap_unit(v);
    }
}

static int compare_sites(const void *pa, const void *pb) {
    const lc_row_site *a = pa, *b = pb;
    if (a->wyckoff_index != b->wyckoff_index) return a->wyckoff_index - b->wyckoff_index;
    if (a->species != b->species) return a->species - b->species;
    for (int i = 0; i < 3; i++)
        if (a->x[i] != b->x[i]) return a->x[i] < b->x[i] ? -1 : 1;
    return 0;
}

int lc_row_from_standard_cell(int spacegroup, const lc_structure *cell, double tolerance, lc_row *row, lc_error *err) {
    const char *where = cell->name[0] ? cell->name : "structure";
    const lc_wyckoff_table *table = lc_wyckoff_table_get(spacegroup);
    if (!table) return lc_error_set(err, where, 0, "space group %d is not in 1..230", spacegroup);
    memset(row, 0, sizeof *row);
    row->spacegroup = spacegroup;
    lc_cell_parameters p = lc_lattice_to_parameters(cell->lattice);
    row->cell[0] = p.a, row->cell[1] = p.b, row->cell[2] = p.c;
    row->cell[3] = p.alpha, row->cell[4] = p.beta, row->cell[5] = p.gamma;

    char *assigned = lc_calloc((size_t)cell->n_atoms, 1);
    int status = 0;
    for (int i = 0; i < cell->n_atoms && status == 0; i++) {
        if (assigned[i]) continue;
        if (row->n_sites == LC_ROW_MAX_SITES) {
            status = lc_error_set(err, where, 0, "more than %d Wyckoff sites", LC_ROW_MAX_SITES);
            break;
        }
        double u[3], point[3];
        int index = lc_wyckoff_locate(table, cell->lattice, cell->frac[i], tolerance, u);
        const lc_wyckoff_position *w = &table->positions[index];
        lc_wyckoff_point(w, u, point);
        /* every orbit member must be an atom of the same species */
        for (int m = 0; m < w->multiplicity && status == 0; m++) {
            double member[3];
            apply_op(table, w->orbit_ops[m], point, member);
            int found = -1;
            for (int j = 0; j < cell->n_atoms && found < 0; j++)
                if (!assigned[j] && cell->species[j] == cell->species[i] &&
                    lc_periodic_distance(cell->lattice, member, cell->frac[j], NULL) <= tolerance)
                    found = j;
            if (found < 0)
                status = lc_error_set(err, where, 0,
                                      "atom %d is not on a complete orbit of space group %d (position %d%c) within "
                                      "%g A",
                                      i + 1, spacegroup, w->multiplicity, w->letter, tolerance);
            else
                assigned[found] = 1;
        }
        lc_row_site *site = &row->sites[row->n_sites++];
        site->wyckoff_index = index;
        site->species = cell->species[i];
        for (int k = 0; k < 3; k++) site->x[k] = lc_wrap_unit(point[k]);
    }
    free(assigned);
    if (status != 0) return status;
    qsort(row->sites, (size_t)row->n_sites, sizeof row->sites[0], compare_sites);
    return 0;
}

int lc_row_from_structure(const lc_structure *s, double symprec, lc_row *row, lc_error *err) {
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = symprec;
    lc_symmetry_dataset d;
    if (lc_symmetry_analyze(s, &options, &d, err) != 0) return -1;
    int status = 0;
    if (d.hall_number != lc_spacegroup_hall_number(d.number))
        status = lc_error_set(err, s->name[0] ? s->name : "structure", 0,
                              "spglib standardised to Hall setting %d, not the standard %d", d.hall_number,
                              lc_spacegroup_hall_number(d.number));
    else
        status = lc_row_from_standard_cell(d.number, &d.standardized, 10.0 * symprec, row, err);
    lc_symmetry_dataset_free(&d);
    return status;
}

void lc_row_to_array(const lc_row *row, int max_sites, double *out) {
    out[0] = row->spacegroup;
    for (int k = 0; k < 6; k++) out[1 + k] = row->cell[k];
    for (int s = 0; s < max_sites; s++) {
        double *slot = out + LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * s;
        if (s < row->n_sites) {
            slot[0] = row->sites[s].wyckoff_index;
            for (int k = 0; k < 3; k++) slot[1 + k] = lc_wrap_unit(row->sites[s].x[k]);
        } else {
            slot[0] = slot[1] = slot[2] = slot[3] = -1.0;
        }
    }
}

static int as_integer(double v, int *out) {
    if (!isfinite(v) || fabs(v - nearbyint(v)) > 1e-6 || fabs(v) > 1e6) return -1;
    *out = (int)nearbyint(v);
    return 0;
}

lc_row_status lc_row_from_array(const double *in, int max_sites, int species, lc_row *row) {
    memset(row, 0, sizeof *row);
    if (as_integer(in[0], &row->spacegroup) != 0 || row->spacegroup < 1 || row->spacegroup > 230)
        return LC_ROW_BAD_GROUP;
    const lc_wyckoff_table *table = lc_wyckoff_table_get(row->spacegroup);
    for (int k = 0; k < 6; k++) row->cell[k] = in[1 + k];
    for (int s = 0; s < max_sites && s < LC_ROW_MAX_SITES; s++) {
        const double *slot = in + LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * s;
        int index = 0;
        if (as_integer(slot[0], &index) != 0) return LC_ROW_BAD_WYCKOFF;
        if (index < 0) continue; /* unused slot */
        if (index >= table->n_positions) return LC_ROW_BAD_WYCKOFF;
        lc_row_site *site = &row->sites[row->n_sites++];
        site->wyckoff_index = index;
        site->species = species;
        for (int k = 0; k < 3; k++) site->x[k] = slot[1 + k];
    }
    return row->n_sites ? LC_ROW_OK : LC_ROW_NO_SITES;
}

/* Periodic distances in one cell, its reduction done once (lc_periodic_distance reduces on every call): the
 * difference shortened in the reduced basis, then the images a reduced basis can still hold checked. */
typedef struct {
    double lattice[3][3], reduced[3][3], reduced_recip[3][3], recip_len[3];
} periodic_metric;

static void periodic_metric_init(periodic_metric *m, const double lattice[3][3]) {
    memcpy(m->lattice, lattice, sizeof m->lattice);
    lc_lattice_reduce(lattice, m->reduced, NULL);
    lc_lattice_reciprocal(m->reduced, m->reduced_recip);
    for (int k = 0; k < 3; k++)
        m->recip_len[k] = sqrt(m->reduced_recip[k][0] * m->reduced_recip[k][0] +
                               m->reduced_recip[k][1] * m->reduced_recip[k][1] +
                               m->reduced_recip[k][2] * m->reduced_recip[k][2]);
}

static double periodic_distance(const periodic_metric *m, const double f1[3], const double f2[3]) {
    double df[3], r[3], g[3], v[3];
    for (int k = 0; k < 3; k++) df[k] = (f2[k] - f1[k]) - nearbyint(f2[k] - f1[k]);
    lc_frac_to_cart(m->lattice, df, r);
    lc_cart_to_frac(m->reduced_recip, r, g);
    for (int k = 0; k < 3; k++) g[k] -= nearbyint(g[k]);
    lc_frac_to_cart(m->reduced, g, v);
    double best2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    double reach = sqrt(best2) * (1.0 + 1e-12) + 1e-300;
    int lo[3], hi[3];
    for (int k = 0; k < 3; k++) {
        lo[k] = (int)ceil(-g[k] - reach * m->recip_len[k]);
        hi[k] = (int)floor(-g[k] + reach * m->recip_len[k]);
    }
    for (int n0 = lo[0]; n0 <= hi[0]; n0++)
        for (int n1 = lo[1]; n1 <= hi[1]; n1++)
            for (int n2 = lo[2]; n2 <= hi[2]; n2++) {
                if (n0 == 0 && n1 == 0 && n2 == 0) continue;
                double h[3] = {g[0] + n0, g[1] + n1, g[2] + n2};
                lc_frac_to_cart(m->reduced, h, v);
                double len2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
                if (len2 < best2) best2 = len2;
            }
    return sqrt(best2);
}

/* Shortest distance from the point to another member of its orbit under position w (INFINITY for a
 * multiplicity of 1). An orbit is homogeneous, so the representative's distances are every member's. */
static double orbit_gap(const lc_wyckoff_table *t, const lc_wyckoff_position *w, const periodic_metric *m,
                        const double point[3]) {
    double gap = INFINITY;
    for (int k = 1; k < w->multiplicity; k++) {
        double member[3];
        apply_op(t, w->orbit_ops[k], point, member);
        double d = periodic_distance(m, point, member);
        if (d < gap) gap = d;
    }
    return gap;
}

/* Step 1 of lc_row_decode's snapping: the site on position `index` at `point` (on the representative) collapses
 * when its orbit has two members closer than merge; then it moves to the nearest point within merge of a
 * position of lower multiplicity (higher site symmetry) whose orbit there has no such pair. Candidates are
 * the group's positions in table order (general first), the first of equal distances wins, so a tie keeps the
 * higher multiplicity. Returns the site's position index and updates point; both unchanged when no position
 * fits. */
static int snap_site(const lc_wyckoff_table *t, int index, const double lattice[3][3], const periodic_metric *m,
                     double merge, double point[3]) {
    const lc_wyckoff_position *w = &t->positions[index];
    if (!(orbit_gap(t, w, m, point) < merge)) return index;
    int best = index;
    double best_distance = INFINITY, best_point[3];
    for (int i = 0; i < t->n_positions; i++) {
        const lc_wyckoff_position *v = &t->positions[i];
        if (v->multiplicity >= w->multiplicity) continue;
        double u[3], q[3];
        double d = lc_wyckoff_project(t, v, lattice, point, u);
        if (!(d <= merge) || !(d < best_distance)) continue;
        lc_wyckoff_point(v, u, q);
        if (orbit_gap(t, v, m, q) < merge) continue;
        best = i, best_distance = d;
        memcpy(best_point, q, sizeof q);
    }
    if (best != index) memcpy(point, best_point, sizeof best_point);
    return best;
}

/* Union-find root with path halving. */
static int root_of(int *parent, int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

lc_row_status lc_row_decode(const lc_row *row, const lc_row_decode_options *options, lc_structure *out,
                            lc_row *projected) {
    lc_structure_init(out, 0);
    if (row->spacegroup < 1 || row->spacegroup > 230) return LC_ROW_BAD_GROUP;
    if (row->n_sites == 0) return LC_ROW_NO_SITES;
    const lc_wyckoff_table *table = lc_wyckoff_table_get(row->spacegroup);
    for (int s = 0; s < row->n_sites; s++)
        if (row->sites[s].wyckoff_index < 0 || row->sites[s].wyckoff_index >= table->n_positions)
            return LC_ROW_BAD_WYCKOFF;
    double cell[6];
    lc_row_constrain_cell(row->spacegroup, row->cell, cell);
    for (int k = 0; k < 6; k++)
        if (!isfinite(cell[k]) || cell[k] <= 0.0 || (k >= 3 && cell[k] >= 180.0)) return LC_ROW_BAD_CELL;
    lc_cell_parameters params = {cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]};
    if (lc_lattice_from_parameters(&params, out->lattice) != 0) return LC_ROW_BAD_CELL;
    /* Beyond these the cell is no crystal, and the neighbour list behind the merge cannot be built (planes
     * 1e-9 A apart put 10^8 images within the merge distance; 1e300 A overflows). */
    double reciprocal[3][3];
    lc_lattice_reciprocal(out->lattice, reciprocal);
    for (int k = 0; k < 3; k++) {
        double spacing = 1.0 / sqrt(reciprocal[k][0] * reciprocal[k][0] + reciprocal[k][1] * reciprocal[k][1] +
                                    reciprocal[k][2] * reciprocal[k][2]);
        if (!(cell[k] <= LC_ROW_MAX_LENGTH) || !(spacing >= LC_ROW_MIN_SPACING)) return LC_ROW_BAD_CELL;
    }

    if (projected) {
        *projected = *row;
        memcpy(projected->cell, cell, sizeof cell);
        projected->n_sites = 0;
    }
    int snap = options->snap_special && options->merge_distance > 0;
    periodic_metric metric;
    if (snap) periodic_metric_init(&metric, out->lattice);
    for (int s = 0; s < row->n_sites; s++) {
        int index = row->sites[s].wyckoff_index;
        double x[3], u[3], point[3];
        for (int k = 0; k < 3; k++) x[k] = isfinite(row->sites[s].x[k]) ? row->sites[s].x[k] : 0.0;
        lc_wyckoff_project(table, &table->positions[index], out->lattice, x, u);
        lc_wyckoff_point(&table->positions[index], u, point);
        if (snap) {
            index = snap_site(table, index, out->lattice, &metric, options->merge_distance, point);
            /* an atom of this orbit on one of an earlier site: the orbits coincide, keep the earlier */
            int coincides = 0;
            for (int a = 0; a < out->n_atoms && !coincides; a++)
                coincides = periodic_distance(&metric, point, out->frac[a]) < options->merge_distance;
            if (coincides) continue;
        }
        const lc_wyckoff_position *w = &table->positions[index];
        if (projected) {
            lc_row_site *site = &projected->sites[projected->n_sites++];
            *site = row->sites[s];
            site->wyckoff_index = index;
            for (int k = 0; k < 3; k++) site->x[k] = lc_wrap_unit(point[k]);
        }
        for (int m = 0; m < w->multiplicity; m++) {
            double member[3];
            apply_op(table, w->orbit_ops[m], point, member);
            lc_structure_append(out, row->sites[s].species, member);
        }
    }

    /* Atoms closer than the merge distance: keep one of each cluster. */
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, out, options->merge_distance);
    lc_row_status status = LC_ROW_OK;
    if (nl.n_pairs > 0) {
        status = LC_ROW_COLLAPSED;
        int *parent = lc_malloc(sizeof *parent * (size_t)out->n_atoms);
        for (int i = 0; i < out->n_atoms; i++) parent[i] = i;
        for (int i = 0; i < out->n_atoms; i++)
            for (int e = nl.offsets[i]; e < nl.offsets[i + 1]; e++) {
                int a = root_of(parent, i), b = root_of(parent, nl.index[e]);
                if (a != b) parent[a > b ? a : b] = a < b ? a : b;
            }
        int kept = 0;
        for (int i = 0; i < out->n_atoms; i++) {
            if (root_of(parent, i) != i) continue;
            out->species[kept] = out->species[i];
            memcpy(out->frac[kept], out->frac[i], sizeof out->frac[i]);
            kept++;
        }
        out->n_atoms = kept;
        free(parent);
    }
    lc_neighbor_list_free(&nl);
    return status;
}
