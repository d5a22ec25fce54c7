/* Structure matcher: the same crystal under changes of cell, frame, origin and atom order matches; a moved,
 * missing or relabelled atom, a strained cell or (when asked) a mirror image does not.
 *
 * `test_match --bench` prints matches per second for 64- and 168-atom primitive cells instead (not run by
 * ctest; timing belongs to benchmarks, the mode lives here to reuse the structure builders). */
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/lattice.h"
#include "core/rng.h"
#include "core/structure.h"
#include "symmetry/match.h"
#include "symmetry/symmetry.h"
#include "test.h"

enum { Z_C = 6, Z_O = 8, Z_SI = 14, Z_TI = 22 };

/* ---- Structures -------------------------------------------------------------------------------------------- */

static void from_parameters(lc_structure *s, double a, double b, double c, double alpha, double beta,
                            double gamma) {
    lc_cell_parameters p = {a, b, c, alpha, beta, gamma};
    if (lc_lattice_from_parameters(&p, s->lattice) != 0) {
        fprintf(stderr, "bad test cell\n");
        exit(EXIT_FAILURE);
    }
}

static void graphite(lc_structure *s) {
    static const double frac[4][3] = {{0, 0, 0.25}, {0, 0, 0.75}, {1.0 / 3, 2.0 / 3, 0.25}, {2.0 / 3, 1.0 / 3, 0.75}};
    lc_structure_init(s, 4);
    from_parameters(s, 2.464, 2.464, 6.711, 90, 90, 120);
    for (int i = 0; i < 4; i++) {
        s->species[i] = Z_C;
        memcpy(s->frac[i], frac[i], sizeof frac[i]);
    }
}

/* AA stacking: the second layer sits on top of the first. Same cell, same composition, another crystal. */
static void graphite_aa(lc_structure *s) {
    graphite(s);
    s->frac[3][0] = 1.0 / 3, s->frac[3][1] = 2.0 / 3;
}

static void diamond(lc_structure *s) {
    static const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    lc_structure_init(s, 8);
    from_parameters(s, 3.567, 3.567, 3.567, 90, 90, 90);
    for (int i = 0; i < 8; i++) {
        s->species[i] = Z_C;
        for (int k = 0; k < 3; k++) s->frac[i][k] = fcc[i % 4][k] + (i >= 4 ? 0.25 : 0);
    }
}

/* Two-atom primitive cell of diamond (fcc vectors). */
static void diamond_primitive(lc_structure *s) {
    lc_structure_init(s, 2);
    double h = 3.567 / 2;
    double l[3][3] = {{0, h, h}, {h, 0, h}, {h, h, 0}};
    memcpy(s->lattice, l, sizeof l);
    s->species[0] = s->species[1] = Z_C;
    for (int k = 0; k < 3; k++) s->frac[0][k] = 0, s->frac[1][k] = 0.25;
}

/* Random atoms no closer than min_distance, filled in by rejection. */
static void random_atoms(lc_structure *s, const int *species, int n, double min_distance, lc_rng *rng) {
    s->n_atoms = 0;
    for (int i = 0; i < n;) {
        double f[3] = {lc_rng_uniform(rng), lc_rng_uniform(rng), lc_rng_uniform(rng)};
        int ok = 1;
        for (int j = 0; j < s->n_atoms && ok; j++)
            ok = lc_periodic_distance(s->lattice, f, s->frac[j], NULL) >= min_distance;
        if (!ok) continue;
        s->species[i] = species[i];
        memcpy(s->frac[i], f, sizeof f);
        s->n_atoms = ++i;
    }
}

/* A low-symmetry (P1) Ti2Si4O6 cell: chiral, no symmetry to hide a wrong correspondence behind. */
static void random_cell(lc_structure *s, uint64_t seed) {
    static const int species[12] = {Z_TI, Z_TI, Z_SI, Z_SI, Z_SI, Z_SI, Z_O, Z_O, Z_O, Z_O, Z_O, Z_O};
    lc_rng rng;
    lc_rng_init(&rng, seed, 0, 0);
    lc_structure_init(s, 12);
    from_parameters(s, 5.1, 6.3, 7.2, 78, 85, 96);
    random_atoms(s, species, 12, 1.4, &rng);
}

/* A strongly skewed triclinic input cell (its reduced cell looks nothing like it). */
static void skewed_cell(lc_structure *s) {
    static const int species[6] = {Z_SI, Z_SI, Z_O, Z_O, Z_O, Z_O};
    lc_rng rng;
    lc_rng_init(&rng, 99, 0, 0);
    lc_structure_init(s, 6);
    from_parameters(s, 4.2, 9.7, 13.9, 35, 50, 30);
    random_atoms(s, species, 6, 1.4, &rng);
}

typedef void (*builder)(lc_structure *);
static void random_cell_7(lc_structure *s) { random_cell(s, 7); }
static const builder builders[] = {graphite, diamond, random_cell_7, skewed_cell};
static const char *builder_names[] = {"graphite", "diamond", "random12", "skewed"};
enum { N_BUILDERS = 4 };

/* ---- Transformations --------------------------------------------------------------------------------------- */

static int det_int(const int t[3][3]) {
    return t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) - t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
           t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0]);
}

static void invert(const double m[3][3], double out[3][3]) {
    double d = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
               m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            out[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / d;
        }
}

static void row_times(const double f[3], const double m[3][3], double out[3]) {
    double r[3];
    for (int k = 0; k < 3; k++) r[k] = f[0] * m[0][k] + f[1] * m[1][k] + f[2] * m[2][k];
    memcpy(out, r, sizeof r);
}

