/* Stopping a long run cleanly on SIGTERM (what Slurm sends before the time limit, and what mpiexec forwards) or
 * SIGINT: the run finishes the piece of work in hand, saves and exits. Work that would overrun the grace period
 * is cancelled: lc_stop_cancel becomes nonzero half a grace period after the signal, and long computations poll
 * it (relax passes it to TAO). */
#ifndef LEGOCRYST_CORE_STOP_H
#define LEGOCRYST_CORE_STOP_H

#include <signal.h>

extern volatile sig_atomic_t lc_stop_cancel;

/* Installs the handlers. grace_seconds: how long the batch system waits between SIGTERM and SIGKILL. */
void lc_stop_install(double grace_seconds);
/* Restores the default handlers. */
void lc_stop_uninstall(void);
/* Nonzero once a stop signal has arrived. */
int lc_stop_requested(void);

#endif
