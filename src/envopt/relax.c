#include "relax.h"

#include <petsctao.h>
#include <string.h>

lc_relax_options lc_relax_default_options(void) {
    lc_relax_options o = {
        .max_iterations = 400, .gradient_atol = 1e-8, .gradient_rtol = 0.0, .max_stalled_iterations = 3};
    return o;
}

static int petsc_started_here = 0;

/* PETSc errors become lc_error messages naming the call, file and line (PetscCall's role, without returning a
 * PetscErrorCode through our API). */
#define petsc_try(call)                                                                                          \
    do {                                                                                                         \
        PetscErrorCode petsc_status_ = (call);                                                                   \
        if (petsc_status_) {                                                                                     \
            const char *petsc_text_ = NULL;                                                                      \
            PetscErrorMessage(petsc_status_, &petsc_text_, NULL);                                                \
            lc_error_set(err, __FILE__, __LINE__, "%s failed: %s", #call, petsc_text_ ? petsc_text_ : "?");      \
            goto failed;                                                                                         \
        }                                                                                                        \
    } while (0)

int lc_petsc_start(int *argc, char ***argv, lc_error *err) {
    PetscBool initialized = PETSC_FALSE;
    PetscInitialized(&initialized);
    if (initialized) return 0;
    petsc_try(PetscInitialize(argc, argv, NULL, NULL));
    petsc_started_here = 1;
    return 0;
failed:
    return -1;
}

void lc_petsc_stop(void) {
    if (petsc_started_here) PetscFinalize();
    petsc_started_here = 0;
}

typedef struct {
    lc_objective_fn fn;
    void *user;
    int n;
    int evaluations;
    const volatile sig_atomic_t *cancel;
    int max_stalled_iterations;
    int stalled;            /* iterations in a row that did not lower the objective */
    double best;
} objective_context;

static PetscErrorCode objective_and_gradient(Tao tao, Vec X, PetscReal *f, Vec G, void *ptr) {
    objective_context *c = ptr;
    const PetscScalar *x;
    PetscScalar *g;
    PetscFunctionBeginUser;
    PetscCall(VecGetArrayRead(X, &x));
    PetscCall(VecGetArray(G, &g));
    double value = 0;
    int status = c->cancel && *c->cancel ? -1 : c->fn(x, c->n, &value, g, c->user);
    c->evaluations++;
    PetscCall(VecRestoreArray(G, &g));
    PetscCall(VecRestoreArrayRead(X, &x));
    /* a failed evaluation ends the solve with TAO's user-stop reason */
    if (status != 0) PetscCall(TaoSetConvergedReason(tao, TAO_DIVERGED_USER));
    *f = value;
    PetscFunctionReturn(0);
}

/* TAO's own test (gradient tolerances, iteration and evaluation limits), then the stall: BLMVM counts an iteration
 * whose line search failed (the objective unchanged) and tries again from the same point; a point where every
 * search fails would spend the whole evaluation budget there (a 112-atom candidate took 70 s this way, its
 * trial steps projected by the bounds onto one very dense, costly point: docs/relax.md). */
static PetscErrorCode converged(Tao tao, void *ptr) {
    objective_context *c = ptr;
    PetscFunctionBeginUser;
    PetscCall(TaoDefaultConvergenceTest(tao, NULL));
    TaoConvergedReason reason;
    PetscInt iteration;
    PetscReal f;
    PetscCall(TaoGetConvergedReason(tao, &reason));
    PetscCall(TaoGetSolutionStatus(tao, &iteration, &f, NULL, NULL, NULL, NULL));
    if (iteration == 0 || f < c->best) c->best = f, c->stalled = 0;
    else c->stalled++;
    if (reason == TAO_CONTINUE_ITERATING && c->max_stalled_iterations > 0 && c->stalled >= c->max_stalled_iterations)
        PetscCall(TaoSetConvergedReason(tao, TAO_CONVERGED_USER));
    PetscFunctionReturn(0);
}

int lc_relax_minimize(int n, double *x, const double *lower, const double *upper, lc_objective_fn fn, void *user,
                      const lc_relax_options *options, lc_relax_result *result, lc_error *err) {
    memset(result, 0, sizeof *result);
    Tao tao = NULL;
    Vec X = NULL, XL = NULL, XU = NULL;
    objective_context context = {.fn = fn, .user = user, .n = n, .cancel = options->cancel,
                                 .max_stalled_iterations = options->max_stalled_iterations};
    PetscScalar *array;
    TaoConvergedReason reason;
    PetscInt iterations;
    PetscReal f, gnorm, cnorm, xdiff;
    petsc_try(VecCreateSeq(PETSC_COMM_SELF, n, &X));
    petsc_try(VecDuplicate(X, &XL));
    petsc_try(VecDuplicate(X, &XU));
    petsc_try(VecGetArray(X, &array));
    memcpy(array, x, sizeof(double) * (size_t)n);
    petsc_try(VecRestoreArray(X, &array));
    petsc_try(VecGetArray(XL, &array));
    memcpy(array, lower, sizeof(double) * (size_t)n);
    petsc_try(VecRestoreArray(XL, &array));
    petsc_try(VecGetArray(XU, &array));
    memcpy(array, upper, sizeof(double) * (size_t)n);
    petsc_try(VecRestoreArray(XU, &array));

    petsc_try(TaoCreate(PETSC_COMM_SELF, &tao));
    petsc_try(TaoSetType(tao, TAOBLMVM));
    petsc_try(TaoSetOptionsPrefix(tao, "relax_"));
    petsc_try(TaoSetSolution(tao, X));
    petsc_try(TaoSetVariableBounds(tao, XL, XU));
    petsc_try(TaoSetObjectiveAndGradient(tao, NULL, objective_and_gradient, &context));
    petsc_try(TaoSetMaximumIterations(tao, options->max_iterations));
    petsc_try(TaoSetMaximumFunctionEvaluations(tao, 20 * options->max_iterations + 100));
    petsc_try(TaoSetTolerances(tao, options->gradient_atol, options->gradient_rtol, 0.0));
    petsc_try(TaoSetConvergenceTest(tao, converged, &context));
    petsc_try(TaoSetFromOptions(tao));
    petsc_try(TaoSolve(tao));

    petsc_try(TaoGetSolutionStatus(tao, &iterations, &f, &gnorm, &cnorm, &xdiff, &reason));
    petsc_try(VecGetArray(X, &array));
    memcpy(x, array, sizeof(double) * (size_t)n);
    petsc_try(VecRestoreArray(X, &array));
    result->iterations = (int)iterations;
    result->function_evaluations = context.evaluations;
    result->f = f;
    result->gradient_norm = gnorm;
    result->reason = (int)reason;
    result->stopped_by_objective = reason == TAO_DIVERGED_USER;
    result->stalled = reason == TAO_CONVERGED_USER;
    snprintf(result->reason_name, sizeof result->reason_name, "%s", TaoConvergedReasons[reason]);
    TaoDestroy(&tao);
    VecDestroy(&X);
    VecDestroy(&XL);
    VecDestroy(&XU);
    return 0;
failed:
    if (tao) TaoDestroy(&tao);
    if (X) VecDestroy(&X);
    if (XL) VecDestroy(&XL);
    if (XU) VecDestroy(&XU);
    return -1;
}
