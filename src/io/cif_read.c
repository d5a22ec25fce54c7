/* What a CIF means as a crystal: cell, symmetry operations, atom sites -> the full periodic structure.
 *
 * Each data block that describes a structure (it has a cell or atom sites) becomes one lc_structure: the
 * symmetry operations are applied to every site, images are wrapped to [0, 1) and images of one site closer than
 * LC_CIF_MERGE_TOLERANCE are one atom (a site on a special position). Anything that would make the result
 * wrong rather than merely unusual is an error with the line of the offending value. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cif_syntax.h"
#include "core/element.h"
#include "core/lattice.h"
#include "io_internal.h"
#include "symop.h"

/* Cartesian distance (Angstrom) under which two images are the same atom. Coordinates printed with 4 decimals
 * in a 25 A cell are off by up to ~1e-3 A after an operation is applied, while distinct atoms are never closer
 * than ~0.5 A, so 0.01 A merges rounding and nothing else (see docs/file-formats.md). */
#define LC_CIF_MERGE_TOLERANCE 0.01
/* Occupancies this close to 1 count as full (values like 0.9995 come from refinement round-off). */
#define OCCUPANCY_TOLERANCE 1e-3
/* Fractional coordinates beyond this are not a typo we can wrap meaningfully. */
#define MAX_ABS_FRACTIONAL 1000.0

typedef struct {
    const char *file;
    const lc_cif_block *block;
    lc_error *err;
} reader;

static int fail(const reader *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(const reader *r, int line, const char *fmt, ...) {
    char what[900];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof what, fmt, args);
    va_end(args);
    return lc_error_set(r->err, r->file, line, "%s", what);
}

static int is_missing(const lc_cif_value *v) { return v->kind == LC_CIF_UNKNOWN || v->kind == LC_CIF_INAPPLICABLE; }

/* A CIF number: [sign] digits [. digits] [e [sign] digits] [(uncertainty digits)]. The standard uncertainty
 * is checked for form and dropped. Returns 0 or -1. */
static int parse_number(const char *text, double *value) {
    const char *s = text;
    while (*s == ' ' || *s == '\t') s++;
    const char *start = s;
    if (*s == '+' || *s == '-') s++;
    int digits = 0;
    while (*s >= '0' && *s <= '9') s++, digits++;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') s++, digits++;
    }
    if (digits == 0) return -1;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        int exp_digits = 0;
        while (*s >= '0' && *s <= '9') s++, exp_digits++;
        if (exp_digits == 0) return -1;
    }
    size_t length = (size_t)(s - start);
    if (*s == '(') {
        s++;
        int su_digits = 0;
        while (*s >= '0' && *s <= '9') s++, su_digits++;
        if (su_digits == 0 || *s != ')') return -1;
        s++;
    }
    while (*s == ' ' || *s == '\t') s++;
    if (*s != '\0' || length > 64) return -1;
    char buffer[72];
    memcpy(buffer, start, length);
    buffer[length] = '\0';
    double v = strtod(buffer, NULL);
    if (!isfinite(v)) return -1;
    *value = v;
    return 0;
}

/* Number from a value, or an error naming the tag. */
static int number_of(const reader *r, const lc_cif_item *item, int row, double *value) {
    const lc_cif_value *v = &item->values[row];
    if (is_missing(v)) return fail(r, v->line, "%s is missing ('%s') where a number is needed", item->name, v->text);
    if (parse_number(v->text, value) != 0)
        return fail(r, v->line, "%s: '%.40s' is not a number", item->name, v->text);
    return 0;
}

/* Element from a type symbol or label: its leading letters, two when the second is lower case and that is an
 * element ("Fe2a" -> Fe, "Cl1" -> Cl, "CA1" -> C, "O2-" -> O). Returns Z or 0. */
