/* Neighbour list against brute force over every periodic image that can be within the cutoff. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "core/rng.h"
#include "core/structure.h"
#include "random_cell.h"
#include "test.h"

typedef struct {
    int i, j, image[3];
    double distance, vector[3];
} pair;

static int pair_key_compare(const void *pa, const void *pb) {
    const pair *a = pa, *b = pb;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    if (a->j != b->j) return a->j < b->j ? -1 : 1;
    for (int k = 0; k < 3; k++)
        if (a->image[k] != b->image[k]) return a->image[k] < b->image[k] ? -1 : 1;
    return 0;
}

/* Every (i, j, n) with |frac[j] + n - frac[i]| <= cutoff. The image box per axis is the one a pair within the
 * cutoff must fall in (|df_k + n_k| <= cutoff |b_k|), widened by two images on each side. */
static pair *brute_force_pairs(const lc_structure *s, double cutoff, int *n_pairs) {
    double recip[3][3];
    lc_lattice_reciprocal(s->lattice, recip);
    int capacity = 1024, count = 0;
    pair *pairs = malloc((size_t)capacity * sizeof *pairs);
    for (int i = 0; i < s->n_atoms; i++)
        for (int j = 0; j < s->n_atoms; j++) {
            double df[3];
            int lo[3], hi[3];
            for (int k = 0; k < 3; k++) {
                df[k] = s->frac[j][k] - s->frac[i][k];
                double span = cutoff * vec_norm(recip[k]);
                lo[k] = (int)floor(-df[k] - span) - 2;
                hi[k] = (int)ceil(-df[k] + span) + 2;
            }
            for (int n0 = lo[0]; n0 <= hi[0]; n0++)
                for (int n1 = lo[1]; n1 <= hi[1]; n1++)
                    for (int n2 = lo[2]; n2 <= hi[2]; n2++) {
                        if (i == j && n0 == 0 && n1 == 0 && n2 == 0) continue;
                        double h[3] = {df[0] + n0, df[1] + n1, df[2] + n2}, v[3];
                        lc_frac_to_cart(s->lattice, h, v);
                        double d = vec_norm(v);
                        if (d > cutoff) continue;
                        if (count == capacity) pairs = realloc(pairs, (size_t)(capacity *= 2) * sizeof *pairs);
                        pair p = {i, j, {n0, n1, n2}, d, {v[0], v[1], v[2]}};
                        pairs[count++] = p;
                    }
        }
    *n_pairs = count;
    return pairs;
}

/* Builds the list, checks its own invariants, and compares it as a multiset with brute force. Returns the
 * number of pairs (so callers can assert the case was not trivial). */
static int check_against_brute_force(lc_neighbor_list *nl, const lc_structure *s, double cutoff, const char *what) {
    lc_neighbor_list_build(nl, s, cutoff);
    int failures_before = test_failures;
    CHECK(nl->n_atoms == s->n_atoms);
    CHECK(nl->offsets[0] == 0 && nl->offsets[s->n_atoms] == nl->n_pairs);
    CHECK(nl->n_pairs <= nl->capacity || nl->n_pairs == 0);
    lc_cell_parameters params = lc_lattice_to_parameters(s->lattice);
    double scale = params.a + params.b + params.c + cutoff;

    pair *mine = malloc(((size_t)nl->n_pairs + 1) * sizeof *mine);
    for (int i = 0; i < s->n_atoms; i++) {
        CHECK(nl->offsets[i] <= nl->offsets[i + 1]);
        for (int p = nl->offsets[i]; p < nl->offsets[i + 1]; p++) {
            int j = nl->index[p];
            CHECK(j >= 0 && j < s->n_atoms);
            /* sorted by distance, ties by j then image */
            if (p > nl->offsets[i]) {
                CHECK(nl->distance[p - 1] <= nl->distance[p]);
                if (nl->distance[p - 1] == nl->distance[p]) CHECK(nl->index[p - 1] <= j);
            }
            /* vector = r_j + n L - r_i, distance = |vector| */
            double h[3], v[3];
            for (int k = 0; k < 3; k++) h[k] = s->frac[j][k] + nl->image[p][k] - s->frac[i][k];
            lc_frac_to_cart(s->lattice, h, v);
            for (int c = 0; c < 3; c++) CHECK_NEAR(nl->vector[p][c], v[c], 1e-9 * scale);
            CHECK_NEAR(nl->distance[p], vec_norm(nl->vector[p]), 1e-12 * scale);
            CHECK(nl->distance[p] <= cutoff);
            pair q = {i, j, {nl->image[p][0], nl->image[p][1], nl->image[p][2]}, nl->distance[p],
                      {nl->vector[p][0], nl->vector[p][1], nl->vector[p][2]}};
            mine[p] = q;
        }
    }
    int n_expected;
    pair *expected = brute_force_pairs(s, cutoff, &n_expected);
    qsort(mine, (size_t)nl->n_pairs, sizeof *mine, pair_key_compare);
    qsort(expected, (size_t)n_expected, sizeof *expected, pair_key_compare);
    CHECK_MSG(nl->n_pairs == n_expected, "%s: %d pairs, brute force %d", what, nl->n_pairs, n_expected);
    if (nl->n_pairs == n_expected)
        for (int p = 0; p < n_expected; p++) {
            CHECK_MSG(pair_key_compare(&mine[p], &expected[p]) == 0, "%s: pair %d (%d,%d) vs (%d,%d)", what, p,
                      mine[p].i, mine[p].j, expected[p].i, expected[p].j);
            CHECK_NEAR(mine[p].distance, expected[p].distance, 1e-9 * scale);
        }
    if (test_failures != failures_before) fprintf(stderr, "  in case: %s (cutoff %g)\n", what, cutoff);
    free(mine);
    free(expected);
    return n_expected;
}

