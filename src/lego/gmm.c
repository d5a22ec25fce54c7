#include "gmm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

#define LOG_SQRT_2PI 0.91893853320467274178
/* A component whose total responsibility drops below this many values is dead: its mean would be 0/0. */
#define DEAD_COUNT 1e-10

enum {
    RNG_STREAM = 0x474D4D, /* "GMM" */
    RNG_INDEX_SAMPLE = 0,
    RNG_INDEX_SEEDING = 1,
    LLOYD_ITERATIONS = 30,
};

/* The mixture while fitting, in scaled units u = (x - lo) / range, so that the floor and tolerance are unitless. */
typedef struct {
    int k;
    double w[LC_GMM_MAX_COMPONENTS], mu[LC_GMM_MAX_COMPONENTS], var[LC_GMM_MAX_COMPONENTS];
} mixture;

static void mixture_remove(mixture *mx, int c) {
    for (int j = c; j + 1 < mx->k; j++) {
        mx->w[j] = mx->w[j + 1];
        mx->mu[j] = mx->mu[j + 1];
        mx->var[j] = mx->var[j + 1];
    }
    mx->k--;
}

static void mixture_normalise(mixture *mx) {
    double total = 0;
    for (int c = 0; c < mx->k; c++) total += mx->w[c];
    for (int c = 0; c < mx->k; c++) mx->w[c] /= total;
}

/* Uniform index in [0, n) (multiply-shift; the bias is below n / 2^32). */
static int random_index(lc_rng *rng, int n) { return (int)(((uint64_t)lc_rng_u32(rng) * (uint64_t)n) >> 32); }

/* What EM runs on: distinct scaled values with their counts. Rows repeat values heavily (-1 in most site slots,
 * special positions, 90 degrees), so merging them cuts the cost of every pass; sorted, so the fit does not
 * depend on the order of the values either. */
typedef struct {
    int m;         /* distinct values */
    double *u;     /* [m] ascending */
    double *count; /* [m] */
    double total;  /* sum of counts */
} sample;

