/* LEGO-Cryst table rows: a crystal as space group, cell and Wyckoff sites.
 *
 * Column layout (LC_ROW_FIXED_COLUMNS + 4 * max_sites numbers, 39 for the default 8 sites):
 *   0 space-group number, 1-3 a, b, c (Angstrom), 4-6 alpha, beta, gamma (degrees),
 *   then per site s: 7 + 4 s: Wyckoff index (0 = general position ... last = 'a', the order of lc_wyckoff_table),
 *   8 + 4 s .. 10 + 4 s: x, y, z of one orbit member, wrapped to [0, 1). Unused site slots hold -1 in all 4 columns.
 * Species are not columns yet (single-species rows); the struct keeps a species per site so that multi-species
 * rows can add a column later. */
#ifndef LEGOCRYST_LEGO_ROW_H
#define LEGOCRYST_LEGO_ROW_H

#include "core/error.h"
#include "core/structure.h"

enum {
    LC_ROW_FIXED_COLUMNS = 7,
    LC_ROW_SITE_COLUMNS = 4,
    LC_ROW_DEFAULT_MAX_SITES = 8,
    LC_ROW_MAX_SITES = 64,
};
/* A decodable cell has lengths up to LC_ROW_MAX_LENGTH and lattice planes at least LC_ROW_MIN_SPACING apart
 * (Angstrom); beyond either it is LC_ROW_BAD_CELL. */
#define LC_ROW_MAX_LENGTH 1e4
#define LC_ROW_MIN_SPACING 1e-3

/* Number of columns of a row with max_sites site slots. */
static inline int lc_row_columns(int max_sites) { return LC_ROW_FIXED_COLUMNS + LC_ROW_SITE_COLUMNS * max_sites; }

/* Is column c a discrete (categorical) column? The space group and each site's Wyckoff index are. */
static inline int lc_row_column_is_discrete(int c) {
    return c == 0 || (c >= LC_ROW_FIXED_COLUMNS && (c - LC_ROW_FIXED_COLUMNS) % LC_ROW_SITE_COLUMNS == 0);
}

/* A row as a struct: what the array columns mean, with any number of sites up to LC_ROW_MAX_SITES. */
typedef struct {
    int wyckoff_index; /* into lc_wyckoff_table_get(spacegroup)->positions */
    int species;       /* atomic number (not a column yet) */
    double x[3];       /* fractional, one orbit member */
} lc_row_site;

typedef struct {
    int spacegroup;
    double cell[6]; /* a, b, c (Angstrom), alpha, beta, gamma (degrees) */
    int n_sites;
    lc_row_site sites[LC_ROW_MAX_SITES];
} lc_row;

typedef enum {
    LC_ROW_OK = 0,
    LC_ROW_BAD_GROUP,     /* space group not an integer in 1..230 */
    LC_ROW_BAD_WYCKOFF,   /* Wyckoff index not an integer position of that group */
    LC_ROW_BAD_CELL,      /* cell not finite, non-positive lengths, no volume, or out of scale */
    LC_ROW_NO_SITES,      /* every site slot unused */
    LC_ROW_COLLAPSED,     /* atoms of different sites or of one orbit closer than the merge distance */
    LC_ROW_STATUS_COUNT
} lc_row_status;

const char *lc_row_status_name(lc_row_status status);

/* Describes a crystal given in the standard setting of `spacegroup` (as spglib's standardised conventional cell
 * is): groups its atoms into orbits, places each orbit's representative on the Wyckoff position it occupies
 * (within `tolerance` Angstrom) and sorts the sites (Wyckoff index, species, x, y, z). -1 with err when the atoms
 * do not form complete orbits of the group at that tolerance or there are more than LC_ROW_MAX_SITES orbits. */
int lc_row_from_standard_cell(int spacegroup, const lc_structure *cell, double tolerance, lc_row *row, lc_error *err);
/* Any structure: spglib's standardised conventional cell at symprec, then lc_row_from_standard_cell. */
int lc_row_from_structure(const lc_structure *s, double symprec, lc_row *row, lc_error *err);

/* Degrees of freedom: free cell parameters of the lattice system plus free coordinates of every site. */
int lc_row_degrees_of_freedom(const lc_row *row);
/* Free cell parameters of the lattice system of a space group (6 triclinic ... 1 cubic). */
int lc_row_cell_freedom(int spacegroup);
/* Imposes the lattice system of the space group on cell parameters (e.g. hexagonal: a = b = their mean,
 * alpha = beta = 90, gamma = 120). */
void lc_row_constrain_cell(int spacegroup, const double in[6], double out[6]);

/* Array form (lc_row_columns(max_sites) numbers). to_array needs row->n_sites <= max_sites. */
void lc_row_to_array(const lc_row *row, int max_sites, double *out);
/* Reads an array (e.g. a generated sample): checks the group and Wyckoff indices, keeps the numbers as they are. */
lc_row_status lc_row_from_array(const double *in, int max_sites, int species, lc_row *row);

typedef struct {
    double merge_distance; /* Angstrom: closer atoms are merged and the row reported collapsed */
    int snap_special;      /* nonzero: collapsing orbits move onto special positions, coincident sites are dropped
                            * (see lc_row_decode); 0 (what a zeroed struct gives): neither */
} lc_row_decode_options;

/* Row -> structure: lattice with the group's constraints, each site projected onto the nearest point of its
 * Wyckoff position (over all its orbit images), orbits expanded, atoms closer than merge_distance merged.
 *
 * With options->snap_special, two steps come between the projection and the expansion, for each site in order:
 *   1. a site whose orbit has two members closer than merge_distance (a point next to a mirror, an axis, an
 *      inversion centre: the images that symmetry element relates nearly coincide) moves to the nearest point,
 *      within merge_distance, of a Wyckoff position of the same group with lower multiplicity on which the
 *      orbit has no such pair; the site's Wyckoff index becomes that position's. Without one, it stays.
 *   2. a site with an atom closer than merge_distance to an atom of an earlier (kept) site is dropped: orbits are
 *      invariant under the group, so then every atom of either orbit has a partner in the other.
 * What is still closer than merge_distance afterwards (an orbit that no special position within merge_distance
 * makes exact, e.g. images related by a screw axis or a lattice vector shorter than merge_distance) is merged and
 * reported LC_ROW_COLLAPSED, as without snapping.
 * `out` is always a valid structure when the status is LC_ROW_OK or LC_ROW_COLLAPSED (merged atoms removed);
 * `projected` (may be NULL) receives the row as decoded: each kept site on its representative, with its (possibly
 * snapped) Wyckoff index, dropped sites removed. */
lc_row_status lc_row_decode(const lc_row *row, const lc_row_decode_options *options, lc_structure *out,
                            lc_row *projected);

#endif