/* New basis rows t * lattice (integer t), the same atoms. */
static void change_basis(lc_structure *s, const int t[3][3]) {
    double td[3][3], t_inv[3][3], l[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) td[i][j] = t[i][j];
    invert(td, t_inv);
    for (int i = 0; i < 3; i++) row_times(td[i], s->lattice, l[i]);
    memcpy(s->lattice, l, sizeof l);
    for (int i = 0; i < s->n_atoms; i++) row_times(s->frac[i], t_inv, s->frac[i]);
    lc_structure_wrap(s);
}

/* Supercell n0 x n1 x n2 (atoms of each image appended in order). */
static void supercell(lc_structure *out, const lc_structure *s, int n0, int n1, int n2) {
    lc_structure_init(out, 0);
    int n[3] = {n0, n1, n2};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) out->lattice[i][k] = n[i] * s->lattice[i][k];
    for (int x = 0; x < n0; x++)
        for (int y = 0; y < n1; y++)
            for (int z = 0; z < n2; z++)
                for (int i = 0; i < s->n_atoms; i++) {
                    double f[3] = {(s->frac[i][0] + x) / n0, (s->frac[i][1] + y) / n1, (s->frac[i][2] + z) / n2};
                    lc_structure_append(out, s->species[i], f);
                }
}

