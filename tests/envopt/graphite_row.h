/* Graphite as a row (P6_3/mmc, C on 2b and 2c), shared by the envopt tests. */
#ifndef LEGOCRYST_TESTS_ENVOPT_GRAPHITE_ROW_H
#define LEGOCRYST_TESTS_ENVOPT_GRAPHITE_ROW_H

#include "lego/row.h"
#include "symmetry/wyckoff.h"

static inline lc_row graphite_row(double a, double c) {
    const lc_wyckoff_table *t = lc_wyckoff_table_get(194);
    lc_row row = {.spacegroup = 194, .cell = {a, a, c, 90, 90, 120}, .n_sites = 2};
    row.sites[0] = (lc_row_site){(int)(lc_wyckoff_find(t, 'b') - t->positions), 6, {0, 0, 0.25}};
    row.sites[1] = (lc_row_site){(int)(lc_wyckoff_find(t, 'c') - t->positions), 6, {1.0 / 3, 2.0 / 3, 0.25}};
    return row;
}

#endif
