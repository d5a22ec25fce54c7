#include "crystal_params.h"

#include <math.h>
#include <string.h>

#include "core/lattice.h"

static const double degree = 3.14159265358979323846 / 180.0;

int lc_crystal_params_init(lc_crystal_params *cp, const lc_row *row, double *x) {
    memset(cp, 0, sizeof *cp);
    if (row->spacegroup < 1 || row->spacegroup > 230) return -1;
    cp->spacegroup = row->spacegroup;
    cp->table = lc_wyckoff_table_get(row->spacegroup);
    /* free cell parameters by lattice system (monoclinic: unique axis b) */
    static const int triclinic[] = {0, 1, 2, 3, 4, 5}, monoclinic[] = {0, 1, 2, 4}, orthorhombic[] = {0, 1, 2},
                     axial[] = {0, 2}, cubic[] = {0};
    const int *free = cubic;
    int n = lc_row_cell_freedom(row->spacegroup);
    if (n == 6) free = triclinic;
    else if (n == 4) free = monoclinic;
    else if (n == 3) free = orthorhombic;
    else if (n == 2) free = axial;
    cp->n_cell = n;
    double cell[6];
    lc_row_constrain_cell(row->spacegroup, row->cell, cell);
    for (int k = 0; k < n; k++) {
        cp->cell_index[k] = free[k];
        x[k] = cell[free[k]];
    }
    int p = n, atoms = 0;
    cp->n_sites = row->n_sites;
    for (int s = 0; s < row->n_sites; s++) {
        int index = row->sites[s].wyckoff_index;
        if (index < 0 || index >= cp->table->n_positions) return -1;
        const lc_wyckoff_position *w = &cp->table->positions[index];
        cp->site_position[s] = index;
        cp->site_species[s] = row->sites[s].species;
        cp->site_first_param[s] = p;
        cp->site_first_atom[s] = atoms;
        /* the free parameter k of a position is the coordinate param_axis[k] of its representative point */
        for (int k = 0; k < w->n_free; k++) x[p++] = row->sites[s].x[w->param_axis[k]];
        atoms += w->multiplicity;
    }
    cp->site_first_atom[row->n_sites] = atoms;
    cp->n_atoms = atoms;
    cp->n_params = p;
    return 0;
}

void lc_crystal_params_cell(const lc_crystal_params *cp, const double *x, double cell[6]) {
    double raw[6] = {0, 0, 0, 90, 90, 90};
    if (cp->spacegroup >= 143 && cp->spacegroup <= 194) raw[5] = 120;
    for (int k = 0; k < cp->n_cell; k++) raw[cp->cell_index[k]] = x[k];
    /* constrained lengths follow their free partner: b = a (tetragonal, hexagonal), b = c = a (cubic) */
    if (cp->n_cell <= 2) raw[1] = raw[0];
    if (cp->n_cell == 1) raw[2] = raw[0];
    memcpy(cell, raw, sizeof raw);
}

void lc_crystal_params_bounds(const lc_crystal_params *cp, double min_length, double max_length, double min_angle,
                              double max_angle, double *lower, double *upper) {
    for (int k = 0; k < cp->n_cell; k++) {
        int angle = cp->cell_index[k] >= 3;
        lower[k] = angle ? min_angle : min_length;
        upper[k] = angle ? max_angle : max_length;
    }
    for (int k = cp->n_cell; k < cp->n_params; k++) lower[k] = 0.0, upper[k] = 1.0;
}

static void site_point(const lc_crystal_params *cp, int s, const double *x, double point[3]) {
    const lc_wyckoff_position *w = &cp->table->positions[cp->site_position[s]];
    lc_wyckoff_point(w, x + cp->site_first_param[s], point);
}

int lc_crystal_params_structure(const lc_crystal_params *cp, const double *x, lc_structure *s) {
    double cell[6];
    lc_crystal_params_cell(cp, x, cell);
    lc_cell_parameters p = {cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]};
    if (lc_lattice_from_parameters(&p, s->lattice) != 0) return -1;
    s->n_atoms = 0;
    for (int site = 0; site < cp->n_sites; site++) {
        const lc_wyckoff_position *w = &cp->table->positions[cp->site_position[site]];
        double point[3];
        site_point(cp, site, x, point);
        for (int m = 0; m < w->multiplicity; m++) {
            int op = w->orbit_ops[m];
            double y[3];
            for (int i = 0; i < 3; i++) {
                double v = cp->table->translations[op][i];
                for (int j = 0; j < 3; j++) v += cp->table->rotations[op][i][j] * point[j];
                y[i] = lc_wrap_unit(v);
            }
            lc_structure_append(s, cp->site_species[site], y);
        }
    }
    return 0;
}

