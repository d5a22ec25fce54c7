/* Dynamic work distribution: a shared task counter in rank 0's memory, advanced with MPI one-sided atomics
 * (MPI_Fetch_and_op under a passive-target lock_all epoch), so no rank waits for a coordinator and rank 0 computes
 * too. Tasks are taken one chunk at a time; ranks that finish early simply take more. */
#ifndef LEGOCRYST_MPI_TASK_FARM_H
#define LEGOCRYST_MPI_TASK_FARM_H

typedef struct lc_task_counter lc_task_counter;

/* Collective over MPI_COMM_WORLD. The counter starts at 0. */
lc_task_counter *lc_task_counter_create(void);
/* The counter's value before adding `increment` (atomic across ranks). */
long lc_task_counter_add(lc_task_counter *c, long increment);
/* Collective. */
void lc_task_counter_free(lc_task_counter *c);

#endif