/* Rotates the Cartesian frame (rows r -> r R^T) by a random proper rotation: a unit quaternion. */
static void rotate_frame(lc_structure *s, lc_rng *rng) {
    double q[4], norm = 0;
    for (int k = 0; k < 4; k++) q[k] = lc_rng_normal(rng), norm += q[k] * q[k];
    for (int k = 0; k < 4; k++) q[k] /= sqrt(norm);
    double w = q[0], x = q[1], y = q[2], z = q[3];
    double r[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                      {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                      {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
    double rt[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) rt[i][j] = r[j][i];
    for (int i = 0; i < 3; i++) row_times(s->lattice[i], rt, s->lattice[i]);
}

static void shift_origin(lc_structure *s, const double d[3]) {
    for (int i = 0; i < s->n_atoms; i++)
        for (int k = 0; k < 3; k++) s->frac[i][k] += d[k];
    lc_structure_wrap(s);
}

static void random_shift(lc_structure *s, lc_rng *rng) {
    double d[3] = {lc_rng_uniform(rng), lc_rng_uniform(rng), lc_rng_uniform(rng)};
    shift_origin(s, d);
}

static void permute_atoms(lc_structure *s, lc_rng *rng) {
    for (int i = s->n_atoms - 1; i > 0; i--) {
        int j = (int)(lc_rng_uniform(rng) * (i + 1));
        int z = s->species[i];
        double f[3];
        memcpy(f, s->frac[i], sizeof f);
        s->species[i] = s->species[j];
        memcpy(s->frac[i], s->frac[j], sizeof f);
        s->species[j] = z;
        memcpy(s->frac[j], f, sizeof f);
    }
}

/* Moves atom i by the Cartesian vector d. */
static void move_atom(lc_structure *s, int i, const double d[3]) {
    double recip[3][3], df[3];
    lc_lattice_reciprocal(s->lattice, recip);
    lc_cart_to_frac(recip, d, df);
    for (int k = 0; k < 3; k++) s->frac[i][k] = lc_wrap_unit(s->frac[i][k] + df[k]);
}

/* Every atom by a random vector of length at most amplitude (Angstrom). */
static void rattle(lc_structure *s, double amplitude, lc_rng *rng) {
    for (int i = 0; i < s->n_atoms; i++) {
        double d[3], norm = 0;
        for (int k = 0; k < 3; k++) d[k] = lc_rng_normal(rng), norm += d[k] * d[k];
        double length = amplitude * lc_rng_uniform(rng) / sqrt(norm);
        for (int k = 0; k < 3; k++) d[k] *= length;
        move_atom(s, i, d);
    }
}

/* Mirror image through the origin (x -> -x: inversion, a reflection times a rotation). */
static void invert_atoms(lc_structure *s) {
    for (int i = 0; i < s->n_atoms; i++)
        for (int k = 0; k < 3; k++) s->frac[i][k] = lc_wrap_unit(-s->frac[i][k]);
}

/* ---- Checks ------------------------------------------------------------------------------------------------ */

/* The reported correspondence really carries b onto a: each atom of b, mapped by f M^-1 + shift, lands on an
 * atom of a of its species; and |det M| = V_a / V_b. */
static int result_maps(const lc_structure *a, const lc_structure *b, const lc_match_result *r, double tol,
                       double volume_tol) {
    double m_inv[3][3];
    invert(r->transformation, m_inv);
    double det = lc_lattice_volume(r->transformation); /* the determinant of the rows */
    double ratio = fabs(lc_lattice_volume(a->lattice) / lc_lattice_volume(b->lattice));
    if (fabs(fabs(det) - ratio) > volume_tol * ratio) {
        fprintf(stderr, "  |det M| = %g, volume ratio %g\n", fabs(det), ratio);
        return 0;
    }
    for (int j = 0; j < b->n_atoms; j++) {
        double f[3];
        row_times(b->frac[j], m_inv, f);
        for (int k = 0; k < 3; k++) f[k] += r->origin_shift[k];
        double best = INFINITY;
        for (int i = 0; i < a->n_atoms; i++)
            if (a->species[i] == b->species[j])
                best = fmin(best, lc_periodic_distance(a->lattice, f, a->frac[i], NULL));
        if (!(best <= tol)) {
            fprintf(stderr, "  atom %d of b lands %g A from any atom of a\n", j, best);
            return 0;
        }
    }
    return 1;
}

/* Matches both ways, with a result that maps atoms (within a few site tolerances: the mapping is checked in
 * a's lattice, not the mean one) and a volume ratio that the lattice tolerances allow. */
static void expect_match(const lc_structure *a, const lc_structure *b, const lc_match_options *opt,
                         const char *what) {
    lc_match_options o = opt ? *opt : lc_match_default_options();
    double volume_tol = 1e-9 + 4 * o.length_tolerance + 4 * o.angle_tolerance * 3.14159265358979 / 180;
    lc_match_result r;
    memset(&r, 0, sizeof r);
    int ab = lc_structure_match(a, b, &o, &r);
    CHECK_MSG(ab == 1, "%s: a vs b", what);
    if (ab == 1) {
        CHECK_MSG(r.max_displacement <= o.site_tolerance, "%s: max displacement %g", what, r.max_displacement);
        CHECK_MSG(r.rms_displacement <= r.max_displacement + 1e-15, "%s: rms %g", what, r.rms_displacement);
        CHECK_MSG(result_maps(a, b, &r, 3 * o.site_tolerance + 1e-9, volume_tol), "%s: reported correspondence", what);
    }
    memset(&r, 0, sizeof r);
    int ba = lc_structure_match(b, a, &o, &r);
    CHECK_MSG(ba == 1, "%s: b vs a", what);
    if (ba == 1)
        CHECK_MSG(result_maps(b, a, &r, 3 * o.site_tolerance + 1e-9, volume_tol), "%s: correspondence b->a", what);
}

static void expect_no_match(const lc_structure *a, const lc_structure *b, const lc_match_options *opt,
                            const char *what) {
    CHECK_MSG(lc_structure_match(a, b, opt, NULL) == 0, "%s: a vs b matched", what);
    CHECK_MSG(lc_structure_match(b, a, opt, NULL) == 0, "%s: b vs a matched", what);
}

/* ---- Tests ------------------------------------------------------------------------------------------------- */

static void test_self(void) {
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure s;
        builders[k](&s);
        lc_match_result r;
        CHECK_MSG(lc_structure_match(&s, &s, NULL, &r) == 1, "%s", builder_names[k]);
        CHECK_NEAR(r.max_displacement, 0.0, 1e-12);
        CHECK(r.mirror == 0);
        expect_match(&s, &s, NULL, builder_names[k]);
        lc_structure_free(&s);
    }
}

static void test_origin_shift_and_permutation(void) {
    lc_rng rng;
    lc_rng_init(&rng, 1, 0, 0);
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        for (int trial = 0; trial < 5; trial++) {
            lc_structure_copy(&b, &a);
            random_shift(&b, &rng);
            expect_match(&a, &b, NULL, builder_names[k]);
            permute_atoms(&b, &rng);
            expect_match(&a, &b, NULL, builder_names[k]);
            lc_structure_free(&b);
        }
        lc_structure_free(&a);
    }
}

static void test_change_of_basis(void) {
    static const int transforms[][3][3] = {
        {{1, 1, 0}, {0, 1, 0}, {0, 0, 1}},   {{0, 1, 0}, {0, 0, 1}, {1, 0, 0}},   {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}},
        {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}},   /* det -1: a left-handed basis of the same (unmirrored) crystal */
        {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}}, {{1, 2, 1}, {0, 1, 3}, {1, 2, 2}}, {{2, -1, 0}, {3, -1, 1}, {0, 0, 1}},
    };
    int n_transforms = (int)(sizeof transforms / sizeof transforms[0]);
    lc_rng rng;
    lc_rng_init(&rng, 2, 0, 0);
    lc_match_options no_mirror = lc_match_default_options();
    no_mirror.allow_mirror = 0;
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        for (int t = 0; t < n_transforms; t++) {
            CHECK(abs(det_int(transforms[t])) == 1);
            lc_structure_copy(&b, &a);
            change_basis(&b, transforms[t]);
            random_shift(&b, &rng);
            expect_match(&a, &b, NULL, builder_names[k]);
            /* A basis change never mirrors the atoms, whatever the sign of its determinant. */
            lc_match_result r;
            CHECK_MSG(lc_structure_match(&a, &b, &no_mirror, &r) == 1, "%s, transform %d", builder_names[k], t);
            CHECK(r.mirror == 0);
            lc_structure_free(&b);
        }
        lc_structure_free(&a);
    }
}

static void test_rotated_frame(void) {
    lc_rng rng;
    lc_rng_init(&rng, 3, 0, 0);
    lc_match_options no_mirror = lc_match_default_options();
    no_mirror.allow_mirror = 0;
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        for (int trial = 0; trial < 3; trial++) {
            lc_structure_copy(&b, &a);
            rotate_frame(&b, &rng);
            random_shift(&b, &rng);
            permute_atoms(&b, &rng);
            expect_match(&a, &b, &no_mirror, builder_names[k]);
            lc_structure_free(&b);
        }
        lc_structure_free(&a);
    }
}