static void random_structure(lc_rng *rng, lc_structure *s, const double lattice[3][3], int n_atoms, double lo,
                             double hi) {
    lc_structure_init(s, n_atoms);
    memcpy(s->lattice, lattice, sizeof s->lattice);
    for (int i = 0; i < n_atoms; i++) {
        s->species[i] = 6;
        for (int k = 0; k < 3; k++) s->frac[i][k] = random_between(rng, lo, hi);
    }
}

static void test_random_cells(void) {
    lc_rng rng;
    lc_rng_init(&rng, 21, 0, 0);
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl); /* one list for every case: rebuilds reuse and regrow its memory */
    long total_pairs = 0;
    for (int trial = 0; trial < 90; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 2, 9, 0.05);
        double lattice[3][3];
        lc_lattice_from_parameters(&p, lattice);
        int n_atoms = random_int(&rng, 1, 24);
        lc_structure s;
        random_structure(&rng, &s, lattice, n_atoms, 0, 1);
        lc_structure_wrap(&s);
        double size = cbrt(lc_lattice_volume(lattice));
        /* smaller than, comparable to and larger than the cell */
        double factors[] = {0.25, 0.6, 1.1, 2.2};
        for (int f = 0; f < 4; f++) total_pairs += check_against_brute_force(&nl, &s, factors[f] * size, "random cell");
        lc_structure_free(&s);
    }
    CHECK(total_pairs > 10000); /* the cases were not trivially empty */
    lc_neighbor_list_free(&nl);
}

static void test_skewed_cells(void) {
    /* Sheared bases of ordinary lattices, and coordinates outside [0, 1): images must still refer to the
     * caller's basis and coordinates. */
    lc_rng rng;
    lc_rng_init(&rng, 22, 0, 0);
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    for (int trial = 0; trial < 40; trial++) {
        lc_cell_parameters p = random_parameters(&rng, 2.5, 7, 0.1);
        double nice[3][3], lattice[3][3];
        int t[3][3];
        lc_lattice_from_parameters(&p, nice);
        random_unimodular(&rng, 3, 2, t);
        apply_transform(t, nice, lattice);
        lc_structure s;
        random_structure(&rng, &s, lattice, random_int(&rng, 1, 8), trial % 2 ? -2 : 0, trial % 2 ? 3 : 1);
        double size = cbrt(lc_lattice_volume(lattice));
        check_against_brute_force(&nl, &s, 0.5 * size, "skewed cell");
        check_against_brute_force(&nl, &s, 1.3 * size, "skewed cell");
        lc_structure_free(&s);
    }
    lc_neighbor_list_free(&nl);
}

static void test_single_atom_large_cutoff(void) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    /* 1 atom in a 2.5 A simple cubic cell, cutoff 3 x the cell: every lattice vector up to 7.5 A */
    lc_structure s;
    lc_structure_init(&s, 1);
    s.species[0] = 6;
    s.lattice[0][0] = s.lattice[1][1] = s.lattice[2][2] = 2.5;
    int n = check_against_brute_force(&nl, &s, 7.5, "1-atom cubic");
    /* count of integer points 0 < |n| <= 3: computed directly */
    int lattice_points = 0;
    for (int a = -3; a <= 3; a++)
        for (int b = -3; b <= 3; b++)
            for (int c = -3; c <= 3; c++)
                if ((a || b || c) && a * a + b * b + c * c <= 9) lattice_points++;
    CHECK(n == lattice_points);
    CHECK(nl.n_pairs == lattice_points);
    CHECK_NEAR(nl.distance[0], 2.5, 1e-12); /* nearest: the six face neighbours */
    CHECK_NEAR(nl.distance[5], 2.5, 1e-12);
    CHECK(nl.distance[6] > 2.5 + 1e-9);
    /* ties broken by image: the first six are the +-x, +-y, +-z images in lexicographic image order */
    CHECK(nl.image[0][0] == -1 && nl.image[0][1] == 0 && nl.image[0][2] == 0);
    CHECK(nl.image[5][0] == 1 && nl.image[5][1] == 0 && nl.image[5][2] == 0);
    /* 6 x the cell: hundreds of images of one atom (the per-atom scratch must grow while filling) */
    CHECK(check_against_brute_force(&nl, &s, 15.0, "1-atom cubic, cutoff 6 cells") > 800);

    /* 1 atom in a skewed triclinic cell, cutoff 3 x the longest cell vector */
    lc_cell_parameters p = {2.2, 2.9, 3.4, 52, 117, 71};
    lc_lattice_from_parameters(&p, s.lattice);
    s.frac[0][0] = 0.3;
    s.frac[0][1] = 0.9;
    s.frac[0][2] = 0.1;
    CHECK(check_against_brute_force(&nl, &s, 3 * 3.4, "1-atom triclinic") > 100);
    lc_structure_free(&s);
    lc_neighbor_list_free(&nl);
}

