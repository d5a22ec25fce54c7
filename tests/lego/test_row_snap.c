/* Decoding with snap_special (lc_row_decode): a site whose orbit collapses moves onto the special position that
 * makes it exact, a site coinciding with an earlier one is dropped, what snapping cannot fix stays collapsed,
 * and with snap_special off (or on a row that needs no snap) decoding is what it was. Checked with spglib through
 * src/symmetry. */
#include <string.h>

#include "core/lattice.h"
#include "core/neighbor_list.h"
#include "lego/row.h"
#include "symmetry/symmetry.h"
#include "symmetry/wyckoff.h"
#include "test.h"

static const lc_row_decode_options snap_on = {.merge_distance = 0.5, .snap_special = 1};
static const lc_row_decode_options snap_off = {.merge_distance = 0.5, .snap_special = 0};

/* P6_3/mmc in a roomy cell (a = 8, c = 10 A), a general-position filler site at a generic point that pins the
 * group for spglib (24 atoms, none near a symmetry element), and one more site. */
static const double filler[3] = {0.11, 0.37, 0.62};

static int index_of(int spacegroup, char letter) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(spacegroup);
    return (int)(lc_wyckoff_find(t, letter) - t->positions);
}

static lc_row hexagonal_row(const double x[3]) {
    lc_row row = {.spacegroup = 194, .cell = {8, 8, 10, 90, 90, 120}, .n_sites = 2};
    row.sites[0] = (lc_row_site){0, 6, {filler[0], filler[1], filler[2]}};
    row.sites[1] = (lc_row_site){0, 6, {x[0], x[1], x[2]}};
    return row;
}

/* No two atoms closer than d (over periodic images). */
static int no_pair_within(const lc_structure *s, double d) {
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, d);
    int none = nl.n_pairs == 0;
    lc_neighbor_list_free(&nl);
    return none;
}

/* Shortest distance from fractional point x to an atom of s with index >= first. */
static double nearest_atom(const lc_structure *s, int first, const double x[3]) {
    double best = INFINITY;
    for (int i = first; i < s->n_atoms; i++) best = fmin(best, lc_periodic_distance(s->lattice, x, s->frac[i], NULL));
    return best;
}

/* spglib (symprec 1e-5: the snapped coordinates are exact) finds `spacegroup`, atoms first .. first + count - 1
 * form one orbit, named with `letter`, and no other atom is in it. */
static void check_spglib(const lc_structure *s, int spacegroup, int first, int count, char letter) {
    lc_symmetry_options options = lc_symmetry_default_options();
    options.symprec = 1e-5;
    lc_symmetry_dataset d;
    lc_error err;
    CHECK(lc_symmetry_analyze(s, &options, &d, &err) == 0);
    if (d.n_atoms != s->n_atoms) return;
    CHECK_MSG(d.number == spacegroup, "spglib: group %d, expected %d", d.number, spacegroup);
    int in_orbit = 0, letters = 0;
    for (int i = 0; i < s->n_atoms; i++) {
        int member = d.equivalent_atoms[i] == d.equivalent_atoms[first];
        in_orbit += member;
        CHECK(member == (i >= first && i < first + count));
        if (member) letters += d.wyckoff_letters[i] == letter;
    }
    CHECK_MSG(in_orbit == count && letters == count, "orbit of %d atoms (expected %d), %d named %c", in_orbit, count,
              letters, letter);
    lc_symmetry_dataset_free(&d);
}

/* A general-position site 0.05 A above the mirror z = 1/4 (images 0.1 A apart) becomes 12j (x, y, 1/4). */
static void test_snap_to_mirror(void) {
    double x[3] = {0.17, 0.52, 0.25 + 0.05 / 10};
    lc_row row = hexagonal_row(x), projected;
    lc_structure s;
    CHECK(lc_row_decode(&row, &snap_off, &s, &projected) == LC_ROW_COLLAPSED);
    CHECK(projected.n_sites == 2 && projected.sites[1].wyckoff_index == 0); /* off: as before */
    lc_structure_free(&s);

    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_OK);
    int j = index_of(194, 'j');
    CHECK(projected.n_sites == 2 && projected.sites[0].wyckoff_index == 0 && projected.sites[1].wyckoff_index == j);
    CHECK(lc_wyckoff_table_get(194)->positions[j].multiplicity == 12);
    CHECK(s.n_atoms == 24 + 12);
    CHECK(no_pair_within(&s, snap_on.merge_distance));
    /* exact: every atom of the site on a mirror z = 1/4 or 3/4, the nearest at 0.05 A from the sampled point */
    for (int i = 24; i < s.n_atoms; i++)
        CHECK_MSG(fabs(s.frac[i][2] - 0.25) < 1e-12 || fabs(s.frac[i][2] - 0.75) < 1e-12, "atom %d z = %.15g", i,
                  s.frac[i][2]);
    CHECK_NEAR(nearest_atom(&s, 24, x), 0.05, 1e-9);
    CHECK(fabs(projected.sites[1].x[2] - 0.25) < 1e-12);
    check_spglib(&s, 194, 24, 12, 'j');
    /* the projected row is a fixed point: it decodes to the same atoms with nothing left to snap */
    lc_structure again;
    lc_row twice;
    CHECK(lc_row_decode(&projected, &snap_on, &again, &twice) == LC_ROW_OK);
    CHECK(again.n_atoms == s.n_atoms && twice.sites[1].wyckoff_index == j);
    for (int i = 0; i < s.n_atoms && again.n_atoms == s.n_atoms; i++)
        CHECK(lc_periodic_distance(s.lattice, s.frac[i], again.frac[i], NULL) < 1e-9);
    lc_structure_free(&again);
    lc_structure_free(&s);
}