static int species_from_text(const char *text) {
    const char *s = text;
    while (*s == ' ') s++;
    int letters = 0;
    while (letters < 2 && ((s[letters] >= 'A' && s[letters] <= 'Z') || (s[letters] >= 'a' && s[letters] <= 'z')))
        letters++;
    if (letters == 0) return 0;
    if (letters == 2 && s[1] >= 'a' && s[1] <= 'z') {
        int z = lc_element_z_from_symbol(s, 2);
        if (z) return z;
    }
    return lc_element_z_from_symbol(s, 1);
}

static const lc_cif_item *find_either(const lc_cif_block *b, const char *modern, const char *legacy) {
    const lc_cif_item *item = lc_cif_block_find(b, modern);
    return item ? item : lc_cif_block_find(b, legacy);
}

/* ---- Cell -------------------------------------------------------------------------------------------------- */

static int read_cell(const reader *r, double lattice[3][3]) {
    static const char *tags[6] = {"_cell_length_a", "_cell_length_b", "_cell_length_c",
                                  "_cell_angle_alpha", "_cell_angle_beta", "_cell_angle_gamma"};
    double p[6];
    for (int k = 0; k < 6; k++) {
        const lc_cif_item *item = lc_cif_block_find(r->block, tags[k]);
        if (!item || item->n_values == 0)
            return fail(r, r->block->line, "data block '%s' has no %s", r->block->name, tags[k]);
        if (item->n_values != 1) return fail(r, item->line, "%s must have one value, not a loop", tags[k]);
        if (number_of(r, item, 0, &p[k]) != 0) return -1;
        if (k < 3 && !(p[k] > 0 && p[k] < 1e5))
            return fail(r, item->values[0].line, "%s = %g: a cell length must be positive (and below 1e5 A)", tags[k],
                        p[k]);
        if (k >= 3 && !(p[k] > 0 && p[k] < 180))
            return fail(r, item->values[0].line, "%s = %g: a cell angle must lie between 0 and 180 degrees", tags[k],
                        p[k]);
    }
    lc_cell_parameters params = {p[0], p[1], p[2], p[3], p[4], p[5]};
    int line = lc_cif_block_find(r->block, "_cell_angle_alpha")->values[0].line;
    if (lc_lattice_from_parameters(&params, lattice) != 0)
        return fail(r, line, "cell angles %g, %g, %g cannot close a cell (zero or negative volume)", p[3], p[4], p[5]);
    /* A cell so flat that lattice planes are closer than 0.05 A is not a crystal; it would also defeat the
     * distance checks below. */
    double reciprocal[3][3];
    lc_lattice_reciprocal(lattice, reciprocal);
    for (int i = 0; i < 3; i++) {
        double norm = sqrt(reciprocal[i][0] * reciprocal[i][0] + reciprocal[i][1] * reciprocal[i][1] +
                           reciprocal[i][2] * reciprocal[i][2]);
        if (!(norm > 0 && 1.0 / norm >= 0.05))
            return fail(r, line, "the cell is degenerate: lattice planes %g A apart", norm > 0 ? 1.0 / norm : 0.0);
    }
    return 0;
}

/* ---- Space group --------------------------------------------------------------------------------------------- */

static int read_declared_group(const reader *r, int *number, char symbol[32]) {
    *number = 0;
    symbol[0] = '\0';
    const lc_cif_item *item = find_either(r->block, "_space_group_it_number", "_symmetry_int_tables_number");
    if (item && item->n_values >= 1 && !is_missing(&item->values[0])) {
        double v;
        if (item->n_values != 1) return fail(r, item->line, "%s must have one value", item->name);
        if (number_of(r, item, 0, &v) != 0) return -1;
        if (!(v >= 1 && v <= 230 && v == floor(v)))
            return fail(r, item->values[0].line, "%s = %s: space group numbers run from 1 to 230", item->name,
                        item->values[0].text);
        *number = (int)v;
    }
    item = find_either(r->block, "_space_group_name_h-m_alt", "_symmetry_space_group_name_h-m");
    if (item && item->n_values >= 1 && !is_missing(&item->values[0])) {
        const char *text = item->values[0].text;
        while (*text == ' ') text++;
        size_t n = strlen(text);
        while (n > 0 && text[n - 1] == ' ') n--;
        if (n >= 32)
            return fail(r, item->values[0].line, "%s: '%.40s' is not a Hermann-Mauguin symbol", item->name, text);
        memcpy(symbol, text, n);
        symbol[n] = '\0';
    }
    return 0;
}

