#include "objective.h"

#include <stdlib.h>
#include <string.h>

void lc_environment_objective_init(lc_environment_objective *o, const lc_so3_plan *plan, const double *reference,
                                   const lc_crystal_params *params) {
    memset(o, 0, sizeof *o);
    o->plan = plan;
    o->reference = reference;
    o->params = params;
    lc_structure_init(&o->structure, 0);
    lc_neighbor_list_init(&o->neighbors);
    lc_so3_gradient_init(&o->gradient);
    o->p = lc_malloc(sizeof(double) * (size_t)plan->n_components);
    o->residual = lc_malloc(sizeof(double) * (size_t)plan->n_components);
    o->d_lattice = lc_malloc(sizeof(double) * 9 * (size_t)plan->n_components);
}

void lc_environment_objective_free(lc_environment_objective *o) {
    lc_structure_free(&o->structure);
    lc_neighbor_list_free(&o->neighbors);
    lc_so3_gradient_free(&o->gradient);
    free(o->p);
    free(o->residual);
    free(o->d_lattice);
}

void lc_environment_reference(const lc_so3_plan *plan, const lc_structure *reference, int atom, double *p) {
    lc_so3_descriptor(plan, reference, atom, p, NULL);
}

int lc_environment_objective_evaluate(const double *x, int n, double *f, double *grad, void *objective) {
    lc_environment_objective *o = objective;
    const lc_crystal_params *cp = o->params;
    int K = o->plan->n_components;
    o->evaluations++;
    if (lc_crystal_params_structure(cp, x, &o->structure) != 0) return -1;
    double dlattice_dx[6][3][3];
    if (grad) {
        memset(grad, 0, sizeof(double) * (size_t)n);
        if (lc_crystal_params_lattice_derivative(cp, x, dlattice_dx) != 0) return -1;
    }
    lc_neighbor_list_build(&o->neighbors, &o->structure, o->plan->options.rcut);
    const double(*lattice)[3] = (const double(*)[3])o->structure.lattice;
    double total = 0.0;
    for (int s = 0; s < cp->n_sites; s++) {
        int atom = cp->site_first_atom[s];
        double weight = (double)(cp->site_first_atom[s + 1] - atom) / cp->n_atoms;
        lc_so3_descriptor_nl(o->plan, &o->structure, &o->neighbors, atom, o->p, grad ? &o->gradient : NULL);
        double *residual = o->residual;
        for (int k = 0; k < K; k++) {
            residual[k] = o->p[k] - o->reference[k];
            total += weight * residual[k] * residual[k];
        }
        if (!grad) continue;
        /* df/dp_k = 2 w (p_k - p_ref_k) */
        for (int k = 0; k < K; k++) residual[k] *= 2.0 * weight;
        /* cell parameters: through the lattice at fixed fractional coordinates */
        lc_so3_gradient_lattice(&o->gradient, lattice, o->d_lattice);
        for (int q = 0; q < cp->n_cell; q++)
            for (int k = 0; k < K; k++)
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 3; c++) grad[q] += residual[k] * o->d_lattice[(k * 3 + r) * 3 + c] * dlattice_dx[q][r][c];
        /* coordinates: every touched atom moves with the free parameters of its own site; r = f L, so
         * dp/df_a = sum_c dp/dr_c L[a][c] */
        for (int t = 0; t < o->gradient.n_atoms_touched; t++) {
            int j = o->gradient.atom[t];
            double dfrac[3][3];
            int n_free = lc_crystal_params_frac_derivative(cp, j, dfrac);
            if (!n_free) continue;
            int site = 0;
            while (site + 1 < cp->n_sites && j >= cp->site_first_atom[site + 1]) site++;
            double df_dr[3] = {0, 0, 0};
            for (int k = 0; k < K; k++)
                for (int c = 0; c < 3; c++) df_dr[c] += residual[k] * o->gradient.d_position[(t * K + k) * 3 + c];
            for (int q = 0; q < n_free; q++) {
                double sum = 0.0;
                for (int a = 0; a < 3; a++)
                    for (int c = 0; c < 3; c++) sum += df_dr[c] * lattice[a][c] * dfrac[q][a];
                grad[cp->site_first_param[site] + q] += sum;
            }
        }
    }
    *f = total;
    return 0;
}
