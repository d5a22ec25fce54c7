/* SO(3) descriptor: PyXtal fixtures (committed, from scripts/so3_fixtures.py), invariances, species weighting,
 * and finite-difference checks of the position, strain and lattice derivatives on random skewed cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "core/random_cell.h"
#include "core/rng.h"
#include "envopt/rdf.h"
#include "envopt/so3.h"
#include "envopt/so3_cells.h"
#include "test.h"

enum { MAXC = 256 };

static double max_abs(const double *v, int n) {
    double m = 0;
    for (int k = 0; k < n; k++) m = fmax(m, fabs(v[k]));
    return m;
}

static void all_descriptors(const lc_so3_plan *plan, const lc_structure *s, double *p) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, plan->options.rcut);
    for (int i = 0; i < s->n_atoms; i++) lc_so3_descriptor_nl(plan, s, &nl, i, p + (size_t)i * plan->n_components, NULL);
    lc_neighbor_list_free(&nl);
}

/* |a - b| <= tol max|b| component-wise over n numbers; returns the worst ratio |a - b| / max|b|. */
static double compare(const double *a, const double *b, int n, double tol, const char *what) {
    double scale = max_abs(b, n), worst = 0;
    for (int k = 0; k < n; k++) {
        double d = fabs(a[k] - b[k]) / (scale > 0 ? scale : 1);
        worst = fmax(worst, d);
        CHECK_MSG(d <= tol, "%s: component %d: %.17g vs %.17g", what, k, a[k], b[k]);
    }
    return worst;
}

/* ---- PyXtal fixtures ----------------------------------------------------------------------------------------- */

static void test_pyxtal_fixtures(void) {
    const char *path = LEGOCRYST_SOURCE_DIR "/tests/envopt/fixtures/so3_pyxtal.txt";
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "cannot open %s", path);
    if (!f) return;
    char line[8192];
    int cases = 0;
    double worst = 0, worst_exact = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        int weight_on, nmax, lmax, n_atoms;
        double alpha, rcut;
        if (sscanf(line, "case %63s %d %d %d %lf %lf %d", name, &weight_on, &nmax, &lmax, &alpha, &rcut, &n_atoms) != 7)
            continue;
        /* the default radial table and PyXtal's quadrature per neighbour, both within 1e-8 */
        lc_so3_options o = {nmax, lmax, alpha, rcut, weight_on ? LC_SO3_WEIGHT_SIGNED_Z : LC_SO3_WEIGHT_Z, 1024};
        lc_so3_plan plan, exact;
        CHECK(lc_so3_init(&plan, &o, NULL) == 0);
        o.table_intervals = 0;
        CHECK(lc_so3_init(&exact, &o, NULL) == 0);
        lc_structure s;
        lc_structure_init(&s, n_atoms);
        CHECK(fgets(line, sizeof line, f) != NULL);
        double *l = &s.lattice[0][0];
        CHECK(sscanf(line, "lattice %lf %lf %lf %lf %lf %lf %lf %lf %lf", l, l + 1, l + 2, l + 3, l + 4, l + 5, l + 6,
                     l + 7, l + 8) == 9);
        for (int i = 0; i < n_atoms; i++) {
            CHECK(fgets(line, sizeof line, f) != NULL);
            CHECK(sscanf(line, "atom %d %lf %lf %lf", &s.species[i], &s.frac[i][0], &s.frac[i][1], &s.frac[i][2]) == 4);
        }
        double *p = malloc((size_t)n_atoms * plan.n_components * sizeof *p);
        double *pe = malloc((size_t)n_atoms * plan.n_components * sizeof *pe);
        all_descriptors(&plan, &s, p);
        all_descriptors(&exact, &s, pe);
        for (int i = 0; i < n_atoms; i++) {
            CHECK(fgets(line, sizeof line, f) != NULL);
            double ref[MAXC];
            char *at = line;
            int atom = (int)strtol(at + 2, &at, 10), n = 0;
            CHECK(atom == i);
            for (char *end; n < MAXC; n++, at = end) {
                ref[n] = strtod(at, &end);
                if (end == at) break;
            }
            CHECK(n == plan.n_components);
            /* 1e-8 of the atom's largest component (single components may nearly cancel) */
            char what[96];
            snprintf(what, sizeof what, "%s atom %d", name, i);
            worst = fmax(worst, compare(p + (size_t)i * plan.n_components, ref, plan.n_components, 1e-8, what));
            worst_exact = fmax(worst_exact, compare(pe + (size_t)i * plan.n_components, ref, plan.n_components, 1e-8, what));
        }
        free(p);
        free(pe);
        lc_structure_free(&s);
        lc_so3_free(&plan);
        lc_so3_free(&exact);
        cases++;
    }
    fclose(f);
    CHECK(cases == 5);
    printf("  %d PyXtal cases, worst |p - p_pyxtal| / max|p_pyxtal| = %.3g (table), %.3g (quadrature)\n", cases, worst,
           worst_exact);
}