static void test_supercells(void) {
    lc_rng rng;
    lc_rng_init(&rng, 4, 0, 0);
    static const int sizes[][3] = {{2, 1, 1}, {2, 2, 1}, {1, 3, 2}};
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        for (int s = 0; s < 3; s++) {
            supercell(&b, &a, sizes[s][0], sizes[s][1], sizes[s][2]);
            expect_match(&a, &b, NULL, builder_names[k]);
            /* and written in another basis, frame and origin */
            change_basis(&b, (const int[3][3]){{1, 1, 0}, {0, 1, 0}, {1, 0, 1}});
            rotate_frame(&b, &rng);
            random_shift(&b, &rng);
            permute_atoms(&b, &rng);
            expect_match(&a, &b, NULL, builder_names[k]);
            lc_match_result r;
            CHECK(lc_structure_match(&b, &a, NULL, &r) == 1);
            double n = sizes[s][0] * sizes[s][1] * sizes[s][2];
            CHECK_NEAR(fabs(lc_lattice_volume(r.transformation)), n, 1e-9 * n);
            lc_structure_free(&b);
        }
        lc_structure_free(&a);
    }
    /* Two supercells of one crystal that are not supercells of each other. */
    lc_structure a, b, c;
    random_cell(&a, 7);
    supercell(&b, &a, 2, 1, 1);
    supercell(&c, &a, 1, 1, 3);
    expect_match(&b, &c, NULL, "2x1x1 vs 1x1x3");
    lc_structure_free(&a);
    lc_structure_free(&b);
    lc_structure_free(&c);
}

static void test_diamond_cells(void) {
    lc_structure conventional, primitive;
    diamond(&conventional);
    diamond_primitive(&primitive);
    expect_match(&conventional, &primitive, NULL, "diamond conventional vs primitive");
    lc_match_result r;
    CHECK(lc_structure_match(&conventional, &primitive, NULL, &r) == 1);
    CHECK_NEAR(fabs(lc_lattice_volume(r.transformation)), 4.0, 1e-9);

    lc_match_cell cell;
    CHECK(lc_match_cell_init(&cell, &conventional, NULL) == 0);
    CHECK(cell.n_translations == 4);
    CHECK(cell.primitive.n_atoms == 2);
    CHECK_NEAR(fabs(lc_lattice_volume(cell.primitive.lattice)), pow(3.567, 3) / 4, 1e-9);
    lc_match_cell_free(&cell);
    lc_structure_free(&conventional);
    lc_structure_free(&primitive);
}

static void test_small_displacements(void) {
    lc_rng rng;
    lc_rng_init(&rng, 5, 0, 0);
    lc_match_options o = lc_match_default_options();
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        lc_structure_copy(&b, &a);
        /* each atom by at most 0.4 tol: after the mean is removed, at most 0.8 tol */
        rattle(&b, 0.4 * o.site_tolerance, &rng);
        rotate_frame(&b, &rng);
        random_shift(&b, &rng);
        expect_match(&a, &b, &o, builder_names[k]);
        lc_match_result r;
        CHECK(lc_structure_match(&a, &b, &o, &r) == 1);
        CHECK(r.max_displacement > 0 && r.max_displacement <= 0.8 * o.site_tolerance);
        lc_structure_free(&b);

        /* the same in a 2x1x1 supercell, where the primitive search must see through the noise */
        lc_structure big;
        supercell(&big, &a, 2, 1, 1);
        rattle(&big, 0.4 * o.site_tolerance, &rng);
        expect_match(&a, &big, &o, builder_names[k]);
        lc_structure_free(&big);
        lc_structure_free(&a);
    }
}

static void test_moved_atom(void) {
    lc_rng rng;
    lc_rng_init(&rng, 6, 0, 0);
    lc_match_options o = lc_match_default_options();
    double d[3] = {0.6 * 3 * o.site_tolerance, -0.8 * 3 * o.site_tolerance, 0}; /* 3 tol */
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        lc_structure_copy(&b, &a);
        move_atom(&b, 1, d);
        expect_no_match(&a, &b, &o, builder_names[k]);
        /* the same structures agree when the tolerance allows it */
        lc_match_options loose = o;
        loose.site_tolerance = 10 * o.site_tolerance;
        expect_match(&a, &b, &loose, builder_names[k]);
        /* seen through another cell */
        change_basis(&b, (const int[3][3]){{1, 0, 1}, {0, 1, 0}, {0, 0, 1}});
        rotate_frame(&b, &rng);
        expect_no_match(&a, &b, &o, builder_names[k]);
        lc_structure_free(&b);

        /* 1.5 tol: within the pairing radius of the anchored shift, but beyond tol after the least-squares one */
        lc_structure_copy(&b, &a);
        move_atom(&b, 0, (const double[3]){0, 0, 1.5 * o.site_tolerance});
        expect_no_match(&a, &b, &o, builder_names[k]);
        change_basis(&b, (const int[3][3]){{0, 1, 0}, {1, 0, 1}, {0, 0, 1}});
        expect_no_match(&a, &b, &o, builder_names[k]);
        lc_structure_free(&b);

        /* one atom of one copy in a supercell: no longer a supercell of a */
        supercell(&b, &a, 2, 1, 1);
        move_atom(&b, a.n_atoms + 1, d);
        expect_no_match(&a, &b, &o, builder_names[k]);
        lc_structure_free(&b);
        lc_structure_free(&a);
    }
}

