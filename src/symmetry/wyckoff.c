/* Derivation of Wyckoff positions from a space group's operations.
 *
 * Every point p has a site-symmetry group S(p) (the operations that fix it modulo lattice translations); the
 * points fixed by S(p) form an affine subspace F(p) = p + null(stack of (R - I) over S(p)), and p is a generic
 * point of it. Two points belong to the same Wyckoff position exactly when their site-symmetry groups are
 * conjugate, i.e. when one's subspace is the image of the other's under an operation of the group. So a
 * position is a class of subspaces, and visiting enough points finds every class.
 *
 * All translations of the 230 standard settings are multiples of 1/24, so the grid (Z/24)^3 is mapped onto
 * itself by every operation and the search runs in exact integer arithmetic; every Wyckoff position of the
 * standard settings contains points of that grid (the 1731 positions found confirm it, see the test). */
#include "wyckoff.h"

#include <math.h>
#include <spglib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/lattice.h"
#include "core/rng.h"

enum { GRID = 24, GRID_POINTS = GRID * GRID * GRID, MAX_POSITIONS = 32 };

typedef struct {
    int n_ops;
    int rotations[LC_MAX_OPERATIONS][3][3];
    int shifts[LC_MAX_OPERATIONS][3]; /* translations in units of 1/GRID */
} grid_group;

static int grid_index(const int p[3]) { return (p[0] * GRID + p[1]) * GRID + p[2]; }

static int wrap_grid(int v) { return ((v % GRID) + GRID) % GRID; }

/* Image of grid point p under operation op, wrapped into the cell; raw (unwrapped) image in image_raw. */
static void apply_grid(const grid_group *g, int op, const int p[3], int image[3], int image_raw[3]) {
    for (int i = 0; i < 3; i++) {
        int v = g->shifts[op][i];
        for (int j = 0; j < 3; j++) v += g->rotations[op][i][j] * p[j];
        image_raw[i] = v;
        image[i] = wrap_grid(v);
    }
}

/* Reduced row echelon form of the constraints (R - I) x = ... for the operations in stab, pivoting from the
 * last coordinate so that the free parameters are the first coordinates (x before y before z), which makes
 * representatives read like the International Tables: (x, 2x, z) rather than (y/2, y, z). Returns the number of
 * free parameters and fills their axes and basis vectors (basis[k] has 1 at axis[k], 0 at the other free axes). */
static int fixed_subspace(const grid_group *g, const int *stab, int n_stab, int axis[3], double basis[3][3]) {
    double rows[3 * LC_MAX_OPERATIONS][3];
    int n_rows = 0;
    for (int s = 0; s < n_stab; s++)
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) rows[n_rows][j] = g->rotations[stab[s]][i][j] - (i == j);
            n_rows++;
        }
    int pivot_of_column[3] = {-1, -1, -1};
    int rank = 0;
    for (int col = 2; col >= 0 && rank < n_rows; col--) {
        int best = -1;
        for (int r = rank; r < n_rows; r++)
            if (fabs(rows[r][col]) > 1e-9 && (best < 0 || fabs(rows[r][col]) > fabs(rows[best][col]))) best = r;
        if (best < 0) continue;
        for (int j = 0; j < 3; j++) {
            double t = rows[rank][j];
            rows[rank][j] = rows[best][j];
            rows[best][j] = t;
        }
        double lead = rows[rank][col];
        for (int j = 0; j < 3; j++) rows[rank][j] /= lead;
        for (int r = 0; r < n_rows; r++) {
            if (r == rank || fabs(rows[r][col]) < 1e-12) continue;
            double f = rows[r][col];
            for (int j = 0; j < 3; j++) rows[r][j] -= f * rows[rank][j];
        }
        pivot_of_column[col] = rank++;
    }
    int n_free = 0;
    for (int col = 0; col < 3; col++) {
        if (pivot_of_column[col] >= 0) continue;
        axis[n_free] = col;
        for (int j = 0; j < 3; j++) {
            if (j == col) basis[n_free][j] = 1.0;
            else if (pivot_of_column[j] >= 0) basis[n_free][j] = -rows[pivot_of_column[j]][col];
            else basis[n_free][j] = 0.0;
        }
        n_free++;
    }
    return n_free;
}