/* A general-position site 0.05 A from the 3-fold axis (1/3, 2/3, z), off every mirror through it, becomes 4f. */
static void test_snap_to_axis(void) {
    lc_row row = hexagonal_row(filler);
    double lattice[3][3], reciprocal[3][3];
    lc_cell_parameters p = {8, 8, 10, 90, 90, 120};
    lc_lattice_from_parameters(&p, lattice);
    lc_lattice_reciprocal(lattice, reciprocal);
    double angle = 10 * 3.14159265358979323846 / 180, shift[3] = {0.05 * cos(angle), 0.05 * sin(angle), 0}, df[3];
    lc_cart_to_frac(reciprocal, shift, df);
    double x[3] = {1.0 / 3 + df[0], 2.0 / 3 + df[1], 0.1};
    row = hexagonal_row(x);
    lc_row projected;
    lc_structure s;
    CHECK(lc_row_decode(&row, &snap_off, &s, &projected) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);

    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_OK);
    int f = index_of(194, 'f');
    CHECK(projected.n_sites == 2 && projected.sites[1].wyckoff_index == f);
    CHECK(lc_wyckoff_table_get(194)->positions[f].multiplicity == 4);
    CHECK(s.n_atoms == 24 + 4);
    CHECK(no_pair_within(&s, snap_on.merge_distance));
    for (int i = 24; i < s.n_atoms; i++) {
        int on_axis = (fabs(s.frac[i][0] - 1.0 / 3) < 1e-12 && fabs(s.frac[i][1] - 2.0 / 3) < 1e-12) ||
                      (fabs(s.frac[i][0] - 2.0 / 3) < 1e-12 && fabs(s.frac[i][1] - 1.0 / 3) < 1e-12);
        CHECK_MSG(on_axis, "atom %d at (%.15g, %.15g)", i, s.frac[i][0], s.frac[i][1]);
    }
    CHECK_NEAR(nearest_atom(&s, 24, x), 0.05, 1e-9); /* the nearest point of the axis: z kept */
    check_spglib(&s, 194, 24, 4, 'f');
    lc_structure_free(&s);
}

/* 0.05 A from the mirror z = 1/4 and 0.2 A from the mirror (x, 2x, z): on either mirror alone the other one's
 * images stay 0.4 or 0.1 A apart, so the site goes to their intersection, 6h (x, 2x, 1/4) mm2, in one step. */
static void test_snap_to_intersection(void) {
    double lattice[3][3], reciprocal[3][3];
    lc_cell_parameters p = {8, 8, 10, 90, 90, 120};
    lc_lattice_from_parameters(&p, lattice);
    lc_lattice_reciprocal(lattice, reciprocal);
    double base[3] = {0.3, 0.6, 0.25}, along[3], offset[3], df[3];
    lc_frac_to_cart(lattice, (double[3]){1, 2, 0}, along);
    double len = sqrt(along[0] * along[0] + along[1] * along[1]);
    offset[0] = -along[1] / len * 0.2, offset[1] = along[0] / len * 0.2, offset[2] = 0.05;
    lc_cart_to_frac(reciprocal, offset, df);
    double x[3] = {base[0] + df[0], base[1] + df[1], base[2] + df[2]};
    lc_row row = hexagonal_row(x), projected;
    lc_structure s;
    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_OK);
    int h = index_of(194, 'h');
    CHECK_MSG(projected.sites[1].wyckoff_index == h, "snapped to %c",
              lc_wyckoff_table_get(194)->positions[projected.sites[1].wyckoff_index].letter);
    CHECK(s.n_atoms == 24 + 6);
    CHECK_NEAR(nearest_atom(&s, 24, x), sqrt(0.2 * 0.2 + 0.05 * 0.05), 1e-9);
    check_spglib(&s, 194, 24, 6, 'h');
    lc_structure_free(&s);
}