static void test_species_and_missing_atoms(void) {
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        lc_structure_copy(&b, &a);
        b.species[0] = 92; /* another element */
        expect_no_match(&a, &b, NULL, builder_names[k]);
        lc_structure_free(&b);

        lc_structure_copy(&b, &a);
        b.n_atoms--; /* missing atom */
        expect_no_match(&a, &b, NULL, builder_names[k]);
        b.n_atoms++;
        lc_structure_free(&b);

        lc_structure_copy(&b, &a);
        for (int i = 0; i < b.n_atoms; i++) b.species[i] = Z_SI; /* everything relabelled */
        if (a.species[0] != Z_SI) expect_no_match(&a, &b, NULL, builder_names[k]);
        lc_structure_free(&b);

        /* missing atom in a supercell: 2N - 1 atoms */
        supercell(&b, &a, 2, 1, 1);
        b.n_atoms--;
        expect_no_match(&a, &b, NULL, builder_names[k]);
        b.n_atoms++;
        lc_structure_free(&b);
        lc_structure_free(&a);
    }
    /* Same composition, two atoms of different species swapped: another crystal. */
    lc_structure a, b;
    random_cell(&a, 7);
    lc_structure_copy(&b, &a);
    b.species[0] = a.species[11];
    b.species[11] = a.species[0];
    expect_no_match(&a, &b, NULL, "random12, Ti and O swapped");
    lc_structure_free(&b);
    lc_structure_free(&a);
}

static void test_strain(void) {
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure a, b;
        builders[k](&a);
        lc_structure_copy(&b, &a);
        for (int c = 0; c < 3; c++) b.lattice[0][c] *= 1.02;
        expect_no_match(&a, &b, NULL, builder_names[k]);
        /* a lattice tolerance of 5 percent accepts it: the sites are judged in the mean lattice */
        lc_match_options o = lc_match_default_options();
        o.length_tolerance = 0.05;
        o.angle_tolerance = 3;
        expect_match(&a, &b, &o, builder_names[k]);
        lc_match_result r;
        CHECK(lc_structure_match(&a, &b, &o, &r) == 1);
        CHECK(r.length_misfit > 0.005 && r.length_misfit <= 0.05);
        lc_structure_free(&b);

        /* shear by 2 degrees */
        lc_structure_copy(&b, &a);
        for (int c = 0; c < 3; c++) b.lattice[2][c] += 0.035 * sqrt(a.lattice[2][0] * a.lattice[2][0] +
                                                                    a.lattice[2][1] * a.lattice[2][1] +
                                                                    a.lattice[2][2] * a.lattice[2][2]) *
                                                       a.lattice[0][c] /
                                                       sqrt(a.lattice[0][0] * a.lattice[0][0] +
                                                            a.lattice[0][1] * a.lattice[0][1] +
                                                            a.lattice[0][2] * a.lattice[0][2]);
        expect_no_match(&a, &b, NULL, builder_names[k]);
        lc_structure_free(&b);
        lc_structure_free(&a);
    }
}

static void test_mirror(void) {
    lc_match_options no_mirror = lc_match_default_options();
    no_mirror.allow_mirror = 0;
    lc_rng rng;
    lc_rng_init(&rng, 8, 0, 0);

    /* A P1 cell is chiral: its inverted copy is its mirror image. */
    lc_structure a, b;
    random_cell(&a, 7);
    lc_structure_copy(&b, &a);
    invert_atoms(&b);
    rotate_frame(&b, &rng);
    random_shift(&b, &rng);
    expect_match(&a, &b, NULL, "random12 mirror image, mirrors allowed");
    lc_match_result r;
    CHECK(lc_structure_match(&a, &b, NULL, &r) == 1);
    CHECK(r.mirror == 1);
    expect_no_match(&a, &b, &no_mirror, "random12 mirror image, mirrors not allowed");

    /* The mirror image through the yz plane, written in the mirrored (left-handed) basis: same metric, same
     * fractional coordinates, negative volume. */
    lc_structure_free(&b);
    lc_structure_copy(&b, &a);
    for (int i = 0; i < 3; i++) b.lattice[i][0] = -b.lattice[i][0];
    CHECK(lc_lattice_volume(b.lattice) < 0);
    CHECK(lc_structure_match(&a, &b, NULL, &r) == 1);
    CHECK(r.mirror == 1);
    expect_no_match(&a, &b, &no_mirror, "random12 mirrored through a plane");
    /* ... and in a right-handed basis again: still the mirror image */
    change_basis(&b, (const int[3][3]){{1, 0, 0}, {0, 1, 0}, {0, 0, -1}});
    CHECK(lc_lattice_volume(b.lattice) > 0);
    CHECK(lc_structure_match(&a, &b, NULL, &r) == 1);
    CHECK(r.mirror == 1);
    expect_no_match(&a, &b, &no_mirror, "random12 mirrored, right-handed basis");
    lc_structure_free(&b);
    lc_structure_free(&a);

    /* Diamond is centrosymmetric: its inverted copy is itself. */
    diamond(&a);
    lc_structure_copy(&b, &a);
    invert_atoms(&b);
    shift_origin(&b, (const double[3]){0.1, 0.2, 0.3});
    expect_match(&a, &b, &no_mirror, "diamond inverted");
    lc_structure_free(&b);
    lc_structure_free(&a);
}