static double nearest_integer_distance(double v) { return fabs(v - nearbyint(v)); }

/* Is fractional point q on the subspace (offset + span basis) modulo lattice translations? */
static int on_subspace_mod_lattice(const lc_wyckoff_position *w, const double q[3]) {
    double diff[3];
    for (int i = 0; i < 3; i++) diff[i] = q[i] - w->offset[i];
    /* The free coordinates absorb any lattice shift along themselves up to the denominators of the basis
     * (at most 6 in the standard settings); try those shifts and require an integer residual elsewhere. */
    int span = w->n_free ? 7 : 1;
    int total = 1;
    for (int k = 0; k < w->n_free; k++) total *= span;
    for (int code = 0; code < total; code++) {
        double r[3] = {diff[0], diff[1], diff[2]};
        int c = code;
        for (int k = 0; k < w->n_free; k++) {
            double u = diff[w->param_axis[k]] + (c % span) - 3;
            c /= span;
            for (int i = 0; i < 3; i++) r[i] -= u * w->basis[k][i];
        }
        if (nearest_integer_distance(r[0]) < 1e-9 && nearest_integer_distance(r[1]) < 1e-9 &&
            nearest_integer_distance(r[2]) < 1e-9)
            return 1;
    }
    return 0;
}

/* A cell whose metric adds no symmetry beyond the crystal system's holohedry. */
static void generic_lattice(int number, double lattice[3][3]) {
    lc_cell_parameters p = {4.1, 5.3, 6.2, 90, 90, 90};
    if (number <= 2) p = (lc_cell_parameters){4.1, 5.3, 6.2, 78.0, 83.0, 71.0};
    else if (number <= 15) p.beta = 101.0;
    else if (number <= 74) { /* orthorhombic: defaults */
    } else if (number <= 142) p.b = p.a;
    else if (number <= 194) p = (lc_cell_parameters){4.1, 4.1, 6.2, 90, 90, 120};
    else p = (lc_cell_parameters){5.3, 5.3, 5.3, 90, 90, 90};
    lc_lattice_from_parameters(&p, lattice);
}

static void apply_op(const lc_wyckoff_table *t, int op, const double x[3], double y[3]) {
    for (int i = 0; i < 3; i++) {
        double v = t->translations[op][i];
        for (int j = 0; j < 3; j++) v += t->rotations[op][i][j] * x[j];
        y[i] = lc_wrap_unit(v);
    }
}

/* Names a position the way the International Tables do, by letting spglib identify a generic point of it in a
 * structure that has exactly the group's symmetry: the position on carbon plus two general orbits of other
 * species that remove any extra symmetry. Accepted only when spglib keeps our cell and origin, so that its
 * letter refers to our subspace and not to an image of it under the group's normalizer. */