/* Two sites on one orbit (exactly, and 0.1 A apart): the first is kept, the later dropped. */
static void test_coincident_sites(void) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(194);
    double x[3] = {0.23, 0.05, 0.43}; /* generic: 24 atoms, none near a symmetry element */
    lc_row row = hexagonal_row(x), projected;
    lc_structure single, s;
    CHECK(lc_row_decode(&row, &snap_on, &single, &projected) == LC_ROW_OK && single.n_atoms == 48);
    lc_structure_free(&single);
    row.n_sites = 3;
    /* the same orbit written as another member */
    int op = t->positions[0].orbit_ops[7];
    for (int i = 0; i < 3; i++) {
        double v = t->translations[op][i];
        for (int k = 0; k < 3; k++) v += t->rotations[op][i][k] * x[k];
        row.sites[2].x[i] = v;
    }
    row.sites[2].wyckoff_index = 0, row.sites[2].species = 6;
    CHECK(lc_row_decode(&row, &snap_off, &s, &projected) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);
    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_OK);
    CHECK(projected.n_sites == 2 && s.n_atoms == 48);
    for (int k = 0; k < 3; k++) CHECK_NEAR(projected.sites[1].x[k], x[k], 1e-12); /* the first one's numbers */
    lc_structure_free(&s);
    /* 0.1 A apart (along c): every atom of the later orbit has a partner within merge_distance */
    for (int k = 0; k < 3; k++) row.sites[2].x[k] = x[k];
    row.sites[2].x[2] += 0.1 / 10;
    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_OK);
    CHECK(projected.n_sites == 2 && s.n_atoms == 48 && no_pair_within(&s, snap_on.merge_distance));
    CHECK_NEAR(projected.sites[1].x[2], x[2], 1e-12);
    lc_structure_free(&s);
    /* graphite's 2b written twice: one site, two atoms */
    lc_row graphite = {.spacegroup = 194, .cell = {2.46, 2.46, 6.7, 90, 90, 120}, .n_sites = 2};
    graphite.sites[0] = (lc_row_site){index_of(194, 'b'), 6, {0, 0, 0.25}};
    graphite.sites[1] = (lc_row_site){index_of(194, 'b'), 6, {0, 0, 0.75}};
    CHECK(lc_row_decode(&graphite, &snap_off, &s, NULL) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);
    CHECK(lc_row_decode(&graphite, &snap_on, &s, &projected) == LC_ROW_OK);
    CHECK(projected.n_sites == 1 && s.n_atoms == 2);
    lc_structure_free(&s);
}

/* Snapping cannot undo a screw axis: in P6_122 with c = 2.4 A, a point on the 6_1 axis has images c / 6 = 0.4 A
 * apart along it, and no position has fewer images (screws fix no point). The row stays collapsed. */
static void test_unfixable(void) {
    lc_row row = {.spacegroup = 178, .cell = {4, 4, 2.4, 90, 90, 120}, .n_sites = 1};
    row.sites[0] = (lc_row_site){0, 6, {0.01, 0.0, 0.3}};
    lc_structure s;
    lc_row projected;
    CHECK(lc_row_decode(&row, &snap_on, &s, &projected) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);
    /* a lattice vector shorter than merge_distance: nothing to snap to either */
    lc_row tiny = {.spacegroup = 194, .cell = {0.3, 0.3, 6.7, 90, 90, 120}, .n_sites = 1};
    tiny.sites[0] = (lc_row_site){index_of(194, 'b'), 6, {0, 0, 0.25}};
    CHECK(lc_row_decode(&tiny, &snap_on, &s, NULL) == LC_ROW_COLLAPSED);
    lc_structure_free(&s);
}

/* A row that needs no snap decodes identically with snap_special on and off, and so does every row with it off
 * whatever merge_distance (0 turns snapping off too). */
static void test_no_snap_needed(void) {
    double x[3] = {0.23, 0.05, 0.43};
    lc_row row = hexagonal_row(x), p_on, p_off;
    lc_structure on, off;
    CHECK(lc_row_decode(&row, &snap_on, &on, &p_on) == LC_ROW_OK);
    CHECK(lc_row_decode(&row, &snap_off, &off, &p_off) == LC_ROW_OK);
    CHECK(on.n_atoms == off.n_atoms && memcmp(on.frac, off.frac, sizeof(double) * 3 * (size_t)on.n_atoms) == 0);
    CHECK(p_on.n_sites == p_off.n_sites && memcmp(p_on.sites, p_off.sites, sizeof p_on.sites[0] * 2) == 0);
    lc_structure_free(&on);
    lc_structure_free(&off);
    /* merge_distance 0 (the relax reference environment): nothing is collapsed, nothing snapped */
    double near_mirror[3] = {0.17, 0.52, 0.2501};
    row = hexagonal_row(near_mirror);
    lc_row_decode_options zero = {.merge_distance = 0.0, .snap_special = 1};
    CHECK(lc_row_decode(&row, &zero, &on, &p_on) == LC_ROW_OK);
    CHECK(on.n_atoms == 48 && p_on.sites[1].wyckoff_index == 0);
    lc_structure_free(&on);
}

int main(void) {
    RUN_TEST(test_snap_to_mirror);
    RUN_TEST(test_snap_to_axis);
    RUN_TEST(test_snap_to_intersection);
    RUN_TEST(test_coincident_sites);
    RUN_TEST(test_unfixable);
    RUN_TEST(test_no_snap_needed);
    lc_wyckoff_release_all();
    return test_summary();
}