static void test_other_crystals(void) {
    lc_structure a, b;
    graphite(&a);
    graphite_aa(&b);
    expect_no_match(&a, &b, NULL, "graphite AB vs AA");
    lc_structure_free(&b);
    diamond_primitive(&b);
    expect_no_match(&a, &b, NULL, "graphite vs diamond");
    lc_structure_free(&b);
    lc_structure_free(&a);

    lc_structure c;
    random_cell(&a, 7);
    random_cell(&b, 8);
    expect_no_match(&a, &b, NULL, "two random cells");
    /* Same atoms, wrong cell size: 12 atoms in a doubled cell are half as dense. */
    supercell(&c, &a, 2, 1, 1);
    c.n_atoms = 12;
    expect_no_match(&a, &c, NULL, "random12 atoms in a doubled cell");
    lc_structure_free(&c);
    lc_structure_free(&b);
    lc_structure_free(&a);

    /* No atoms, or a flat cell: never a match. */
    lc_structure_init(&a, 0);
    from_parameters(&a, 3, 3, 3, 90, 90, 90);
    CHECK(lc_structure_match(&a, &a, NULL, NULL) == 0);
    lc_structure_free(&a);
    graphite(&a);
    lc_structure_copy(&b, &a);
    memset(b.lattice[2], 0, sizeof b.lattice[2]);
    CHECK(lc_structure_match(&a, &b, NULL, NULL) == 0);
    lc_match_cell cell;
    CHECK(lc_match_cell_init(&cell, &b, NULL) == -1);
    lc_structure_free(&b);
    lc_structure_free(&a);
}

/* Prepared cells give the verdicts of lc_structure_match. */
static void test_prepared_cells(void) {
    lc_rng rng;
    lc_rng_init(&rng, 9, 0, 0);
    lc_structure s[4];
    random_cell(&s[0], 7);
    supercell(&s[1], &s[0], 2, 2, 1);
    rotate_frame(&s[1], &rng);
    random_cell(&s[2], 8);
    lc_structure_copy(&s[3], &s[0]);
    invert_atoms(&s[3]);
    lc_match_cell cells[4];
    for (int i = 0; i < 4; i++) CHECK(lc_match_cell_init(&cells[i], &s[i], NULL) == 0);
    CHECK(cells[1].n_translations == 4);
    CHECK(cells[1].primitive.n_atoms == 12);
    for (int i = 1; i < 12; i++) CHECK(cells[1].primitive.species[i - 1] <= cells[1].primitive.species[i]);
    lc_match_options no_mirror = lc_match_default_options();
    no_mirror.allow_mirror = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            int expected = (i == 2) == (j == 2);
            CHECK_MSG(lc_match_cells(&cells[i], &cells[j], NULL, NULL) == expected, "cells %d %d", i, j);
            CHECK_MSG(lc_structure_match(&s[i], &s[j], NULL, NULL) == expected, "structures %d %d", i, j);
            int expected_proper = expected && ((i == 3) == (j == 3));
            CHECK_MSG(lc_match_cells(&cells[i], &cells[j], &no_mirror, NULL) == expected_proper, "proper %d %d", i,
                      j);
        }
    for (int i = 0; i < 4; i++) {
        lc_match_cell_free(&cells[i]);
        lc_structure_free(&s[i]);
    }
}

/* General supercell: lattice rows s * lattice (integer s, det > 0), every atom image inside the new cell. */
static void supercell_matrix(lc_structure *out, const lc_structure *in, const int s[3][3]) {
    double sd[3][3], s_inv[3][3];
    int reach = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) sd[i][j] = s[i][j], reach += abs(s[i][j]);
    invert(sd, s_inv);
    lc_structure_init(out, 0);
    for (int i = 0; i < 3; i++) row_times(sd[i], in->lattice, out->lattice[i]);
    for (int a = 0; a < in->n_atoms; a++)
        for (int n0 = -reach; n0 <= reach; n0++)
            for (int n1 = -reach; n1 <= reach; n1++)
                for (int n2 = -reach; n2 <= reach; n2++) {
                    double f[3] = {in->frac[a][0] + n0, in->frac[a][1] + n1, in->frac[a][2] + n2};
                    row_times(f, s_inv, f);
                    int inside = 1;
                    for (int k = 0; k < 3; k++) inside &= f[k] >= -1e-9 && f[k] < 1 - 1e-9;
                    if (!inside) continue;
                    for (int k = 0; k < 3; k++) f[k] = lc_wrap_unit(f[k]);
                    lc_structure_append(out, in->species[a], f);
                }
}

/* Random crystals seen through random supercells (det 1..4, not diagonal), bases, frames, origins and orders
 * match; with one atom moved by 3 tol they do not. */