static int name_position(const lc_wyckoff_table *t, int index, lc_wyckoff_position *w) {
    const lc_wyckoff_position *general = &t->positions[0];
    double lattice[3][3], columns[3][3];
    generic_lattice(t->spacegroup.number, lattice);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) columns[i][j] = lattice[j][i];
    int n_max = w->multiplicity + 2 * t->n_operations;
    double(*positions)[3] = lc_malloc(sizeof *positions * (size_t)n_max);
    int *types = lc_malloc(sizeof *types * (size_t)n_max);
    int named = 0;
    for (int attempt = 0; attempt < 200 && !named; attempt++) {
        lc_rng rng;
        lc_rng_init(&rng, 0x57C0FFu, (uint32_t)t->spacegroup.number, (uint64_t)(index * 1000 + attempt));
        int n = 0;
        double u[3], x[3];
        for (int k = 0; k < 3; k++) u[k] = 0.05 + 0.9 * lc_rng_uniform(&rng);
        lc_wyckoff_point(w, u, x);
        for (int m = 0; m < w->multiplicity; m++, n++) {
            apply_op(t, w->orbit_ops[m], x, positions[n]);
            types[n] = 6;
        }
        for (int filler = 0; filler < 2; filler++) {
            for (int k = 0; k < 3; k++) x[k] = lc_rng_uniform(&rng);
            for (int m = 0; m < general->multiplicity; m++, n++) {
                apply_op(t, general->orbit_ops[m], x, positions[n]);
                types[n] = 14 + filler;
            }
        }
        SpglibDataset *d = spg_get_dataset(columns, positions, types, n, 1e-4);
        if (!d) continue;
        int same_frame = d->spacegroup_number == t->spacegroup.number;
        for (int i = 0; i < 3 && same_frame; i++) {
            if (nearest_integer_distance(d->origin_shift[i]) > 1e-6) same_frame = 0;
            for (int j = 0; j < 3; j++)
                if (fabs(d->transformation_matrix[i][j] - (i == j)) > 1e-6) same_frame = 0;
        }
        int orbit_size = 0;
        for (int i = 0; i < w->multiplicity && same_frame; i++)
            if (d->equivalent_atoms[i] == d->equivalent_atoms[0]) orbit_size++;
        if (same_frame && orbit_size == w->multiplicity) {
            w->letter = (char)('a' + d->wyckoffs[0]);
            size_t len = strnlen(d->site_symmetry_symbols[0], 6);
            while (len > 0 && d->site_symmetry_symbols[0][len - 1] == ' ') len--;
            memcpy(w->site_symmetry, d->site_symmetry_symbols[0], len);
            w->site_symmetry[len] = '\0';
            named = 1;
        }
        spg_free_dataset(d);
    }
    free(positions);
    free(types);
    return named ? 0 : -1;
}

static int compare_letters_descending(const void *a, const void *b) {
    return ((const lc_wyckoff_position *)b)->letter - ((const lc_wyckoff_position *)a)->letter;
}

/* Fills w with the position through grid point p: its fixed subspace (offset wrapped into the cell), the
 * operations generating the orbit of p, and the multiplicity. Returns the order of the site-symmetry group. */
static int position_through(const grid_group *g, const int p[3], lc_wyckoff_position *w) {
    int stab[LC_MAX_OPERATIONS], n_stab = 0;
    int seen[LC_MAX_OPERATIONS][3];
    memset(w, 0, sizeof *w);
    for (int op = 0; op < g->n_ops; op++) {
        int image[3], raw[3];
        apply_grid(g, op, p, image, raw);
        if (grid_index(image) == grid_index(p)) stab[n_stab++] = op;
        int is_new = 1;
        for (int m = 0; m < w->multiplicity && is_new; m++) is_new = memcmp(seen[m], image, sizeof image) != 0;
        if (is_new) {
            memcpy(seen[w->multiplicity], image, sizeof image);
            w->orbit_ops[w->multiplicity++] = op;
        }
    }
    w->n_free = fixed_subspace(g, stab, n_stab, w->param_axis, w->basis);
    for (int i = 0; i < 3; i++) w->offset[i] = p[i] / (double)GRID;
    for (int k = 0; k < w->n_free; k++) {
        double along = w->offset[w->param_axis[k]];
        for (int i = 0; i < 3; i++) w->offset[i] -= along * w->basis[k][i];
    }
    for (int i = 0; i < 3; i++) w->offset[i] = lc_wrap_unit(w->offset[i]);
    return n_stab;
}

/* How plainly a representative reads (lower is plainer): integer coefficients first, then fewer minus signs,
 * then fewer and smaller constants; (x, 2x, z) beats (x, x/2+1/2, z) and (x, -x, z). */
static double representative_cost(const lc_wyckoff_position *w) {
    double cost = 0.0;
    for (int k = 0; k < w->n_free; k++)
        for (int i = 0; i < 3; i++) {
            double c = w->basis[k][i];
            if (nearest_integer_distance(c) > 1e-9) cost += 1000.0;
            if (c < -1e-9) cost += 100.0;
        }
    for (int i = 0; i < 3; i++)
        if (w->offset[i] > 1e-9) cost += 10.0 + w->offset[i];
    return cost;
}

