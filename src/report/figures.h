/* The figures of `legocryst report`, as PNG files of 960 x 600 pixels:
 *   objective.png    histogram of log10(objective after relaxation) of the decodable candidates, valid ones on top
 *   spacegroups.png  valid candidates (duplicates included) and unique ones in the 20 relaxed space groups with the
 *                    most valid candidates
 *   density.png      density distribution of the valid candidates, and of the training set when one is given */
#ifndef LEGOCRYST_REPORT_FIGURES_H
#define LEGOCRYST_REPORT_FIGURES_H

#include "candidate_db.h"
#include "core/error.h"
#include "summary.h"

/* Writes the three figures of db (and its summary s) into folder, created when missing. training_density
 * ([n_training], g/cm^3) may be NULL with n_training 0. Returns -1 with err set when a file cannot be written. */
int lc_figures_write(const char *folder, const lc_candidate_db *db, const lc_summary *s,
                     const double *training_density, long n_training, lc_error *err);

#endif
