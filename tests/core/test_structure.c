/* Structure container, formula, density and minimum distance. */
#include <math.h>
#include <string.h>

#include "core/lattice.h"
#include "core/rng.h"
#include "core/structure.h"
#include "random_cell.h"
#include "test.h"

static void make_diamond(lc_structure *s, double a) {
    /* conventional cubic cell: fcc + basis (0,0,0), (1/4,1/4,1/4) */
    static const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    lc_structure_init(s, 0);
    s->lattice[0][0] = s->lattice[1][1] = s->lattice[2][2] = a;
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 2; b++) {
            double f[3] = {fcc[k][0] + 0.25 * b, fcc[k][1] + 0.25 * b, fcc[k][2] + 0.25 * b};
            lc_structure_append(s, 6, f);
        }
}

static void test_init_append_copy(void) {
    lc_structure s;
    lc_structure_init(&s, 3);
    CHECK(s.n_atoms == 3 && s.species[2] == 0 && s.frac[2][1] == 0.0 && s.name[0] == '\0');
    CHECK(s.lattice[1][1] == 0.0);
    double f[3] = {1.25, -0.5, 0.3};
    for (int k = 0; k < 100; k++) lc_structure_append(&s, 8 + k % 3, f);
    CHECK(s.n_atoms == 103);
    CHECK(s.species[3] == 8 && s.species[102] == 8 + 99 % 3);
    CHECK(s.frac[102][0] == 1.25 && s.frac[102][1] == -0.5);
    lc_structure_wrap(&s);
    CHECK_NEAR(s.frac[102][0], 0.25, 1e-15);
    CHECK_NEAR(s.frac[102][1], 0.5, 1e-15);
    CHECK_NEAR(s.frac[102][2], 0.3, 1e-15);

    strcpy(s.name, "test");
    s.lattice[0][0] = 5;
    lc_structure copy;
    lc_structure_copy(&copy, &s);
    CHECK(copy.n_atoms == s.n_atoms && strcmp(copy.name, "test") == 0 && copy.lattice[0][0] == 5);
    CHECK(copy.species != s.species && copy.frac != s.frac); /* deep copy */
    CHECK(memcmp(copy.frac, s.frac, (size_t)s.n_atoms * sizeof *s.frac) == 0);
    copy.species[0] = 99;
    CHECK(s.species[0] == 0);
    lc_structure_free(&copy);
    lc_structure_free(&s);
    CHECK(s.n_atoms == 0 && s.species == NULL && s.frac == NULL);

    lc_structure empty;
    lc_structure_init(&empty, 0);
    lc_structure_append(&empty, 1, f);
    CHECK(empty.n_atoms == 1 && empty.species[0] == 1);
    lc_structure_free(&empty);
}

static void set_species(lc_structure *s, const int *z, int n) {
    lc_structure_init(s, n);
    memcpy(s->species, z, (size_t)n * sizeof *z);
}

static void check_formula(const int *z, int n, const char *full, const char *reduced) {
    lc_structure s;
    set_species(&s, z, n);
    char buffer[64];
    lc_structure_formula(&s, 0, buffer, sizeof buffer);
    CHECK_MSG(strcmp(buffer, full) == 0, "got %s, want %s", buffer, full);
    lc_structure_formula(&s, 1, buffer, sizeof buffer);
    CHECK_MSG(strcmp(buffer, reduced) == 0, "got %s, want %s (reduced)", buffer, reduced);
    lc_structure_free(&s);
}