/* ---- symmetry and invariances -------------------------------------------------------------------------------- */

/* Every atom of graphite (2b + 2c) and of diamond (8a) sees the same environment: one per orbit is enough. */
static void test_equivalent_atoms(void) {
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan plan;
    lc_so3_init(&plan, &o, NULL);
    lc_structure g, d;
    build_graphite(&g, 2.46, 6.70);
    build_diamond(&d, 3.567);
    double pg[4 * 15], pd[8 * 15];
    all_descriptors(&plan, &g, pg);
    all_descriptors(&plan, &d, pd);
    for (int i = 1; i < 4; i++) compare(pg + 15 * i, pg, 15, 1e-13, "graphite atoms");
    for (int i = 1; i < 8; i++) compare(pd + 15 * i, pd, 15, 1e-13, "diamond atoms");
    /* and the two differ (3 versus 4 neighbours) */
    CHECK(fabs(pg[0] - pd[0]) > 1);
    lc_structure_free(&g);
    lc_structure_free(&d);
    lc_so3_free(&plan);
}

static void random_rotation(lc_rng *rng, double r[3][3]) {
    double q[4], n = 0;
    for (int k = 0; k < 4; k++) {
        q[k] = lc_rng_normal(rng);
        n += q[k] * q[k];
    }
    n = sqrt(n);
    double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
    double m[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
                      {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
                      {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}};
    memcpy(r, m, sizeof m);
}

static void test_invariances(void) {
    lc_rng rng;
    lc_rng_init(&rng, 7, 1, 0);
    const int species[2] = {6, 7};
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan plan;
    lc_so3_init(&plan, &o, NULL);
    const int nc = plan.n_components;
    for (int trial = 0; trial < 4; trial++) {
        lc_structure s;
        build_random_cell(&rng, 7, 0.16, species, 2, 1.1, &s);
        const int n = s.n_atoms;
        double *p0 = malloc((size_t)n * nc * sizeof *p0), *p1 = malloc((size_t)8 * n * nc * sizeof *p1);
        all_descriptors(&plan, &s, p0);
        CHECK(max_abs(p0, n * nc) > 0.1); /* the cells do have neighbours */

        /* rotation of the frame: lattice rows rotated, fractions kept */
        lc_structure t;
        lc_structure_copy(&t, &s);
        double r[3][3];
        random_rotation(&rng, r);
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) t.lattice[a][c] = r[c][0] * s.lattice[a][0] + r[c][1] * s.lattice[a][1] + r[c][2] * s.lattice[a][2];
        all_descriptors(&plan, &t, p1);
        compare(p1, p0, n * nc, 1e-12, "rotated frame");

        /* rigid translation (origin shift) */
        double shift[3] = {lc_rng_uniform(&rng), lc_rng_uniform(&rng), lc_rng_uniform(&rng)};
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 3; k++) t.frac[i][k] = lc_wrap_unit(s.frac[i][k] + shift[k]);
        memcpy(t.lattice, s.lattice, sizeof t.lattice);
        all_descriptors(&plan, &t, p1);
        compare(p1, p0, n * nc, 1e-12, "translated");

        /* permutation of the atoms */
        int perm[64];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(lc_rng_u32(&rng) % (uint32_t)(i + 1)), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        for (int i = 0; i < n; i++) {
            t.species[perm[i]] = s.species[i];
            memcpy(t.frac[perm[i]], s.frac[i], sizeof t.frac[i]);
        }
        all_descriptors(&plan, &t, p1);
        for (int i = 0; i < n; i++) compare(p1 + (size_t)perm[i] * nc, p0 + (size_t)i * nc, nc, 1e-12, "permuted");
        lc_structure_free(&t);

        /* another basis of the same lattice (unimodular T), then a 2 x 1 x 2 supercell of it */
        int tm[3][3];
        random_unimodular(&rng, 4, 1, tm);
        double reduced_basis[3][3];
        apply_transform((const int(*)[3])tm, (const double(*)[3])s.lattice, reduced_basis);
        lc_structure u;
        lc_structure_init(&u, 0);
        const int rep[3] = {2, 1, 2};
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) u.lattice[a][c] = rep[a] * reduced_basis[a][c];
        double recip[3][3];
        lc_lattice_reciprocal((const double(*)[3])u.lattice, recip);
        for (int i = 0; i < n; i++)
            for (int x = 0; x < rep[0]; x++)
                for (int z = 0; z < rep[2]; z++) {
                    double cart[3], f[3];
                    lc_frac_to_cart((const double(*)[3])s.lattice, s.frac[i], cart);
                    for (int c = 0; c < 3; c++) cart[c] += x * reduced_basis[0][c] + z * reduced_basis[2][c];
                    lc_cart_to_frac((const double(*)[3])recip, cart, f);
                    for (int k = 0; k < 3; k++) f[k] = lc_wrap_unit(f[k]);
                    lc_structure_append(&u, s.species[i], f);
                }
        all_descriptors(&plan, &u, p1);
        for (int i = 0; i < n; i++)
            for (int copy = 0; copy < 4; copy++)
                compare(p1 + (size_t)(4 * i + copy) * nc, p0 + (size_t)i * nc, nc, 1e-11, "supercell");
        lc_structure_free(&u);
        free(p0);
        free(p1);
        lc_structure_free(&s);
    }
    lc_so3_free(&plan);
}

