/* Symmetry operations written as coordinate triplets ("-x+1/2, y, -z+0.25", "x-y,x,z+1/6"). */
#ifndef LEGOCRYST_IO_SYMOP_H
#define LEGOCRYST_IO_SYMOP_H

#include <stddef.h>

typedef struct {
    int rotation[3][3];    /* row i gives new coordinate i: x'_i = sum_j rotation[i][j] x_j + translation[i] */
    double translation[3]; /* as written (not wrapped) */
} lc_symop;

/* Parses one triplet. Returns 0, or -1 with the reason in why. Rotation coefficients must be integers and the
 * rotation must have determinant +1 or -1. */
int lc_symop_parse(const char *text, lc_symop *op, char *why, size_t why_size);

/* Writes the triplet in the International Tables style ("-x+1/2,y,-z"); translations that are multiples of
 * 1/12 or 1/8 become fractions, others decimals with 12 significant digits. */
void lc_symop_format(const int rotation[3][3], const double translation[3], char *buffer, size_t size);

void lc_symop_apply(const lc_symop *op, const double frac[3], double out[3]);

#endif
