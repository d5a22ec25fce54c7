/* Space-group types and their operations in the standard setting, from spglib's database.
 *
 * The standard setting of a space-group number is the first of its Hall settings in spglib's list (for the
 * groups with two origin choices, origin choice 1; for rhombohedral groups, hexagonal axes). Operations act on
 * fractional column vectors: x' = R x + t, and include the centring translations of the conventional cell. */
#ifndef LEGOCRYST_SYMMETRY_SPACEGROUP_H
#define LEGOCRYST_SYMMETRY_SPACEGROUP_H

enum { LC_MAX_OPERATIONS = 192 };

typedef struct {
    int number;          /* 1..230 */
    int hall_number;     /* 1..530 */
    char symbol[16];     /* short Hermann-Mauguin symbol, e.g. "P6_3/mmc" */
    char full_symbol[24];
    char choice[8];      /* setting choice ("1", "H", ...) or "" */
    char crystal_system[16]; /* "triclinic" .. "cubic" */
} lc_spacegroup;

/* Standard Hall number of a space-group number, or 0 when number is not in 1..230. */
int lc_spacegroup_hall_number(int number);
/* Fills info for a space-group number; -1 when out of range. */
int lc_spacegroup_info(int number, lc_spacegroup *info);
/* Operations of the standard setting (conventional cell, centring included). Returns their count, or 0 when
 * number is out of range. */
int lc_spacegroup_operations(int number, int rotations[LC_MAX_OPERATIONS][3][3],
                             double translations[LC_MAX_OPERATIONS][3]);

#endif