/* ---- species weighting --------------------------------------------------------------------------------------- */

/* An atom with two neighbours a, b in a cell too large for images: c = w_a c_a + w_b c_b, so
 * p = w_a^2 P_aa + w_b^2 P_bb + w_a w_b X, with P_aa, P_bb, X measured on all-carbon copies. Signed weights
 * (C centre, N neighbour) give 36 P_aa + 49 P_bb - 42 X; plain Z gives + 42 X. */
static void test_species_weights(void) {
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan signed_plan, plain_plan;
    lc_so3_init(&signed_plan, &o, NULL);
    o.weight = LC_SO3_WEIGHT_Z;
    lc_so3_init(&plain_plan, &o, NULL);
    const double centre[3] = {0.5, 0.5, 0.5}, fa[3] = {0.5 + 1.3 / 12, 0.5, 0.5},
                 fb[3] = {0.5 + 0.4 / 12, 0.5 + 1.2 / 12, 0.5 + 0.3 / 12};
    lc_structure s[4];
    for (int k = 0; k < 4; k++) {
        lc_structure_init(&s[k], 0);
        for (int c = 0; c < 3; c++) s[k].lattice[c][c] = 12;
        lc_structure_append(&s[k], 6, centre);
    }
    lc_structure_append(&s[0], 6, fa); /* both neighbours carbon */
    lc_structure_append(&s[0], 6, fb);
    lc_structure_append(&s[1], 6, fa); /* a only */
    lc_structure_append(&s[2], 6, fb); /* b only */
    lc_structure_append(&s[3], 6, fa); /* a carbon, b nitrogen */
    lc_structure_append(&s[3], 7, fb);
    double both[15], pa[15], pb[15], mixed_signed[15], mixed_plain[15], both_plain[15];
    lc_so3_descriptor(&signed_plan, &s[0], 0, both, NULL);
    lc_so3_descriptor(&plain_plan, &s[0], 0, both_plain, NULL);
    lc_so3_descriptor(&signed_plan, &s[1], 0, pa, NULL);
    lc_so3_descriptor(&signed_plan, &s[2], 0, pb, NULL);
    lc_so3_descriptor(&signed_plan, &s[3], 0, mixed_signed, NULL);
    lc_so3_descriptor(&plain_plan, &s[3], 0, mixed_plain, NULL);
    compare(both_plain, both, 15, 1e-15, "one species: weight modes agree");
    double expect_signed[15], expect_plain[15], cross = 0;
    for (int k = 0; k < 15; k++) {
        double x = (both[k] - pa[k] - pb[k]) / 36;
        cross = fmax(cross, fabs(x));
        expect_signed[k] = pa[k] + 49.0 / 36 * pb[k] - 42 * x;
        expect_plain[k] = pa[k] + 49.0 / 36 * pb[k] + 42 * x;
    }
    CHECK(cross > 1e-3); /* the two neighbours do interfere, so the sign matters */
    compare(mixed_signed, expect_signed, 15, 1e-12, "signed weights");
    compare(mixed_plain, expect_plain, 15, 1e-12, "plain Z weights");
    CHECK(fabs(mixed_signed[0] - mixed_plain[0]) > 1e-3 * fabs(mixed_plain[0]));
    for (int k = 0; k < 4; k++) lc_structure_free(&s[k]);
    lc_so3_free(&signed_plan);
    lc_so3_free(&plain_plan);
}

