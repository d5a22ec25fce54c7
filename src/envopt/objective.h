/* The local-environment objective of LEGO-Cryst: how far each site's environment is from a reference.
 *
 *     f(x) = sum_s m_s ||p_s(x) - p_ref||^2 / sum_s m_s
 *
 * over the sites s of the crystal parameters x (crystal_params.h), with m_s the site's multiplicity and p_s the
 * SO(3) power spectrum of one atom of the site (symmetry-equivalent atoms have the same environment, so one per
 * orbit is enough). The gradient with respect to x is exact: descriptor derivatives (positions and lattice at
 * fixed fractional coordinates) chained through the exact derivatives of the lattice and of the orbit atoms'
 * fractional coordinates with respect to x. */
#ifndef LEGOCRYST_ENVOPT_OBJECTIVE_H
#define LEGOCRYST_ENVOPT_OBJECTIVE_H

#include "core/neighbor_list.h"
#include "crystal_params.h"
#include "so3.h"

typedef struct {
    const lc_so3_plan *plan;
    const double *reference;   /* [plan->n_components] */
    const lc_crystal_params *params;
    /* scratch reused across evaluations */
    lc_structure structure;
    lc_neighbor_list neighbors;
    lc_so3_gradient gradient;
    double *p;                 /* [n_components] */
    double *residual;          /* [n_components] */
    double *d_lattice;         /* [n_components][3][3] */
    long evaluations;
} lc_environment_objective;

void lc_environment_objective_init(lc_environment_objective *o, const lc_so3_plan *plan, const double *reference,
                                   const lc_crystal_params *params);
void lc_environment_objective_free(lc_environment_objective *o);

/* f and (grad != NULL) df/dx[n_params]. Returns -1 when x gives no valid cell. Matches lc_objective_fn with the
 * objective as `user`. */
int lc_environment_objective_evaluate(const double *x, int n, double *f, double *grad, void *objective);

/* The reference environment: the descriptor of `atom` in a reference structure (e.g. graphite). */
void lc_environment_reference(const lc_so3_plan *plan, const lc_structure *reference, int atom, double *p);

#endif
