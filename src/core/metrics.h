/* Per-epoch training metrics as CSV (docs/training.md): header `epoch,NAME,...`, one row per epoch, flushed as it
 * is written so a running job can be watched and plotted (scripts/plot_metrics.py). Only the writer (rank 0)
 * touches the file; on other ranks every call does nothing, so all ranks can run the same code. No MPI here. */
#ifndef LEGOCRYST_CORE_METRICS_H
#define LEGOCRYST_CORE_METRICS_H

#include "core/error.h"

typedef struct lc_metrics lc_metrics;

/* Opens PATH for writing on the writer (writer != 0); names are the columns after `epoch` (non-empty, no comma,
 * quote or line break, not "epoch"). resume_epoch < 0 starts a new file (replacing an older one).
 * resume_epoch >= 0 continues a run resumed after epoch resume_epoch: the file's header must be the same; rows of
 * later epochs (written after the checkpoint the run resumes from) are dropped so every epoch appears once; new
 * rows are appended (a missing file is started afresh). Returns 0, or -1 with err set (bad names, unwritable
 * path, different header). On non-writers *out is a handle that ignores every call. */
int lc_metrics_open(const char *path, const char *const *names, int n_names, int writer, long resume_epoch,
                    lc_metrics **out, lc_error *err);
/* Appends the row (epoch, values[0 .. n_names-1]) and flushes it to the file. NaN and Inf are written as nan,
 * inf, -inf. Returns -1 with err set when the write fails (disk full). */
int lc_metrics_write(lc_metrics *m, long epoch, const double *values, lc_error *err);
/* Closes and frees; m may be NULL. Returns -1 with err set when the final flush fails. */
int lc_metrics_close(lc_metrics *m, lc_error *err);

#endif