/* ---- derivatives --------------------------------------------------------------------------------------------- */

static void descriptor_of(const lc_so3_plan *plan, const lc_structure *s, int atom, double *p) {
    lc_so3_descriptor(plan, s, atom, p, NULL);
}

/* Central differences (step h) of every derivative the gradient reports, plus one atom it does not touch. */
static double check_gradients(const lc_so3_plan *plan, lc_structure *s, int atom, double h, double tol) {
    const int nc = plan->n_components;
    lc_so3_gradient g;
    lc_so3_gradient_init(&g);
    double p[MAXC], pp[MAXC], pm[MAXC], fd[MAXC];
    lc_so3_descriptor(plan, s, atom, p, &g);
    CHECK(g.n_atoms_touched >= 1 && g.atom[0] == atom);
    double scale = max_abs(g.d_position, g.n_atoms_touched * nc * 3), worst = 0;
    double recip[3][3];
    lc_lattice_reciprocal((const double(*)[3])s->lattice, recip); /* rows of L^-T: dfrac_k/dx_c = recip[k][c] */

    /* positions: the touched atoms and, when there is one, an untouched atom (derivative zero) */
    int untouched = -1;
    for (int j = 0; j < s->n_atoms && untouched < 0; j++) {
        int found = 0;
        for (int t = 0; t < g.n_atoms_touched; t++) found |= g.atom[t] == j;
        if (!found) untouched = j;
    }
    for (int t = 0; t <= g.n_atoms_touched; t++) {
        int j = t < g.n_atoms_touched ? g.atom[t] : untouched;
        if (j < 0) continue;
        for (int c = 0; c < 3; c++) {
            double saved[3];
            memcpy(saved, s->frac[j], sizeof saved);
            for (int k = 0; k < 3; k++) s->frac[j][k] = saved[k] + h * recip[k][c];
            descriptor_of(plan, s, atom, pp);
            for (int k = 0; k < 3; k++) s->frac[j][k] = saved[k] - h * recip[k][c];
            descriptor_of(plan, s, atom, pm);
            memcpy(s->frac[j], saved, sizeof saved);
            for (int k = 0; k < nc; k++) {
                fd[k] = (pp[k] - pm[k]) / (2 * h);
                double an = t < g.n_atoms_touched ? g.d_position[((size_t)t * nc + k) * 3 + c] : 0;
                double err = fabs(fd[k] - an) / scale;
                worst = fmax(worst, err);
                CHECK_MSG(err <= tol, "atom %d moves along %d: component %d analytic %.12g fd %.12g", j, c, k, an, fd[k]);
            }
        }
    }

    /* strain: lattice L' = L F^T with F = I + h e_a e_b^T, fractions fixed */
    double strain_scale = max_abs(g.d_strain, nc * 9);
    double lattice0[3][3];
    memcpy(lattice0, s->lattice, sizeof lattice0);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            for (int sign = -1; sign <= 1; sign += 2) {
                for (int r = 0; r < 3; r++) s->lattice[r][a] = lattice0[r][a] + sign * h * lattice0[r][b];
                descriptor_of(plan, s, atom, sign > 0 ? pp : pm);
                memcpy(s->lattice, lattice0, sizeof lattice0);
            }
            for (int k = 0; k < nc; k++) {
                double an = g.d_strain[(k * 3 + a) * 3 + b], err = fabs((pp[k] - pm[k]) / (2 * h) - an) / strain_scale;
                worst = fmax(worst, err);
                CHECK_MSG(err <= tol, "strain %d%d component %d analytic %.12g fd %.12g", a, b, k, an,
                          (pp[k] - pm[k]) / (2 * h));
                /* rotations leave p unchanged, so the strain derivative is symmetric */
                CHECK(fabs(an - g.d_strain[(k * 3 + b) * 3 + a]) <= 1e-9 * strain_scale);
            }
        }

    /* lattice rows at fixed fractions, through lc_so3_gradient_lattice */
    double *dl = malloc((size_t)nc * 9 * sizeof *dl);
    lc_so3_gradient_lattice(&g, (const double(*)[3])s->lattice, dl);
    double lattice_scale = max_abs(dl, nc * 9);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            s->lattice[r][c] = lattice0[r][c] + h;
            descriptor_of(plan, s, atom, pp);
            s->lattice[r][c] = lattice0[r][c] - h;
            descriptor_of(plan, s, atom, pm);
            s->lattice[r][c] = lattice0[r][c];
            for (int k = 0; k < nc; k++) {
                double an = dl[(k * 3 + r) * 3 + c], err = fabs((pp[k] - pm[k]) / (2 * h) - an) / lattice_scale;
                worst = fmax(worst, err);
                CHECK_MSG(err <= tol, "lattice %d%d component %d analytic %.12g fd %.12g", r, c, k, an,
                          (pp[k] - pm[k]) / (2 * h));
            }
        }
    free(dl);
    lc_so3_gradient_free(&g);
    return worst;
}