static void test_formula(void) {
    int carbon8[8] = {6, 6, 6, 6, 6, 6, 6, 6};
    check_formula(carbon8, 8, "C8", "C");
    int methane2[10] = {1, 1, 6, 1, 1, 1, 6, 1, 1, 1}; /* C2H8 */
    check_formula(methane2, 10, "C2H8", "CH4");
    int ethanol[9] = {8, 1, 6, 1, 1, 6, 1, 1, 1}; /* C2H6O: C, H, then alphabetical */
    check_formula(ethanol, 9, "C2H6O", "C2H6O");
    int cnoh[8] = {7, 8, 6, 1, 7, 8, 6, 1}; /* C2H2N2O2 */
    check_formula(cnoh, 8, "C2H2N2O2", "CHNO");
    int carbonate[10] = {20, 6, 8, 8, 8, 20, 6, 8, 8, 8}; /* CaCO3 x 2: with carbon, C first then Ca, O */
    check_formula(carbonate, 10, "C2Ca2O6", "CCaO3");
    int salt[8] = {11, 17, 11, 17, 11, 17, 11, 17}; /* no carbon: all alphabetical */
    check_formula(salt, 8, "Cl4Na4", "ClNa");
    int water[6] = {1, 8, 1, 1, 8, 1}; /* no carbon: H sorts among the others */
    check_formula(water, 6, "H4O2", "H2O");
    int boric[14] = {5, 8, 8, 8, 1, 1, 1, 5, 8, 8, 8, 1, 1, 1};
    check_formula(boric, 14, "B2H6O6", "BH3O3");
    int silica[9] = {14, 8, 8, 14, 8, 8, 14, 8, 8};
    check_formula(silica, 9, "O6Si3", "O2Si");
    int mixed[6] = {8, 8, 8, 8, 26, 26}; /* gcd 2 */
    check_formula(mixed, 6, "Fe2O4", "FeO2");

    lc_structure none;
    lc_structure_init(&none, 0);
    char buffer[8] = "junk";
    lc_structure_formula(&none, 1, buffer, sizeof buffer);
    CHECK(buffer[0] == '\0');
    lc_structure_free(&none);

    /* a buffer too small is cut short, never overrun */
    lc_structure s;
    set_species(&s, boric, 14);
    char tiny[6];
    memset(tiny, 'x', sizeof tiny);
    lc_structure_formula(&s, 0, tiny, 5);
    CHECK(strcmp(tiny, "B2H6") == 0 && tiny[5] == 'x');
    lc_structure_free(&s);
}

static void test_density(void) {
    lc_structure diamond;
    make_diamond(&diamond, 3.567);
    double expect = 8 * 12.011 / (6.02214076e23 * pow(3.567e-8, 3)); /* g / cm^3 */
    CHECK_NEAR(lc_structure_density(&diamond), expect, 1e-9);
    CHECK_NEAR(lc_structure_density(&diamond), 3.515, 0.005);
    char formula[16];
    lc_structure_formula(&diamond, 0, formula, sizeof formula);
    CHECK(strcmp(formula, "C8") == 0);
    lc_structure rocksalt;
    lc_structure_init(&rocksalt, 0);
    lc_cell_parameters p = {5.64, 5.64, 5.64, 90, 90, 90};
    lc_lattice_from_parameters(&p, rocksalt.lattice);
    static const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    for (int k = 0; k < 4; k++) {
        double cl[3] = {fcc[k][0] + 0.5, fcc[k][1], fcc[k][2]};
        lc_structure_append(&rocksalt, 11, fcc[k]);
        lc_structure_append(&rocksalt, 17, cl);
    }
    /* 4 (22.98976928 + 35.45) g/mol / (N_A * 5.64^3 A^3) = 2.165 g/cm^3 */
    CHECK_NEAR(lc_structure_density(&rocksalt), 4 * (22.98976928 + 35.45) / (0.602214076 * pow(5.64, 3)), 1e-9);
    CHECK_NEAR(lc_structure_density(&rocksalt), 2.165, 0.005);
    /* a left-handed cell has the same density */
    double row[3];
    memcpy(row, rocksalt.lattice[0], sizeof row);
    memcpy(rocksalt.lattice[0], rocksalt.lattice[1], sizeof row);
    memcpy(rocksalt.lattice[1], row, sizeof row);
    CHECK_NEAR(lc_structure_density(&rocksalt), 2.165, 0.005);
    lc_structure_free(&rocksalt);
    lc_structure_free(&diamond);
}