/* Rows of the standard orientation (lattice.h) and their derivatives with respect to the six cell parameters. */
static int lattice_and_derivative(const double cell[6], double lattice[3][3], double d[6][3][3]) {
    double a = cell[0], b = cell[1], c = cell[2];
    double ca = cos(cell[3] * degree), cb = cos(cell[4] * degree), cg = cos(cell[5] * degree);
    double sa = sin(cell[3] * degree), sb = sin(cell[4] * degree), sg = sin(cell[5] * degree);
    /* c vector: (c cb, c q, c w) with q = (ca - cb cg) / sg, w = sqrt(1 - cb^2 - q^2) */
    double q = (ca - cb * cg) / sg;
    double w2 = 1.0 - cb * cb - q * q;
    if (!(w2 > 0) || !(sg > 0)) return -1;
    double w = sqrt(w2);
    memset(lattice, 0, sizeof(double) * 9);
    memset(d, 0, sizeof(double) * 6 * 9);
    lattice[0][0] = a;
    lattice[1][0] = b * cg, lattice[1][1] = b * sg;
    lattice[2][0] = c * cb, lattice[2][1] = c * q, lattice[2][2] = c * w;
    /* lengths */
    d[0][0][0] = 1.0;
    d[1][1][0] = cg, d[1][1][1] = sg;
    d[2][2][0] = cb, d[2][2][1] = q, d[2][2][2] = w;
    /* angles (per degree): dq and dw by the chain rule */
    double dq_dalpha = -sa / sg;
    double dq_dbeta = sb * cg / sg;
    double dq_dgamma = (cb * sg * sg + (ca - cb * cg) * cg) / (sg * sg) * -1.0;
    /* q = (ca - cb cg)/sg: d/dgamma = (cb sg * sg - (ca - cb cg) cg) / sg^2 */
    dq_dgamma = (cb * sg * sg - (ca - cb * cg) * cg) / (sg * sg);
    double dw_dq = -q / w, dw_dcb = -cb / w;
    d[3][2][1] = c * dq_dalpha * degree;
    d[3][2][2] = c * dw_dq * dq_dalpha * degree;
    d[4][2][0] = -c * sb * degree;
    d[4][2][1] = c * dq_dbeta * degree;
    d[4][2][2] = c * (dw_dq * dq_dbeta + dw_dcb * -sb) * degree;
    d[5][1][0] = -b * sg * degree, d[5][1][1] = b * cg * degree;
    d[5][2][1] = c * dq_dgamma * degree;
    d[5][2][2] = c * dw_dq * dq_dgamma * degree;
    return 0;
}

int lc_crystal_params_lattice_derivative(const lc_crystal_params *cp, const double *x, double dlattice[][3][3]) {
    double cell[6], lattice[3][3], d[6][3][3];
    lc_crystal_params_cell(cp, x, cell);
    if (lattice_and_derivative(cell, lattice, d) != 0) return -1;
    for (int k = 0; k < cp->n_cell; k++) {
        int which = cp->cell_index[k];
        memcpy(dlattice[k], d[which], sizeof d[which]);
        /* a constrained length moves with its free partner */
        if (which == 0 && cp->n_cell <= 2)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) dlattice[k][i][j] += d[1][i][j] + (cp->n_cell == 1 ? d[2][i][j] : 0.0);
    }
    return 0;
}

int lc_crystal_params_frac_derivative(const lc_crystal_params *cp, int atom, double dfrac[3][3]) {
    int site = 0;
    while (site + 1 < cp->n_sites && atom >= cp->site_first_atom[site + 1]) site++;
    const lc_wyckoff_position *w = &cp->table->positions[cp->site_position[site]];
    int op = w->orbit_ops[atom - cp->site_first_atom[site]];
    /* frac = R (offset + sum_k u_k basis_k) + t  =>  d frac / d u_k = R basis_k */
    for (int k = 0; k < w->n_free; k++)
        for (int i = 0; i < 3; i++) {
            dfrac[k][i] = 0.0;
            for (int j = 0; j < 3; j++) dfrac[k][i] += cp->table->rotations[op][i][j] * w->basis[k][j];
        }
    return w->n_free;
}

void lc_crystal_params_row(const lc_crystal_params *cp, const double *x, lc_row *row) {
    memset(row, 0, sizeof *row);
    row->spacegroup = cp->spacegroup;
    lc_crystal_params_cell(cp, x, row->cell);
    row->n_sites = cp->n_sites;
    for (int s = 0; s < cp->n_sites; s++) {
        row->sites[s].wyckoff_index = cp->site_position[s];
        row->sites[s].species = cp->site_species[s];
        double point[3];
        site_point(cp, s, x, point);
        for (int i = 0; i < 3; i++) row->sites[s].x[i] = lc_wrap_unit(point[i]);
    }
}