static void test_gradients_random_cells(void) {
    lc_rng rng;
    lc_rng_init(&rng, 11, 2, 0);
    const int species[2] = {6, 7};
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan plan;
    lc_so3_init(&plan, &o, NULL);
    double worst = 0;
    int touched_max = 0;
    for (int trial = 0; trial < 4; trial++) {
        lc_structure s;
        build_random_cell(&rng, 6, 0.17, species, 2, 1.05, &s);
        for (int i = 0; i < s.n_atoms; i++) {
            worst = fmax(worst, check_gradients(&plan, &s, i, 1e-5, 1e-6));
            lc_so3_gradient g;
            lc_so3_gradient_init(&g);
            double p[15];
            lc_so3_descriptor(&plan, &s, i, p, &g);
            touched_max = touched_max > g.n_atoms_touched ? touched_max : g.n_atoms_touched;
            lc_so3_gradient_free(&g);
        }
        lc_structure_free(&s);
    }
    CHECK(touched_max >= 3); /* the cells are dense enough to test several neighbours */
    printf("  default options: worst |fd - analytic| / max|analytic| = %.3g\n", worst);
    lc_so3_free(&plan);
}

/* Other sizes and a cutoff spanning more than one cell (many images of each atom, and of the atom itself). */
static void test_gradients_other_options(void) {
    lc_rng rng;
    lc_rng_init(&rng, 13, 3, 0);
    const int species[3] = {5, 6, 7};
    /* quadrature per neighbour, and a coarse table (its gradient is still the interpolant's exact derivative) */
    const lc_so3_options cases[2] = {{3, 6, 2.0, 3.0, LC_SO3_WEIGHT_SIGNED_Z, 0}, {4, 3, 1.0, 2.6, LC_SO3_WEIGHT_Z, 64}};
    double worst = 0;
    for (int c = 0; c < 2; c++) {
        lc_so3_plan plan;
        CHECK(lc_so3_init(&plan, &cases[c], NULL) == 0);
        lc_structure s;
        build_random_cell(&rng, 3, 0.12, species, 3, 1.1, &s);
        for (int i = 0; i < s.n_atoms; i++) worst = fmax(worst, check_gradients(&plan, &s, i, 1e-5, 1e-6));
        lc_structure_free(&s);
        lc_so3_free(&plan);
    }
    printf("  other options: worst |fd - analytic| / max|analytic| = %.3g\n", worst);
}