/* Brute force minimum over all pairs, via lc_periodic_distance (i != j) and the shortest lattice vector
 * (an atom and its own images). */
static double brute_force_min_distance(const lc_structure *s) {
    double best = INFINITY;
    for (int i = 0; i < s->n_atoms; i++)
        for (int j = i + 1; j < s->n_atoms; j++) {
            double d = lc_periodic_distance(s->lattice, s->frac[i], s->frac[j], NULL);
            if (d < best) best = d;
        }
    /* a lattice vector n L no longer than the shortest cell vector has |n_k| <= that length times |b_k| */
    lc_cell_parameters p = lc_lattice_to_parameters(s->lattice);
    double recip[3][3], shortest = fmin(p.a, fmin(p.b, p.c));
    lc_lattice_reciprocal(s->lattice, recip);
    int r[3];
    for (int k = 0; k < 3; k++) r[k] = (int)ceil(shortest * vec_norm(recip[k])) + 1;
    for (int n0 = -r[0]; n0 <= r[0]; n0++)
        for (int n1 = -r[1]; n1 <= r[1]; n1++)
            for (int n2 = -r[2]; n2 <= r[2]; n2++) {
                if (!n0 && !n1 && !n2) continue;
                double n[3] = {n0, n1, n2}, v[3];
                lc_frac_to_cart(s->lattice, n, v);
                if (vec_norm(v) < best) best = vec_norm(v);
            }
    return best;
}

static void test_min_distance(void) {
    lc_structure diamond;
    make_diamond(&diamond, 3.567);
    CHECK_NEAR(lc_structure_min_distance(&diamond), 3.567 * sqrt(3) / 4, 1e-9); /* C-C bond, 1.545 A */
    lc_structure_free(&diamond);

    /* one atom: the distance to its own nearest image (fcc primitive: a / sqrt(2)) */
    lc_structure one;
    lc_structure_init(&one, 1);
    double a = 3.6;
    double fcc[3][3] = {{0, a / 2, a / 2}, {a / 2, 0, a / 2}, {a / 2, a / 2, 0}};
    memcpy(one.lattice, fcc, sizeof fcc);
    one.frac[0][0] = 0.3;
    CHECK_NEAR(lc_structure_min_distance(&one), a / sqrt(2), 1e-9);
    lc_structure_free(&one);

    lc_structure empty;
    lc_structure_init(&empty, 0);
    empty.lattice[0][0] = empty.lattice[1][1] = empty.lattice[2][2] = 3;
    CHECK(isinf(lc_structure_min_distance(&empty)));
    double f[3] = {0.1, 0.2, 0.3};
    lc_structure_append(&empty, 6, f);
    lc_structure_append(&empty, 6, f);
    CHECK(lc_structure_min_distance(&empty) == 0.0); /* two atoms on one site */
    lc_structure_free(&empty);

    lc_rng rng;
    lc_rng_init(&rng, 31, 0, 0);
    for (int trial = 0; trial < 200; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 2, 8, 0.1);
        lc_structure s;
        lc_structure_init(&s, random_int(&rng, 1, 12));
        lc_lattice_from_parameters(&p, s.lattice);
        for (int i = 0; i < s.n_atoms; i++)
            for (int k = 0; k < 3; k++) s.frac[i][k] = lc_rng_uniform(&rng);
        CHECK_NEAR(lc_structure_min_distance(&s), brute_force_min_distance(&s), 1e-9);
        lc_structure_free(&s);
    }
}

int main(void) {
    RUN_TEST(test_init_append_copy);
    RUN_TEST(test_formula);
    RUN_TEST(test_density);
    RUN_TEST(test_min_distance);
    return test_summary();
}
