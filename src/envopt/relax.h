/* Bound-constrained minimisation with PETSc/TAO (BLMVM, a limited-memory quasi-Newton method with bounds) on
 * PETSC_COMM_SELF: many small independent solves, one per candidate, on every rank.
 *
 * Options come from PETSc's options database under the prefix "relax_" (e.g. -relax_tao_type bqnls,
 * -relax_tao_max_it 400, -relax_tao_monitor), after the defaults set here, so a user can pass any TAO option
 * through. lc_petsc_start must run once per process (after MPI is initialised). */
#ifndef LEGOCRYST_ENVOPT_RELAX_H
#define LEGOCRYST_ENVOPT_RELAX_H

#include <signal.h>

#include "core/error.h"

/* f(x) and its gradient (grad may be NULL when only f is wanted). Return 0, or -1 to stop the solve (e.g. a cell
 * that collapsed). */
typedef int (*lc_objective_fn)(const double *x, int n, double *f, double *grad, void *user);

typedef struct {
    int max_iterations;     /* 400 */
    double gradient_atol;   /* 1e-8: stop when ||projected gradient|| is below */
    double gradient_rtol;   /* 0: off */
    int max_stalled_iterations; /* 3: stop after this many iterations in a row without a lower objective (line
                                   searches that failed); 0: never */
    const volatile sig_atomic_t *cancel; /* NULL, or a flag (lc_stop_cancel) that ends the solve when set */
} lc_relax_options;

lc_relax_options lc_relax_default_options(void);

typedef struct {
    int iterations;
    int function_evaluations;
    double f;
    double gradient_norm;
    int reason;             /* TAO's converged reason: > 0 converged, < 0 diverged or stopped */
    int stopped_by_objective; /* the objective returned -1 (e.g. the cell left its domain) */
    int stalled;            /* stopped by max_stalled_iterations (reason TAO_CONVERGED_USER) */
    char reason_name[48];
} lc_relax_result;

/* Initialises PETSc once (PETSC_COMM_WORLD is the MPI world); extra PETSc options as argc/argv (may be NULL). */
int lc_petsc_start(int *argc, char ***argv, lc_error *err);
void lc_petsc_stop(void);

/* Minimises from x (in place) within [lower, upper]. Returns 0 (whatever the convergence: see result->reason), or
 * -1 with err when PETSc fails. */
int lc_relax_minimize(int n, double *x, const double *lower, const double *upper, lc_objective_fn fn, void *user,
                      const lc_relax_options *options, lc_relax_result *result, lc_error *err);

#endif