/* The gradient buffers are reused between calls on different structures and atoms. */
static void test_gradient_reuse(void) {
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan plan;
    lc_so3_init(&plan, &o, NULL);
    lc_structure g, d;
    build_graphite(&g, 2.46, 6.70);
    build_diamond(&d, 3.567);
    lc_so3_gradient shared, fresh;
    lc_so3_gradient_init(&shared);
    double p[15];
    for (int round = 0; round < 3; round++)
        for (int which = 0; which < 2; which++) {
            const lc_structure *s = which ? &d : &g;
            int atom = round % s->n_atoms;
            lc_so3_descriptor(&plan, s, atom, p, &shared);
            lc_so3_gradient_init(&fresh);
            lc_so3_descriptor(&plan, s, atom, p, &fresh);
            CHECK(shared.n_atoms_touched == fresh.n_atoms_touched);
            CHECK(memcmp(shared.atom, fresh.atom, (size_t)fresh.n_atoms_touched * sizeof *fresh.atom) == 0);
            CHECK(memcmp(shared.d_position, fresh.d_position, (size_t)fresh.n_atoms_touched * 45 * sizeof(double)) == 0);
            CHECK(memcmp(shared.d_strain, fresh.d_strain, 135 * sizeof(double)) == 0);
            lc_so3_gradient_free(&fresh);
        }
    /* graphite: atom 0's three neighbours are images of one atom (2); diamond: four distinct atoms */
    lc_so3_descriptor(&plan, &g, 0, p, &shared);
    CHECK(shared.n_atoms_touched == 2 && shared.atom[0] == 0 && shared.atom[1] == 2);
    lc_so3_descriptor(&plan, &d, 0, p, &shared);
    CHECK(shared.n_atoms_touched == 5);
    lc_so3_gradient_free(&shared);
    lc_structure_free(&g);
    lc_structure_free(&d);
    lc_so3_free(&plan);
}

/* The default table against the quadrature for every neighbour: cubic Hermite with h = rcut / 1024 is good to
 * about 3e-11 of max|p| and 1e-8 of the largest gradient (errors of order h^4 and h^3). */
