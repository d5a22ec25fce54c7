#include "task_farm.h"

#include <mpi.h>
#include <stdlib.h>

#include "check.h"
#include "core/error.h"

struct lc_task_counter {
    MPI_Win window;
    long *value; /* rank 0's counter (other ranks expose nothing) */
    MPI_Comm comm;
};

lc_task_counter *lc_task_counter_create(void) {
    lc_task_counter *c = lc_calloc(1, sizeof *c);
    LC_MPI_TRY(MPI_Comm_dup(MPI_COMM_WORLD, &c->comm));
    int rank;
    LC_MPI_TRY(MPI_Comm_rank(c->comm, &rank));
    MPI_Aint size = rank == 0 ? (MPI_Aint)sizeof(long) : 0;
    LC_MPI_TRY(MPI_Win_allocate(size, sizeof(long), MPI_INFO_NULL, c->comm, &c->value, &c->window));
    if (rank == 0) *c->value = 0;
    LC_MPI_TRY(MPI_Barrier(c->comm)); /* nobody adds before rank 0 has zeroed it */
    LC_MPI_TRY(MPI_Win_lock_all(MPI_MODE_NOCHECK, c->window));
    return c;
}

long lc_task_counter_add(lc_task_counter *c, long increment) {
    long before = 0;
    LC_MPI_TRY(MPI_Fetch_and_op(&increment, &before, MPI_LONG, 0, 0, MPI_SUM, c->window));
    LC_MPI_TRY(MPI_Win_flush(0, c->window));
    return before;
}

void lc_task_counter_free(lc_task_counter *c) {
    LC_MPI_TRY(MPI_Win_unlock_all(c->window));
    LC_MPI_TRY(MPI_Win_free(&c->window));
    LC_MPI_TRY(MPI_Comm_free(&c->comm));
    free(c);
}