static void derive_table(int number, lc_wyckoff_table *t) {
    memset(t, 0, sizeof *t);
    lc_spacegroup_info(number, &t->spacegroup);
    t->n_operations = lc_spacegroup_operations(number, t->rotations, t->translations);
    grid_group g;
    g.n_ops = t->n_operations;
    for (int op = 0; op < g.n_ops; op++) {
        memcpy(g.rotations[op], t->rotations[op], sizeof g.rotations[op]);
        for (int i = 0; i < 3; i++) {
            double scaled = t->translations[op][i] * GRID;
            if (nearest_integer_distance(scaled) > 1e-6)
                lc_fatal("space group %d: translation %g is not a multiple of 1/%d", number, t->translations[op][i],
                         GRID);
            g.shifts[op][i] = (int)nearbyint(scaled);
        }
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (g.rotations[0][i][j] != (i == j) || g.shifts[0][i] != 0)
                lc_fatal("space group %d: operation 0 is not the identity", number);

    /* Visit every grid point once per orbit; a point starts a new position unless some member of its orbit lies
     * on the subspace of a position already found with a site-symmetry group of the same order. */
    lc_wyckoff_position found[MAX_POSITIONS];
    int stabilizer_order[MAX_POSITIONS];
    int n_found = 0;
    unsigned char *visited = lc_calloc(GRID_POINTS, 1);
    for (int start = 0; start < GRID_POINTS; start++) {
        if (visited[start]) continue;
        int p[3] = {start / (GRID * GRID), (start / GRID) % GRID, start % GRID};
        lc_wyckoff_position candidate;
        int n_stab = position_through(&g, p, &candidate);
        int known = 0;
        for (int m = 0; m < candidate.multiplicity; m++) {
            int image[3], raw[3];
            apply_grid(&g, candidate.orbit_ops[m], p, image, raw);
            visited[grid_index(image)] = 1;
            double q[3] = {image[0] / (double)GRID, image[1] / (double)GRID, image[2] / (double)GRID};
            for (int c = 0; c < n_found && !known; c++)
                known = stabilizer_order[c] == n_stab && on_subspace_mod_lattice(&found[c], q);
        }
        if (known) continue;
        if (n_found == MAX_POSITIONS) lc_fatal("space group %d: more than %d Wyckoff positions", number, n_found);
        /* Of the subspaces in the orbit, keep the one that reads most plainly as the representative. */
        found[n_found] = candidate;
        double best = representative_cost(&candidate);
        for (int m = 1; m < candidate.multiplicity; m++) {
            int image[3], raw[3];
            apply_grid(&g, candidate.orbit_ops[m], p, image, raw);
            lc_wyckoff_position other;
            position_through(&g, image, &other);
            double cost = representative_cost(&other);
            if (cost < best) best = cost, found[n_found] = other;
        }
        stabilizer_order[n_found++] = n_stab;
    }
    free(visited);

    /* The general position (trivial site symmetry) names the filler atoms, so it must come first. */
    for (int c = 1; c < n_found; c++)
        if (stabilizer_order[c] == 1) {
            lc_wyckoff_position tmp = found[0];
            found[0] = found[c];
            found[c] = tmp;
        }
    t->n_positions = n_found;
    t->positions = lc_malloc(sizeof *t->positions * (size_t)n_found);
    memcpy(t->positions, found, sizeof *t->positions * (size_t)n_found);
    for (int c = 0; c < n_found; c++)
        if (name_position(t, c, &t->positions[c]) != 0)
            lc_fatal("space group %d: spglib did not identify derived position %d", number, c);
    qsort(t->positions, (size_t)n_found, sizeof *t->positions, compare_letters_descending);
    for (int c = 0; c < n_found; c++)
        if (t->positions[c].letter != 'a' + (n_found - 1 - c))
            lc_fatal("space group %d: derived positions do not name letters a..%c once each", number,
                     'a' + n_found - 1);
}

static lc_wyckoff_table *cached_tables[231];

const lc_wyckoff_table *lc_wyckoff_table_get(int number) {
    if (number < 1 || number > 230) return NULL;
    if (!cached_tables[number]) {
        lc_wyckoff_table *t = lc_malloc(sizeof *t);
        derive_table(number, t);
        cached_tables[number] = t;
    }
    return cached_tables[number];
}

void lc_wyckoff_release_all(void) {
    for (int n = 1; n <= 230; n++) {
        if (!cached_tables[n]) continue;
        free(cached_tables[n]->positions);
        free(cached_tables[n]);
        cached_tables[n] = NULL;
    }
}

const lc_wyckoff_position *lc_wyckoff_find(const lc_wyckoff_table *table, char letter) {
    for (int i = 0; i < table->n_positions; i++)
        if (table->positions[i].letter == letter) return &table->positions[i];
    return NULL;
}

void lc_wyckoff_point(const lc_wyckoff_position *position, const double *u, double point[3]) {
    for (int i = 0; i < 3; i++) {
        point[i] = position->offset[i];
        for (int k = 0; k < position->n_free; k++) point[i] += u[k] * position->basis[k][i];
    }
}

/* Metric-weighted least squares onto the representative subspace, for every group image of x and the lattice
 * translations next to it: a candidate d = g(x) + n - offset splits into basis * u plus a residual orthogonal to
 * the subspace; the shortest residual wins. Cost: n_ops * 27 small solves for lines and planes, multiplicity * 27
 * distances for points, nothing for the general position. */
double lc_wyckoff_project(const lc_wyckoff_table *table, const lc_wyckoff_position *w, const double lattice[3][3],
                          const double x[3], double u[3]) {
    double metric[3][3]; /* G = L L^T: |f|^2 = f G f^T for fractional row vectors */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            metric[i][j] = lattice[i][0] * lattice[j][0] + lattice[i][1] * lattice[j][1] + lattice[i][2] * lattice[j][2];
    /* normal equations (B G B^T) u = B G d, inverted once */
    int k = w->n_free;
    double gb[3][3] = {{0}}, normal[3][3] = {{0}}, inverse[3][3] = {{0}};
    for (int a = 0; a < k; a++)
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 3; i++) gb[a][j] += w->basis[a][i] * metric[i][j];
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++)
            for (int j = 0; j < 3; j++) normal[a][b] += gb[a][j] * w->basis[b][j];
    if (k == 1) {
        inverse[0][0] = 1.0 / normal[0][0];
    } else if (k == 2) {
        double det = normal[0][0] * normal[1][1] - normal[0][1] * normal[1][0];
        inverse[0][0] = normal[1][1] / det, inverse[1][1] = normal[0][0] / det;
        inverse[0][1] = -normal[0][1] / det, inverse[1][0] = -normal[1][0] / det;
    }
    double best = INFINITY, best_u[3] = {0, 0, 0};
    if (k == 3) { /* the general position holds every point */
        for (int a = 0; a < 3; a++) u[a] = lc_wrap_unit(x[w->param_axis[a]]);
        return 0.0;
    }
    /* A point position: the distance to its orbit needs one candidate per orbit member, not per operation. */
    int n_candidates = k == 0 ? w->multiplicity : table->n_operations;
    for (int candidate = 0; candidate < n_candidates; candidate++) {
        double y[3];
        if (k == 0) {
            int op = w->orbit_ops[candidate];
            for (int i = 0; i < 3; i++) {
                y[i] = x[i] - table->translations[op][i];
                for (int j = 0; j < 3; j++) y[i] -= table->rotations[op][i][j] * w->offset[j];
                y[i] -= nearbyint(y[i]);
            }
        } else {
            int op = candidate;
            for (int i = 0; i < 3; i++) {
                y[i] = table->translations[op][i] - w->offset[i];
                for (int j = 0; j < 3; j++) y[i] += table->rotations[op][i][j] * x[j];
                y[i] -= nearbyint(y[i]);
            }
        }
        for (int shift = 0; shift < 27; shift++) {
            double d[3] = {y[0] + shift % 3 - 1, y[1] + (shift / 3) % 3 - 1, y[2] + shift / 9 - 1};
            double uu[3] = {0, 0, 0}, r[3] = {d[0], d[1], d[2]};
            if (k > 0) {
                double rhs[3] = {0, 0, 0};
                for (int a = 0; a < k; a++)
                    for (int j = 0; j < 3; j++) rhs[a] += gb[a][j] * d[j];
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < k; b++) uu[a] += inverse[a][b] * rhs[b];
                    for (int i = 0; i < 3; i++) r[i] -= uu[a] * w->basis[a][i];
                }
            }
            double dist2 = 0.0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) dist2 += r[i] * metric[i][j] * r[j];
            if (dist2 < best) {
                best = dist2;
                /* u_k is the param_axis[k] coordinate of offset + B u, i.e. uu itself */
                for (int a = 0; a < k; a++) best_u[a] = uu[a];
            }
        }
    }
    /* A lattice vector along an integer basis vector keeps the subspace: use it to bring u_k into [0, 1). */
    for (int a = 0; a < k; a++) {
        int integral = 1;
        for (int i = 0; i < 3; i++) integral &= nearest_integer_distance(w->basis[a][i]) < 1e-12;
        u[a] = integral ? best_u[a] - floor(best_u[a]) : best_u[a];
        if (u[a] >= 1.0) u[a] = 0.0;
    }
    return sqrt(best > 0 ? best : 0);
}