static void test_edge_cases(void) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_structure s;
    lc_structure_init(&s, 0);
    s.lattice[0][0] = s.lattice[1][1] = s.lattice[2][2] = 3;
    lc_neighbor_list_build(&nl, &s, 2.0);
    CHECK(nl.n_atoms == 0 && nl.n_pairs == 0 && nl.offsets[0] == 0);

    /* two atoms on the same site: a zero-distance pair each way, listed first */
    double site[3] = {0.25, 0.5, 0.75};
    lc_structure_append(&s, 6, site);
    lc_structure_append(&s, 8, site);
    check_against_brute_force(&nl, &s, 3.5, "coincident atoms");
    CHECK(nl.index[0] == 1 && nl.distance[0] == 0.0);
    CHECK(nl.index[nl.offsets[1]] == 0 && nl.distance[nl.offsets[1]] == 0.0);

    /* cutoff below every distance, zero and negative cutoff: empty lists */
    lc_neighbor_list_build(&nl, &s, 0.0);
    CHECK(nl.n_pairs == 0 && nl.offsets[2] == 0);
    lc_neighbor_list_build(&nl, &s, -1.0);
    CHECK(nl.n_pairs == 0 && nl.offsets[1] == 0 && nl.offsets[2] == 0);
    double other[3] = {0.75, 0.5, 0.75};
    lc_structure_append(&s, 6, other);
    lc_neighbor_list_build(&nl, &s, 1.0); /* the third atom is 1.5 A from the others */
    CHECK(nl.n_pairs == 2 && nl.offsets[1] == 1 && nl.offsets[2] == 2 && nl.offsets[3] == 2);
    lc_structure_free(&s);
    lc_neighbor_list_free(&nl);
}

static void test_deterministic_and_reusable(void) {
    lc_rng rng;
    lc_rng_init(&rng, 23, 0, 0);
    lc_cell_parameters p = random_parameters(&rng, 6, 12, 0.1);
    double lattice[3][3];
    lc_lattice_from_parameters(&p, lattice);
    lc_structure big, small;
    random_structure(&rng, &big, lattice, 120, 0, 1);
    random_structure(&rng, &small, lattice, 3, 0, 1);

    lc_neighbor_list first, second;
    lc_neighbor_list_init(&first);
    lc_neighbor_list_init(&second);
    lc_neighbor_list_build(&first, &big, 3.0);
    /* second goes big -> small -> big: the final contents must equal a fresh build */
    lc_neighbor_list_build(&second, &big, 3.0);
    int capacity = second.capacity;
    lc_neighbor_list_build(&second, &small, 3.0);
    CHECK(second.n_atoms == 3);
    CHECK(second.capacity == capacity); /* shrinking keeps the memory */
    lc_neighbor_list_build(&second, &big, 3.0);
    CHECK(second.capacity == capacity);
    CHECK(first.n_pairs == second.n_pairs && first.n_pairs > 0);
    if (first.n_pairs == second.n_pairs) {
        size_t n = (size_t)first.n_pairs;
        CHECK(memcmp(first.offsets, second.offsets, (size_t)(big.n_atoms + 1) * sizeof(int)) == 0);
        CHECK(memcmp(first.index, second.index, n * sizeof *first.index) == 0);
        CHECK(memcmp(first.image, second.image, n * sizeof *first.image) == 0);
        CHECK(memcmp(first.vector, second.vector, n * sizeof *first.vector) == 0);
        CHECK(memcmp(first.distance, second.distance, n * sizeof *first.distance) == 0);
    }
    check_against_brute_force(&second, &big, 3.0, "120 atoms");
    lc_neighbor_list_free(&first);
    lc_neighbor_list_free(&second);
    lc_structure_free(&big);
    lc_structure_free(&small);
}

int main(void) {
    RUN_TEST(test_random_cells);
    RUN_TEST(test_skewed_cells);
    RUN_TEST(test_single_atom_large_cutoff);
    RUN_TEST(test_edge_cases);
    RUN_TEST(test_deterministic_and_reusable);
    return test_summary();
}