static double wrap_translation(double t) {
    double w = t - floor(t);
    return w > 1.0 - 1e-9 ? 0.0 : w;
}

static int same_operation(const lc_symop *a, const lc_symop *b) {
    if (memcmp(a->rotation, b->rotation, sizeof a->rotation) != 0) return 0;
    for (int i = 0; i < 3; i++) {
        double d = a->translation[i] - b->translation[i];
        if (fabs(d - nearbyint(d)) > 1e-3) return 0;
    }
    return 1;
}

/* The rotation as one integer (entries are in -3..3). */
static int rotation_key(const lc_symop *op) {
    int key = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) key = key * 7 + op->rotation[i][j] + 3;
    return key;
}

/* Operations from _space_group_symop_operation_xyz or _symmetry_equiv_pos_as_xyz, checked to be a group (so a
 * typo cannot silently generate a wrong structure); the identity alone when the block lists none. */
static int read_operations(const reader *r, lc_symop **ops_out, int *n_out) {
    const lc_cif_item *item = find_either(r->block, "_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz");
    if (!item || item->n_values == 0) {
        lc_symop *identity = lc_calloc(1, sizeof *identity);
        for (int i = 0; i < 3; i++) identity->rotation[i][i] = 1;
        *ops_out = identity;
        *n_out = 1;
        return 0;
    }
    if (item->n_values > LC_IO_MAX_OPERATIONS)
        return fail(r, item->line, "%d symmetry operations (at most %d are supported)", item->n_values,
                    LC_IO_MAX_OPERATIONS);
    int n = item->n_values;
    lc_symop *ops = lc_malloc((size_t)n * sizeof *ops);
    int identity = -1;
    for (int k = 0; k < n; k++) {
        const lc_cif_value *v = &item->values[k];
        char why[160];
        if (is_missing(v)) {
            free(ops);
            return fail(r, v->line, "%s: missing symmetry operation", item->name);
        }
        if (strlen(v->text) > 256 || lc_symop_parse(v->text, &ops[k], why, sizeof why) != 0) {
            free(ops);
            return fail(r, v->line, "symmetry operation '%.60s': %s", v->text,
                        strlen(v->text) > 256 ? "too long" : why);
        }
        for (int i = 0; i < 3; i++) ops[k].translation[i] = wrap_translation(ops[k].translation[i]);
        for (int j = 0; j < k; j++)
            if (same_operation(&ops[j], &ops[k])) {
                free(ops);
                return fail(r, v->line, "symmetry operation '%.60s' is listed twice", v->text);
            }
        int is_identity = 1;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                if (ops[k].rotation[i][j] != (i == j)) is_identity = 0;
        for (int i = 0; i < 3; i++)
            if (ops[k].translation[i] != 0) is_identity = 0;
        if (is_identity && identity < 0) identity = k;
    }
    if (identity < 0) {
        free(ops);
        return fail(r, item->line, "the symmetry operations (%s) do not include the identity x,y,z", item->name);
    }
    /* Closure: every product of two listed operations must be listed (modulo lattice translations). Comparing
     * rotation keys first keeps the n^3 search cheap. */
    int *keys = lc_malloc((size_t)n * sizeof *keys);
    for (int k = 0; k < n; k++) keys[k] = rotation_key(&ops[k]);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            lc_symop product;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    int sum = 0;
                    for (int k = 0; k < 3; k++) sum += ops[a].rotation[i][k] * ops[b].rotation[k][j];
                    product.rotation[i][j] = sum;
                }
                double t = ops[a].translation[i];
                for (int k = 0; k < 3; k++) t += ops[a].rotation[i][k] * ops[b].translation[k];
                product.translation[i] = t;
            }
            int found = 0, key = rotation_key(&product);
            for (int c = 0; c < n && !found; c++) found = keys[c] == key && same_operation(&ops[c], &product);
            if (!found) {
                free(keys);
                free(ops);
                return fail(r, item->values[a].line,
                            "the symmetry operations do not form a group: '%.40s' (line %d) followed by '%.40s' "
                            "gives an operation that is not listed",
                            item->values[b].text, item->values[b].line, item->values[a].text);
            }
        }
    free(keys);
    *ops_out = ops;
    *n_out = n;
    return 0;
}