static void test_table_matches_quadrature(void) {
    lc_rng rng;
    lc_rng_init(&rng, 17, 4, 0);
    const int species[2] = {6, 7};
    lc_so3_options o = lc_so3_default_options();
    lc_so3_plan table, exact;
    lc_so3_init(&table, &o, NULL);
    o.table_intervals = 0;
    lc_so3_init(&exact, &o, NULL);
    lc_so3_gradient gt, ge;
    lc_so3_gradient_init(&gt);
    lc_so3_gradient_init(&ge);
    double worst_p = 0, worst_g = 0;
    for (int trial = 0; trial < 5; trial++) {
        lc_structure s;
        build_random_cell(&rng, 8, 0.18, species, 2, 1.0, &s);
        for (int i = 0; i < s.n_atoms; i++) {
            double pt[15], pe[15];
            lc_so3_descriptor(&table, &s, i, pt, &gt);
            lc_so3_descriptor(&exact, &s, i, pe, &ge);
            worst_p = fmax(worst_p, compare(pt, pe, 15, 1e-10, "table vs quadrature"));
            CHECK(gt.n_atoms_touched == ge.n_atoms_touched);
            int n = ge.n_atoms_touched * 45;
            worst_g = fmax(worst_g, compare(gt.d_position, ge.d_position, n, 5e-8, "table vs quadrature gradient"));
            worst_g = fmax(worst_g, compare(gt.d_strain, ge.d_strain, 135, 5e-8, "table vs quadrature strain"));
        }
        lc_structure_free(&s);
    }
    printf("  table vs quadrature: worst relative difference %.3g (p), %.3g (gradients)\n", worst_p, worst_g);
    lc_so3_gradient_free(&gt);
    lc_so3_gradient_free(&ge);
    lc_so3_free(&table);
    lc_so3_free(&exact);
}

static void test_options(void) {
    lc_so3_plan plan;
    lc_error err;
    lc_so3_options o = lc_so3_default_options();
    o.nmax = 0;
    CHECK(lc_so3_init(&plan, &o, &err) == -1 && strstr(err.message, "nmax"));
    o = lc_so3_default_options();
    o.lmax = LC_SO3_MAX_LMAX + 1;
    CHECK(lc_so3_init(&plan, &o, &err) == -1 && strstr(err.message, "lmax"));
    o = lc_so3_default_options();
    o.rcut = -1;
    CHECK(lc_so3_init(&plan, &o, &err) == -1 && strstr(err.message, "rcut"));
    o = lc_so3_default_options();
    o.alpha = 0;
    CHECK(lc_so3_init(&plan, &o, &err) == -1 && strstr(err.message, "alpha"));
    o = lc_so3_default_options();
    o.table_intervals = -1;
    CHECK(lc_so3_init(&plan, &o, &err) == -1 && strstr(err.message, "table_intervals"));
    o = lc_so3_default_options();
    CHECK(lc_so3_init(&plan, &o, &err) == 0 && plan.n_components == 15);
    lc_so3_free(&plan);
}

/* Graphite: 3 neighbours at 1.42 A fall in bin 14 of 0.1 A; the kernel of sigma 0.5 bin spans 2 bins. */
static void test_rdf(void) {
    lc_structure g;
    build_graphite(&g, 2.46, 6.70);
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, &g, 2.0);
    lc_rdf_options o = lc_rdf_default_options();
    double rdf[20];
    CHECK(lc_rdf_compute(&o, &nl, 0, rdf) == 0);
    double k1 = exp(-2), k2 = exp(-8), total = 1 + 2 * k1 + 2 * k2;
    for (int b = 0; b < 20; b++) {
        double expect = b == 14 ? 1 : b == 13 || b == 15 ? k1 : b == 12 || b == 16 ? k2 : 0;
        CHECK_NEAR(rdf[b], 0.5 * 3 * expect / total, 1e-15);
    }
    o.max_neighbors = 2; /* only the first two neighbours count */
    CHECK(lc_rdf_compute(&o, &nl, 0, rdf) == 0);
    CHECK_NEAR(rdf[14], 0.5 * 2 / total, 1e-15);
    o.n_bins = 0;
    CHECK(lc_rdf_compute(&o, &nl, 0, rdf) == -1);
    lc_neighbor_list_free(&nl);
    lc_structure_free(&g);
}

int main(void) {
    RUN_TEST(test_options);
    RUN_TEST(test_pyxtal_fixtures);
    RUN_TEST(test_table_matches_quadrature);
    RUN_TEST(test_equivalent_atoms);
    RUN_TEST(test_invariances);
    RUN_TEST(test_species_weights);
    RUN_TEST(test_gradients_random_cells);
    RUN_TEST(test_gradients_other_options);
    RUN_TEST(test_gradient_reuse);
    RUN_TEST(test_rdf);
    return test_summary();
}
