/* Process-wide MPI set-up. Only mpi/ includes mpi.h; the rest of legocryst asks for rank and size here. */
#ifndef LEGOCRYST_MPI_COMM_H
#define LEGOCRYST_MPI_COMM_H

/* MPI_Init (thread level FUNNELED); safe to call once per process. */
void lc_comm_init(int *argc, char ***argv);
void lc_comm_finalize(void);
int lc_comm_rank(void);
int lc_comm_size(void);
/* Ends every rank with this exit status (MPI_Abort when several ranks run, exit otherwise). */
_Noreturn void lc_comm_abort(int status);
/* Library versions of the parallel stack, e.g. "Open MPI v4.1.4, HDF5 1.10.8 (parallel)". */
void lc_comm_describe(char *buffer, int size);

#endif