/* ---- Coincidence grid -------------------------------------------------------------------------------------- */

/* Atoms binned by fractional coordinates, bins at least ~1 A wide, so that any two atoms within the merge
 * tolerance lie in the same or neighbouring bins. */
typedef struct {
    int n[3];
    int *head;   /* [n0*n1*n2] first entry of each bin, -1 if empty */
    int *next;   /* [capacity] next entry in the same bin */
    int *bin;    /* [capacity] bin of each entry */
    int count, capacity;
} grid;

static void grid_init(grid *g, const double lattice[3][3]) {
    double reciprocal[3][3];
    lc_lattice_reciprocal(lattice, reciprocal);
    int total = 1;
    for (int i = 0; i < 3; i++) {
        double spacing = 1.0 / sqrt(reciprocal[i][0] * reciprocal[i][0] + reciprocal[i][1] * reciprocal[i][1] +
                                    reciprocal[i][2] * reciprocal[i][2]);
        int n = (int)floor(spacing);
        g->n[i] = n < 1 ? 1 : n > 32 ? 32 : n;
        total *= g->n[i];
    }
    g->head = lc_malloc((size_t)total * sizeof *g->head);
    for (int i = 0; i < total; i++) g->head[i] = -1;
    g->count = 0;
    g->capacity = 64;
    g->next = lc_malloc((size_t)g->capacity * sizeof *g->next);
    g->bin = lc_malloc((size_t)g->capacity * sizeof *g->bin);
}

static void grid_free(grid *g) {
    free(g->head);
    free(g->next);
    free(g->bin);
}

static int bin_index(const grid *g, const int b[3]) { return (b[0] * g->n[1] + b[1]) * g->n[2] + b[2]; }

static void bin_of(const grid *g, const double f[3], int b[3]) {
    for (int i = 0; i < 3; i++) {
        int k = (int)floor(f[i] * g->n[i]);
        b[i] = k < 0 ? 0 : k >= g->n[i] ? g->n[i] - 1 : k;
    }
}

/* Entry k gets coordinates frac[k]; entries must be added in order 0, 1, 2, ... */
static void grid_add(grid *g, const double f[3]) {
    if (g->count == g->capacity) {
        g->capacity *= 2;
        g->next = lc_realloc(g->next, (size_t)g->capacity * sizeof *g->next);
        g->bin = lc_realloc(g->bin, (size_t)g->capacity * sizeof *g->bin);
    }
    int b[3];
    bin_of(g, f, b);
    int index = bin_index(g, b);
    g->bin[g->count] = index;
    g->next[g->count] = g->head[index];
    g->head[index] = g->count;
    g->count++;
}

/* Empties the grid in O(entries). */
static void grid_clear(grid *g) {
    for (int k = 0; k < g->count; k++) g->head[g->bin[k]] = -1;
    g->count = 0;
}

/* Distance between fractional points a and b when it is small: the nearest image is the rounded difference. */
static double near_distance(const double lattice[3][3], const double a[3], const double b[3]) {
    double d[3], c[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        d[i] = a[i] - b[i];
        d[i] -= nearbyint(d[i]);
    }
    for (int j = 0; j < 3; j++) c[j] = d[0] * lattice[0][j] + d[1] * lattice[1][j] + d[2] * lattice[2][j];
    return sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
}