static void test_random_correspondences(void) {
    lc_rng rng;
    lc_rng_init(&rng, 11, 0, 0);
    static const int elements[3] = {Z_C, Z_O, Z_SI};
    for (int trial = 0; trial < 60; trial++) {
        lc_structure a, b;
        int n = 1 + (int)(lc_rng_uniform(&rng) * 9), species[10];
        for (int i = 0; i < n; i++) species[i] = elements[(int)(lc_rng_uniform(&rng) * 3)];
        lc_structure_init(&a, n);
        double scale = cbrt(12.0 * n);
        from_parameters(&a, scale * (0.8 + 0.4 * lc_rng_uniform(&rng)), scale * (0.8 + 0.4 * lc_rng_uniform(&rng)),
                        scale * (0.8 + 0.4 * lc_rng_uniform(&rng)), 70 + 40 * lc_rng_uniform(&rng),
                        70 + 40 * lc_rng_uniform(&rng), 70 + 40 * lc_rng_uniform(&rng));
        random_atoms(&a, species, n, 1.2, &rng);

        /* Hermite form with determinant d, then a unimodular shear */
        int d = 1 + (int)(lc_rng_uniform(&rng) * 4), d0 = d == 4 && lc_rng_uniform(&rng) < 0.5 ? 2 : d;
        int h[3][3] = {{d0, 0, 0}, {0, d / d0, 0}, {0, 0, 1}};
        h[0][1] = (int)(lc_rng_uniform(&rng) * h[1][1]);
        h[0][2] = (int)(lc_rng_uniform(&rng) * h[2][2]);
        supercell_matrix(&b, &a, (const int(*)[3])h);
        CHECK_MSG(b.n_atoms == n * d, "supercell of det %d has %d atoms, not %d", d, b.n_atoms, n * d);
        int shear[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        shear[(trial + 1) % 3][trial % 3] = (int)(lc_rng_uniform(&rng) * 5) - 2;
        change_basis(&b, (const int(*)[3])shear);
        rotate_frame(&b, &rng);
        random_shift(&b, &rng);
        permute_atoms(&b, &rng);
        expect_match(&a, &b, NULL, "random supercell");
        lc_match_result r;
        if (lc_structure_match(&b, &a, NULL, &r) == 1)
            CHECK_NEAR(fabs(lc_lattice_volume(r.transformation)), (double)d, 1e-9 * d);

        int moved = (int)(lc_rng_uniform(&rng) * b.n_atoms);
        move_atom(&b, moved, (const double[3]){0, 3e-3, 0});
        if (b.n_atoms > 1) /* moving the only atom just moves the origin */
            expect_no_match(&a, &b, NULL, "random supercell, one atom moved");
        lc_structure_free(&b);
        lc_structure_free(&a);
    }
}

/* spglib's standardised cells (conventional and primitive, rotated to its standard orientation, origin moved)
 * of a structure written in an awkward supercell are the same crystal: what the augmentation test relies on. */
static void test_spglib_standardized(void) {
    lc_symmetry_options symmetry = lc_symmetry_default_options();
    for (int k = 0; k < N_BUILDERS; k++) {
        lc_structure base, input;
        builders[k](&base);
        supercell(&input, &base, 1, 2, 1);
        change_basis(&input, (const int[3][3]){{1, 1, 0}, {0, 1, 0}, {1, 0, 1}});
        shift_origin(&input, (const double[3]){0.13, 0.31, 0.07});
        for (int to_primitive = 0; to_primitive < 2; to_primitive++) {
            lc_structure standard;
            lc_error err;
            int rc = lc_symmetry_standardize(&input, to_primitive, &symmetry, &standard, &err);
            CHECK_MSG(rc == 0, "%s: %s", builder_names[k], err.message);
            if (rc != 0) continue;
            expect_match(&base, &standard, NULL, builder_names[k]);
            expect_match(&input, &standard, NULL, builder_names[k]);
            lc_structure_free(&standard);
        }
        lc_structure_free(&input);
        lc_structure_free(&base);
    }
}

/* Pairs written by match_pymatgen.py with pymatgen's StructureMatcher verdicts (loose tolerances). Every
 * "exact" pair (same crystal in another cell, frame, origin, order, mirror image, 2e-4 A noise) must match and
 * every other one (an atom moved by 0.01 A or more, strain of 2 percent or more, swapped or missing atoms) must
 * not; and nothing pymatgen rejects may match here, the strict tolerances being far tighter. */
static int read_cell(FILE *f, lc_structure *s) {
    int n;
    if (fscanf(f, " cell %d", &n) != 1 || n < 0 || n > 100000) return -1;
    lc_structure_init(s, n);
    for (int i = 0; i < 3; i++)
        if (fscanf(f, "%lf %lf %lf", &s->lattice[i][0], &s->lattice[i][1], &s->lattice[i][2]) != 3) return -1;
    for (int i = 0; i < n; i++)
        if (fscanf(f, "%d %lf %lf %lf", &s->species[i], &s->frac[i][0], &s->frac[i][1], &s->frac[i][2]) != 4)
            return -1;
    return 0;
}

static void test_pymatgen_pairs(void) {
    const char *path = LEGOCRYST_SOURCE_DIR "/tests/symmetry/match_pymatgen_pairs.txt";
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f) return;
    char line[512];
    int pairs = 0, exact_pairs = 0, pymatgen_matches = 0, strict_matches = 0;
    while (fgets(line, sizeof line, f)) {
        char name[256];
        int exact, pymatgen;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "pair %255s %d %d", name, &exact, &pymatgen) != 3) {
            CHECK_MSG(0, "%s: unexpected line %s", path, line);
            break;
        }
        lc_structure a = {0}, b = {0};
        int ok = read_cell(f, &a) == 0;
        ok = ok && read_cell(f, &b) == 0;
        CHECK_MSG(ok, "%s: pair %s unreadable", path, name);
        if (!ok) {
            lc_structure_free(&a);
            lc_structure_free(&b);
            break;
        }
        int ab = lc_structure_match(&a, &b, NULL, NULL), ba = lc_structure_match(&b, &a, NULL, NULL);
        CHECK_MSG(ab == exact && ba == exact, "%s: strict %d/%d, expected %d (pymatgen %d)", name, ab, ba, exact,
                  pymatgen);
        CHECK_MSG(!ab || pymatgen, "%s: strict match that pymatgen rejects", name);
        if (exact) CHECK_MSG(pymatgen, "%s: fixture says exact, pymatgen disagrees", name);
        pairs++;
        exact_pairs += exact;
        pymatgen_matches += pymatgen;
        strict_matches += ab;
        lc_structure_free(&a);
        lc_structure_free(&b);
    }
    fclose(f);
    CHECK(pairs >= 80 && exact_pairs >= 40);
    printf("     pymatgen pairs: %d, %d the same crystal; pymatgen matches %d, strict matches %d\n", pairs,
           exact_pairs, pymatgen_matches, strict_matches);
}