int lc_wyckoff_locate(const lc_wyckoff_table *table, const double lattice[3][3], const double x[3], double tolerance,
                      double u[3]) {
    for (int i = table->n_positions - 1; i > 0; i--) {
        if (lc_wyckoff_project(table, &table->positions[i], lattice, x, u) <= tolerance) return i;
    }
    lc_wyckoff_project(table, &table->positions[0], lattice, x, u);
    return 0;
}

/* Writes v as a fraction with denominator up to 24 ("1/4", "-2/3", "3"). */
static int format_fraction(char *buffer, size_t size, double v) {
    for (int d = 1; d <= GRID; d++) {
        double n = v * d;
        if (nearest_integer_distance(n) < 1e-8) {
            long num = lround(n);
            return d == 1 ? snprintf(buffer, size, "%ld", num) : snprintf(buffer, size, "%ld/%d", num, d);
        }
    }
    return snprintf(buffer, size, "%.6g", v);
}

void lc_wyckoff_format(const lc_wyckoff_position *position, char *buffer, int size) {
    static const char names[3] = {'x', 'y', 'z'};
    char out[128] = "(";
    for (int i = 0; i < 3; i++) {
        char term[48] = "";
        size_t len = 0;
        for (int k = 0; k < position->n_free; k++) {
            double c = position->basis[k][i];
            if (fabs(c) < 1e-12) continue;
            const char *sign = c < 0 ? "-" : (len ? "+" : "");
            char coefficient[16] = "";
            if (fabs(fabs(c) - 1.0) > 1e-12) format_fraction(coefficient, sizeof coefficient, fabs(c));
            len += (size_t)snprintf(term + len, sizeof term - len, "%s%s%c", sign, coefficient,
                                    names[position->param_axis[k]]);
        }
        double o = position->offset[i];
        if (len == 0 || nearest_integer_distance(o) > 1e-12) {
            char value[16];
            format_fraction(value, sizeof value, len ? o - floor(o + 1e-12) : lc_wrap_unit(o));
            snprintf(term + len, sizeof term - len, "%s%s", len ? "+" : "", value);
        }
        strncat(out, term, sizeof out - strlen(out) - 1);
        strncat(out, i < 2 ? ", " : ")", sizeof out - strlen(out) - 1);
    }
    snprintf(buffer, (size_t)size, "%s", out);
}