/* First entry (coordinates in frac) within tol of f, or -1. */
static int grid_find(const grid *g, const double lattice[3][3], const double (*frac)[3], const double f[3],
                     double tol) {
    int b[3];
    bin_of(g, f, b);
    int lo[3], hi[3];
    for (int i = 0; i < 3; i++) {
        /* with fewer than 3 bins the neighbours wrap onto each other; visit each bin once */
        lo[i] = g->n[i] >= 3 ? -1 : 0;
        hi[i] = g->n[i] >= 3 ? 1 : g->n[i] - 1;
    }
    for (int d0 = lo[0]; d0 <= hi[0]; d0++)
        for (int d1 = lo[1]; d1 <= hi[1]; d1++)
            for (int d2 = lo[2]; d2 <= hi[2]; d2++) {
                int c[3] = {d0, d1, d2};
                int cell[3];
                for (int i = 0; i < 3; i++)
                    cell[i] = g->n[i] >= 3 ? ((b[i] + c[i]) % g->n[i] + g->n[i]) % g->n[i] : c[i];
                for (int k = g->head[bin_index(g, cell)]; k >= 0; k = g->next[k])
                    if (near_distance(lattice, frac[k], f) < tol) return k;
            }
    return -1;
}

/* ---- Atom sites ---------------------------------------------------------------------------------------------- */

typedef struct {
    const lc_cif_item *x, *y, *z, *label, *type, *occupancy, *multiplicity;
    int n_sites;
} site_columns;

static int find_site_columns(const reader *r, site_columns *c) {
    memset(c, 0, sizeof *c);
    c->x = lc_cif_block_find(r->block, "_atom_site_fract_x");
    c->y = lc_cif_block_find(r->block, "_atom_site_fract_y");
    c->z = lc_cif_block_find(r->block, "_atom_site_fract_z");
    if (!c->x || !c->y || !c->z) {
        if (lc_cif_block_find(r->block, "_atom_site_cartn_x"))
            return fail(r, lc_cif_block_find(r->block, "_atom_site_cartn_x")->line,
                        "atom sites given only as Cartesian coordinates (_atom_site_Cartn_x) are not supported; "
                        "give _atom_site_fract_x/y/z");
        const lc_cif_item *some = c->x ? c->x : c->y ? c->y : c->z;
        return fail(r, some ? some->line : r->block->line, "data block '%s' lacks %s", r->block->name,
                    !c->x ? "_atom_site_fract_x" : !c->y ? "_atom_site_fract_y" : "_atom_site_fract_z");
    }
    c->label = lc_cif_block_find(r->block, "_atom_site_label");
    c->type = lc_cif_block_find(r->block, "_atom_site_type_symbol");
    c->occupancy = lc_cif_block_find(r->block, "_atom_site_occupancy");
    c->multiplicity = lc_cif_block_find(r->block, "_atom_site_symmetry_multiplicity");
    c->n_sites = c->x->n_values;
    const lc_cif_item *all[7] = {c->x, c->y, c->z, c->label, c->type, c->occupancy, c->multiplicity};
    for (int k = 0; k < 7; k++)
        if (all[k] && (all[k]->n_values != c->n_sites || all[k]->loop != c->x->loop))
            return fail(r, all[k]->line, "%s is not in the same loop as _atom_site_fract_x (%d values, expected %d)",
                        all[k]->name, all[k]->n_values, c->n_sites);
    if (c->n_sites == 0) return fail(r, c->x->line, "no atom sites");
    return 0;
}

static const char *site_name(const site_columns *c, int row, char *buffer, size_t size) {
    if (c->label && !is_missing(&c->label->values[row])) snprintf(buffer, size, "'%.32s'", c->label->values[row].text);
    else snprintf(buffer, size, "in row %d", row + 1);
    return buffer;
}