static int compare_double(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* All values, or a seeded sample of LC_GMM_FIT_SAMPLE without replacement (a partial Fisher-Yates shuffle), so
 * that the cost of a fit does not grow with the data set; then scaled, sorted and merged. */
static void make_sample(const double *values, int n, double lo, double range, uint64_t seed, sample *s) {
    int m = n < LC_GMM_FIT_SAMPLE ? n : LC_GMM_FIT_SAMPLE;
    double *u = lc_malloc((size_t)m * sizeof *u);
    if (m == n) {
        for (int i = 0; i < n; i++) u[i] = (values[i] - lo) / range;
    } else {
        int *index = lc_malloc((size_t)n * sizeof *index);
        for (int i = 0; i < n; i++) index[i] = i;
        lc_rng rng;
        lc_rng_init(&rng, seed, RNG_STREAM, RNG_INDEX_SAMPLE);
        for (int i = 0; i < m; i++) {
            int j = i + random_index(&rng, n - i);
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
            u[i] = (values[index[i]] - lo) / range;
        }
        free(index);
    }
    qsort(u, (size_t)m, sizeof *u, compare_double);
    s->count = lc_malloc((size_t)m * sizeof *s->count);
    s->m = 0;
    for (int i = 0; i < m; i++) {
        if (s->m > 0 && u[i] == u[s->m - 1]) {
            s->count[s->m - 1] += 1;
            continue;
        }
        u[s->m] = u[i];
        s->count[s->m++] = 1;
    }
    s->u = u;
    s->total = m;
}

/* Index drawn with probability weight[i] / total; the last positive one if rounding leaves the target unreached. */
static int draw_weighted(const double *weight, int m, double total, lc_rng *rng) {
    double target = lc_rng_uniform(rng) * total, running = 0;
    int pick = -1;
    for (int i = 0; i < m; i++) {
        if (weight[i] <= 0) continue;
        pick = i;
        running += weight[i];
        if (running > target) break;
    }
    return pick;
}

/* k-means++ seeding (each new centre drawn with probability proportional to the squared distance to the nearest
 * centre so far), then Lloyd steps. Stops early when every value coincides with a centre, so data with fewer
 * distinct values than k get fewer components. The clusters give the initial weights, means and variances. */
static void initialise(const sample *s, int k, double var_floor, lc_rng *rng, mixture *mx) {
    int m = s->m;
    const double *u = s->u;
    double *d2 = lc_malloc((size_t)m * sizeof *d2), *p = lc_malloc((size_t)m * sizeof *p);
    int *label = lc_malloc((size_t)m * sizeof *label);
    double centre[LC_GMM_MAX_COMPONENTS];
    int n_centres = 1;
    centre[0] = u[draw_weighted(s->count, m, s->total, rng)];
    for (int i = 0; i < m; i++) d2[i] = (u[i] - centre[0]) * (u[i] - centre[0]);
    while (n_centres < k) {
        double total = 0;
        for (int i = 0; i < m; i++) total += (p[i] = d2[i] * s->count[i]);
        if (!(total > 0)) break;
        double c = centre[n_centres++] = u[draw_weighted(p, m, total, rng)];
        for (int i = 0; i < m; i++) {
            double d = (u[i] - c) * (u[i] - c);
            if (d < d2[i]) d2[i] = d;
        }
    }

    double count[LC_GMM_MAX_COMPONENTS], sum[LC_GMM_MAX_COMPONENTS];
    for (int iteration = 0; iteration < LLOYD_ITERATIONS; iteration++) {
        int changed = 0;
        for (int c = 0; c < n_centres; c++) count[c] = sum[c] = 0;
        for (int i = 0; i < m; i++) {
            int best = 0;
            double best_d = fabs(u[i] - centre[0]);
            for (int c = 1; c < n_centres; c++) {
                double d = fabs(u[i] - centre[c]);
                if (d < best_d) best_d = d, best = c;
            }
            if (iteration == 0 || label[i] != best) changed = 1;
            label[i] = best;
            count[best] += s->count[i];
            sum[best] += s->count[i] * u[i];
        }
        for (int c = 0; c < n_centres; c++)
            if (count[c] > 0) centre[c] = sum[c] / count[c];
        if (!changed) break;
    }

    double ss[LC_GMM_MAX_COMPONENTS] = {0};
    for (int i = 0; i < m; i++) {
        double d = u[i] - centre[label[i]];
        ss[label[i]] += s->count[i] * d * d;
    }
    mx->k = 0;
    for (int c = 0; c < n_centres; c++) {
        if (count[c] <= 0) continue;
        mx->w[mx->k] = count[c] / s->total;
        mx->mu[mx->k] = centre[c];
        mx->var[mx->k] = fmax(ss[c] / count[c], var_floor);
        mx->k++;
    }
    free(d2);
    free(p);
    free(label);
}

/* EM until the mean log-likelihood changes by less than LC_GMM_TOLERANCE or LC_GMM_MAX_ITERATIONS. One pass per
 * iteration, O(m k): responsibilities by log-sum-exp, and moments accumulated about the current means (not about
 * 0) so that narrow components far from 0 do not lose their variance to cancellation. Flooring the variance is
 * the exact M-step under the constraint var >= floor, so the likelihood still never decreases. */
static void em(const sample *s, double var_floor, mixture *mx, int *iterations, int *converged) {
    double previous = -INFINITY;
    *converged = 0;
    for (int iteration = 0; iteration < LC_GMM_MAX_ITERATIONS; iteration++) {
        int k = mx->k;
        double log_c[LC_GMM_MAX_COMPONENTS], half_precision[LC_GMM_MAX_COMPONENTS];
        double n_k[LC_GMM_MAX_COMPONENTS] = {0}, s1[LC_GMM_MAX_COMPONENTS] = {0}, s2[LC_GMM_MAX_COMPONENTS] = {0};
        for (int c = 0; c < k; c++) {
            log_c[c] = log(mx->w[c]) - 0.5 * log(mx->var[c]) - LOG_SQRT_2PI;
            half_precision[c] = 0.5 / mx->var[c];
        }
        double ll = 0;
        for (int i = 0; i < s->m; i++) {
            double u = s->u[i], l[LC_GMM_MAX_COMPONENTS], top = -INFINITY;
            for (int c = 0; c < k; c++) {
                double d = u - mx->mu[c];
                l[c] = log_c[c] - half_precision[c] * d * d;
                if (l[c] > top) top = l[c];
            }
            /* a term more than 40 below the top is < 5e-18 of the sum: skipping its exp changes nothing and saves
             * most of them when components are separated (spikes at special values) */
            double sum = 0;
            for (int c = 0; c < k; c++) sum += (l[c] = l[c] - top > -40 ? exp(l[c] - top) : 0);
            ll += s->count[i] * (top + log(sum));
            double scale = s->count[i] / sum;
            for (int c = 0; c < k; c++) {
                if (l[c] == 0) continue;
                double r = l[c] * scale, d = u - mx->mu[c];
                n_k[c] += r;
                s1[c] += r * d;
                s2[c] += r * d * d;
            }
        }
        ll /= s->total;
        for (int c = k - 1; c >= 0; c--) {
            if (n_k[c] < DEAD_COUNT) {
                mixture_remove(mx, c);
                memmove(n_k + c, n_k + c + 1, (size_t)(mx->k - c) * sizeof *n_k);
                continue;
            }
            double shift = s1[c] / n_k[c];
            mx->mu[c] += shift;
            mx->var[c] = fmax(s2[c] / n_k[c] - shift * shift, var_floor);
        }
        for (int c = 0; c < mx->k; c++) mx->w[c] = n_k[c] / s->total;
        mixture_normalise(mx);
        (*iterations)++;
        if (fabs(ll - previous) < LC_GMM_TOLERANCE) {
            *converged = 1;
            break;
        }
        previous = ll;
    }
}

static double mean_log_likelihood(const sample *s, const mixture *mx) {
    double total = 0;
    for (int i = 0; i < s->m; i++) {
        double l[LC_GMM_MAX_COMPONENTS], top = -INFINITY, sum = 0;
        for (int c = 0; c < mx->k; c++) {
            double d = s->u[i] - mx->mu[c];
            l[c] = log(mx->w[c]) - 0.5 * log(mx->var[c]) - LOG_SQRT_2PI - 0.5 * d * d / mx->var[c];
            if (l[c] > top) top = l[c];
        }
        for (int c = 0; c < mx->k; c++) sum += exp(l[c] - top);
        total += s->count[i] * (top + log(sum));
    }
    return total / s->total;
}

static int compare_components(const lc_gmm *g, int a, int b) {
    if (g->mean[a] != g->mean[b]) return g->mean[a] < g->mean[b] ? -1 : 1;
    if (g->std[a] != g->std[b]) return g->std[a] < g->std[b] ? -1 : 1;
    if (g->weight[a] != g->weight[b]) return g->weight[a] < g->weight[b] ? -1 : 1;
    return 0;
}

/* Insertion sort by (mean, std, weight): at most LC_GMM_MAX_COMPONENTS entries, and a total order, so the result
 * does not depend on the order EM left them in. */
static void sort_components(lc_gmm *g) {
    for (int i = 1; i < g->n_components; i++)
        for (int j = i; j > 0 && compare_components(g, j - 1, j) > 0; j--) {
            double t;
            t = g->mean[j], g->mean[j] = g->mean[j - 1], g->mean[j - 1] = t;
            t = g->std[j], g->std[j] = g->std[j - 1], g->std[j - 1] = t;
            t = g->weight[j], g->weight[j] = g->weight[j - 1], g->weight[j - 1] = t;
        }
}

int lc_gmm_fit(const double *values, int n, int max_components, double weight_threshold, uint64_t seed, lc_gmm *out,
               lc_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 1) return lc_error_set(err, "gmm", 0, "no values to fit");
    if (max_components < 1 || max_components > LC_GMM_MAX_COMPONENTS)
        return lc_error_set(err, "gmm", 0, "max_components %d is not in 1..%d", max_components, LC_GMM_MAX_COMPONENTS);
    if (!(weight_threshold >= 0 && weight_threshold < 1))
        return lc_error_set(err, "gmm", 0, "weight threshold %g is not in [0, 1)", weight_threshold);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        if (!isfinite(values[i])) return lc_error_set(err, "gmm", 0, "value %d is not finite (%g)", i, values[i]);
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
    }
    double range = hi - lo;
    if (!(range > 0)) { /* one value: a single spike */
        out->n_components = 1;
        out->weight[0] = 1;
        out->mean[0] = lo;
        out->std[0] = LC_GMM_STD_FLOOR * fmax(fabs(lo), 1);
        out->log_likelihood = -log(out->std[0]) - LOG_SQRT_2PI;
        out->converged = 1;
        return 0;
    }
    if (!isfinite(range)) return lc_error_set(err, "gmm", 0, "the values span more than a double can hold");

    sample s;
    make_sample(values, n, lo, range, seed, &s);
    double var_floor = LC_GMM_STD_FLOOR * LC_GMM_STD_FLOOR;
    lc_rng rng;
    lc_rng_init(&rng, seed, RNG_STREAM, RNG_INDEX_SEEDING);
    mixture mx;
    initialise(&s, max_components, var_floor, &rng, &mx);
    em(&s, var_floor, &mx, &out->n_iterations, &out->converged);
    /* Prune, re-normalise and refit until EM leaves no component under the threshold; every round removes one or
     * more components, so this ends. */
    for (;;) {
        int heaviest = 0, pruned = 0;
        for (int c = 1; c < mx.k; c++)
            if (mx.w[c] > mx.w[heaviest]) heaviest = c;
        for (int c = mx.k - 1; c >= 0; c--)
            if (c != heaviest && mx.w[c] < weight_threshold) mixture_remove(&mx, c), pruned++;
        if (!pruned) break;
        mixture_normalise(&mx);
        em(&s, var_floor, &mx, &out->n_iterations, &out->converged);
    }

    out->n_components = mx.k;
    for (int c = 0; c < mx.k; c++) {
        out->weight[c] = mx.w[c];
        out->mean[c] = lo + range * mx.mu[c];
        out->std[c] = range * sqrt(mx.var[c]);
    }
    out->log_likelihood = mean_log_likelihood(&s, &mx) - log(range);
    sort_components(out);
    free(s.u);
    free(s.count);
    return 0;
}

double lc_gmm_log_pdf(const lc_gmm *g, double x) {
    double l[LC_GMM_MAX_COMPONENTS], top = -INFINITY, s = 0;
    for (int c = 0; c < g->n_components; c++) {
        double z = (x - g->mean[c]) / g->std[c];
        l[c] = log(g->weight[c]) - log(g->std[c]) - LOG_SQRT_2PI - 0.5 * z * z;
        if (l[c] > top) top = l[c];
    }
    if (top == -INFINITY) return top;
    for (int c = 0; c < g->n_components; c++) s += exp(l[c] - top);
    return top + log(s);
}

int lc_gmm_component(const lc_gmm *g, double x) {
    int best = 0;
    double best_l = -INFINITY;
    for (int c = 0; c < g->n_components; c++) {
        double z = (x - g->mean[c]) / g->std[c];
        double l = log(g->weight[c]) - log(g->std[c]) - 0.5 * z * z;
        if (l > best_l) best_l = l, best = c;
    }
    return best;
}