/* ---- Benchmark --------------------------------------------------------------------------------------------- */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* A random single-species (carbon) P1 cell of n atoms at 9 A^3 per atom, like the sp2 carbons of LEGO-Cryst;
 * cubic != 0 puts them in a cube, whose 48 lattice automorphisms a failed match must all try. */
static void carbon_cell(lc_structure *s, int n, int cubic, uint64_t seed) {
    lc_rng rng;
    lc_rng_init(&rng, seed, 0, 0);
    lc_structure_init(s, n);
    double edge = cbrt(9.0 * n);
    if (cubic) from_parameters(s, edge, edge, edge, 90, 90, 90);
    else from_parameters(s, edge, 1.05 * edge, 0.95 * edge, 88, 95, 101);
    int *species = lc_malloc(sizeof *species * (size_t)n);
    for (int i = 0; i < n; i++) species[i] = Z_C;
    random_atoms(s, species, n, 1.35, &rng);
    free(species);
}

static void bench_case(const char *what, const lc_structure *a, const lc_structure *b, int expected) {
    int calls = 0, wrong = 0;
    double start = now(), elapsed;
    do {
        for (int k = 0; k < 10; k++, calls++) wrong += lc_structure_match(a, b, NULL, NULL) != expected;
        elapsed = now() - start;
    } while (elapsed < 1.0);
    printf("  %-46s %8.0f matches/s  (%.3f ms each)%s\n", what, calls / elapsed, 1e3 * elapsed / calls,
           wrong ? "  WRONG VERDICT" : "");
}

/* lc_match_cells on cells prepared once, as deduplication would call it. */
static void bench_prepared(const char *what, const lc_structure *a, const lc_structure *b, int expected) {
    lc_match_cell ca, cb;
    lc_match_cell_init(&ca, a, NULL);
    lc_match_cell_init(&cb, b, NULL);
    int calls = 0, wrong = 0;
    double start = now(), elapsed;
    do {
        for (int k = 0; k < 10; k++, calls++) wrong += lc_match_cells(&ca, &cb, NULL, NULL) != expected;
        elapsed = now() - start;
    } while (elapsed < 1.0);
    printf("  %-46s %8.0f matches/s  (%.3f ms each)%s\n", what, calls / elapsed, 1e3 * elapsed / calls,
           wrong ? "  WRONG VERDICT" : "");
    lc_match_cell_free(&ca);
    lc_match_cell_free(&cb);
}

static int bench(void) {
    static const int sizes[] = {64, 168};
    lc_rng rng;
    lc_rng_init(&rng, 10, 0, 0);
    for (int cubic = 0; cubic < 2; cubic++)
        for (int k = 0; k < 2; k++) {
            lc_structure a, b;
            carbon_cell(&a, sizes[k], cubic, 100 + (uint64_t)k);
            printf("%d-atom primitive carbon cell, %s lattice\n", sizes[k], cubic ? "cubic" : "triclinic");
            lc_structure_copy(&b, &a);
            random_shift(&b, &rng);
            permute_atoms(&b, &rng);
            bench_case("same cell, shifted origin, permuted", &a, &b, 1);
            lc_structure_free(&b);

            lc_structure_copy(&b, &a);
            change_basis(&b, (const int[3][3]){{0, 1, 0}, {-1, 1, 0}, {0, 0, 1}});
            rotate_frame(&b, &rng);
            random_shift(&b, &rng);
            bench_case("other basis, rotated frame, shifted", &a, &b, 1);
            bench_prepared("  the same on prepared cells", &a, &b, 1);
            lc_structure_free(&b);

            supercell(&b, &a, 2, 1, 1);
            rotate_frame(&b, &rng);
            random_shift(&b, &rng);
            bench_case("2x1x1 supercell, rotated, shifted", &a, &b, 1);
            lc_structure_free(&b);

            lc_structure_copy(&b, &a);
            change_basis(&b, (const int[3][3]){{0, 1, 0}, {-1, 1, 0}, {0, 0, 1}});
            move_atom(&b, 5, (const double[3]){0.003, 0, 0});
            bench_case("one atom moved 3e-3 A, other basis: no match", &a, &b, 0);
            bench_prepared("  the same on prepared cells", &a, &b, 0);
            lc_structure_free(&b);
            lc_structure_free(&a);
        }
    lc_structure conventional, big, primitive;
    diamond(&conventional);
    supercell(&big, &conventional, 4, 4, 4);
    diamond_primitive(&primitive);
    rotate_frame(&primitive, &rng);
    printf("diamond\n");
    bench_case("4x4x4 conventional (512 atoms) vs primitive", &big, &primitive, 1);
    lc_structure_free(&conventional);
    lc_structure_free(&big);
    lc_structure_free(&primitive);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) return bench();
    RUN_TEST(test_self);
    RUN_TEST(test_origin_shift_and_permutation);
    RUN_TEST(test_change_of_basis);
    RUN_TEST(test_rotated_frame);
    RUN_TEST(test_supercells);
    RUN_TEST(test_diamond_cells);
    RUN_TEST(test_small_displacements);
    RUN_TEST(test_moved_atom);
    RUN_TEST(test_species_and_missing_atoms);
    RUN_TEST(test_strain);
    RUN_TEST(test_mirror);
    RUN_TEST(test_other_crystals);
    RUN_TEST(test_prepared_cells);
    RUN_TEST(test_random_correspondences);
    RUN_TEST(test_spglib_standardized);
    RUN_TEST(test_pymatgen_pairs);
    return test_summary();
}