static int site_species(const reader *r, const site_columns *c, int row, int *z) {
    const lc_cif_value *type = c->type ? &c->type->values[row] : NULL;
    const lc_cif_value *label = c->label ? &c->label->values[row] : NULL;
    const lc_cif_value *from = type && !is_missing(type) ? type : label && !is_missing(label) ? label : NULL;
    if (!from)
        return fail(r, c->x->values[row].line,
                    "atom site in row %d has neither _atom_site_type_symbol nor _atom_site_label to give its element",
                    row + 1);
    *z = species_from_text(from->text);
    if (*z == 0)
        return fail(r, from->line, "%s '%.32s' does not start with an element symbol",
                    from == type ? "_atom_site_type_symbol" : "_atom_site_label", from->text);
    return 0;
}

static int read_sites(const reader *r, const lc_symop *ops, int n_ops, lc_structure *s) {
    site_columns c;
    if (find_site_columns(r, &c) != 0) return -1;
    if ((long long)c.n_sites * n_ops > LC_IO_MAX_ATOMS)
        return fail(r, c.x->line, "%d sites x %d operations exceed the limit of %d atoms", c.n_sites, n_ops,
                    LC_IO_MAX_ATOMS);

    grid all, orbit;
    grid_init(&all, s->lattice);
    grid_init(&orbit, s->lattice);
    double (*images)[3] = lc_malloc((size_t)n_ops * sizeof *images);
    int *owner = NULL; /* site row of each atom in s, for messages */
    int status = 0;
    char name_a[48], name_b[48];
    for (int row = 0; row < c.n_sites && status == 0; row++) {
        int z;
        double f[3];
        if (site_species(r, &c, row, &z) != 0 || number_of(r, c.x, row, &f[0]) != 0 ||
            number_of(r, c.y, row, &f[1]) != 0 || number_of(r, c.z, row, &f[2]) != 0) {
            status = -1;
            break;
        }
        const lc_cif_item *axes[3] = {c.x, c.y, c.z};
        for (int i = 0; i < 3; i++)
            if (fabs(f[i]) > MAX_ABS_FRACTIONAL) {
                status = fail(r, axes[i]->values[row].line, "%s = %g is not a fractional coordinate", axes[i]->name,
                              f[i]);
                break;
            }
        if (status) break;
        if (c.occupancy && !is_missing(&c.occupancy->values[row])) {
            double occupancy;
            if (number_of(r, c.occupancy, row, &occupancy) != 0) {
                status = -1;
                break;
            }
            if (fabs(occupancy - 1.0) > OCCUPANCY_TOLERANCE) {
                status = fail(r, c.occupancy->values[row].line,
                              "site %s has occupancy %g: partially occupied (disordered) sites are not supported",
                              site_name(&c, row, name_a, sizeof name_a), occupancy);
                break;
            }
        }
        /* The orbit: images of the site under every operation, one atom per distinct position. */
        int n_images = 0;
        grid_clear(&orbit);
        for (int k = 0; k < n_ops; k++) {
            double g[3];
            lc_symop_apply(&ops[k], f, g);
            for (int i = 0; i < 3; i++) g[i] = lc_wrap_unit(g[i]);
            if (grid_find(&orbit, s->lattice, (const double (*)[3])images, g, LC_CIF_MERGE_TOLERANCE) >= 0) continue;
            memcpy(images[n_images++], g, sizeof g);
            grid_add(&orbit, g);
        }
        if (c.multiplicity && !is_missing(&c.multiplicity->values[row])) {
            double m;
            if (number_of(r, c.multiplicity, row, &m) != 0) {
                status = -1;
                break;
            }
            if (m != n_images) {
                status = fail(r, c.multiplicity->values[row].line,
                              "site %s: the symmetry operations give %d atoms but _atom_site_symmetry_multiplicity "
                              "says %g",
                              site_name(&c, row, name_a, sizeof name_a), n_images, m);
                break;
            }
        }
        /* Another site at the same place: the same atom listed twice (merged), or two elements on one spot. */
        for (int k = 0; k < n_images; k++) {
            int other = grid_find(&all, s->lattice, (const double (*)[3])s->frac, images[k], LC_CIF_MERGE_TOLERANCE);
            if (other >= 0) {
                if (s->species[other] != z) {
                    const lc_element *e1 = lc_element_by_z(s->species[other]), *e2 = lc_element_by_z(z);
                    status = fail(r, c.x->values[row].line,
                                  "sites %s (%s) and %s (%s) put atoms at the same position (%.4f, %.4f, %.4f)",
                                  site_name(&c, owner[other], name_b, sizeof name_b), e1 ? e1->symbol : "?",
                                  site_name(&c, row, name_a, sizeof name_a), e2 ? e2->symbol : "?", images[k][0],
                                  images[k][1], images[k][2]);
                    break;
                }
                continue;
            }
            lc_structure_append(s, z, images[k]);
            owner = lc_realloc(owner, (size_t)s->n_atoms * sizeof *owner);
            owner[s->n_atoms - 1] = row;
            grid_add(&all, images[k]);
        }
    }
    free(owner);
    free(images);
    grid_free(&all);
    grid_free(&orbit);
    return status;
}

/* ---- Blocks -------------------------------------------------------------------------------------------------- */

static int read_block(const reader *r, lc_structure_list *out) {
    lc_structure s;
    lc_structure_init(&s, 0);
    snprintf(s.name, sizeof s.name, "%s", r->block->name);
    int number;
    char symbol[32];
    lc_symop *ops = NULL;
    int n_ops = 0;
    if (read_cell(r, s.lattice) != 0 || read_declared_group(r, &number, symbol) != 0 ||
        read_operations(r, &ops, &n_ops) != 0 || read_sites(r, ops, n_ops, &s) != 0) {
        free(ops);
        lc_structure_free(&s);
        return -1;
    }
    free(ops);
    lc_structure_list_push(out, &s, number, symbol);
    return 0;
}

/* A block describes a structure when it has a cell or atom sites; others (e.g. publication data) are skipped. */
static int describes_structure(const lc_cif_block *b) {
    return lc_cif_block_find(b, "_cell_length_a") || lc_cif_block_find(b, "_atom_site_fract_x") ||
           lc_cif_block_find(b, "_atom_site_label") || lc_cif_block_find(b, "_atom_site_cartn_x");
}

static int same_name(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb) return 0;
    }
    return *a == *b;
}

int lc_cif_read_buffer(const char *data, size_t size, const char *name, const char *block_name,
                       lc_structure_list *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    lc_cif_document doc;
    if (lc_cif_parse(data, size, name, &doc, err) != 0) return -1;
    int status = 0;
    for (int b = 0; b < doc.n_blocks && status == 0; b++) {
        const lc_cif_block *block = &doc.blocks[b];
        for (int a = 0; a < b; a++)
            if (same_name(doc.blocks[a].name, block->name)) {
                status = lc_error_set(err, name, block->line, "data block '%s' appears twice (first at line %d)",
                                      block->name, doc.blocks[a].line);
                break;
            }
        if (status) break;
        if (block_name ? !same_name(block->name, block_name) : !describes_structure(block)) continue;
        reader r = {name, block, err};
        status = read_block(&r, out);
    }
    if (status == 0 && out->count == 0) {
        if (block_name) {
            char names[512] = "";
            size_t used = 0;
            for (int b = 0; b < doc.n_blocks && used < sizeof names - 80; b++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s'%.60s'", b ? ", " : "",
                                         doc.blocks[b].name);
            status = lc_error_set(err, name, 0, "no data block named '%s' (the file has %s)", block_name,
                                  doc.n_blocks ? names : "none");
        } else {
            status = lc_error_set(err, name, doc.n_blocks ? doc.blocks[0].line : 1,
                                  "no data block describes a crystal structure (no _cell_length_a or _atom_site_fract_x)");
        }
    }
    if (status != 0) lc_structure_list_free(out);
    lc_cif_document_free(&doc);
    return status;
}
