#include "figures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "envopt/candidate.h"
#include "plot.h"

enum { WIDTH = 960, HEIGHT = 600, BINS = 40, GROUPS = 20 };
#define HEADROOM 1.3 /* y axis above the tallest bar: room for the legend */
#define OBJECTIVE_FLOOR 1e-30 /* objectives at or below (an exact match) are drawn at log10 = -30 */

static int is_valid_env(int status) { return status == LC_CANDIDATE_VALID || status == LC_CANDIDATE_DUPLICATE; }

/* Smallest and largest finite value; 0 when there is none. */
static int finite_range(const double *v, long n, double *lo, double *hi) {
    int any = 0;
    for (long i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        if (!any || v[i] < *lo) *lo = v[i];
        if (!any || v[i] > *hi) *hi = v[i];
        any = 1;
    }
    return any;
}

/* counts[BINS] of the finite values over edges[BINS + 1] spanning lo .. hi, each scaled by weight. */
static void histogram(const double *v, long n, double lo, double hi, double weight, double *edges, double *counts) {
    for (int b = 0; b <= BINS; b++) edges[b] = lo + (hi - lo) * b / BINS;
    for (int b = 0; b < BINS; b++) counts[b] = 0;
    for (long i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        int b = (int)((v[i] - lo) / (hi - lo) * BINS);
        counts[b < 0 ? 0 : b >= BINS ? BINS - 1 : b] += weight;
    }
}

static double largest(const double *v, int n) {
    double m = 0;
    for (int i = 0; i < n; i++)
        if (v[i] > m) m = v[i];
    return m;
}

static char *join(const char *folder, const char *name) {
    size_t length = strlen(folder) + strlen(name) + 2;
    char *path = lc_malloc(length);
    snprintf(path, length, "%s/%s", folder, name);
    return path;
}

static int objective_figure(const char *path, const lc_candidate_db *db, lc_error *err) {
    double *all = lc_malloc(sizeof *all * (size_t)(db->n ? db->n : 1));
    double *valid = lc_malloc(sizeof *valid * (size_t)(db->n ? db->n : 1));
    long n_all = 0, n_valid = 0;
    for (long k = 0; k < db->n; k++) {
        double v = db->objective[2 * k + 1];
        if (db->status[k] == LC_CANDIDATE_UNDECODABLE || !isfinite(v)) continue;
        all[n_all++] = log10(v > OBJECTIVE_FLOOR ? v : OBJECTIVE_FLOOR);
        if (is_valid_env(db->status[k])) valid[n_valid++] = all[n_all - 1];
    }
    double lo = 0, hi = 1, edges[BINS + 1], counts[BINS], valid_counts[BINS];
    if (finite_range(all, n_all, &lo, &hi)) lo = floor(lo), hi = ceil(hi);
    if (hi <= lo) hi = lo + 1;
    histogram(all, n_all, lo, hi, 1, edges, counts);
    histogram(valid, n_valid, lo, hi, 1, edges, valid_counts);
    double top = largest(counts, BINS);
    lc_plot p;
    lc_plot_begin(&p, WIDTH, HEIGHT,
                  &(lc_plot_axes){"Objective after relaxation", "log10 objective", "candidates", lo, hi, 0,
                                  top > 0 ? HEADROOM * top : 1, 1});
    for (int b = 0; b < BINS; b++) {
        lc_plot_bar(&p, edges[b], edges[b + 1], counts[b], lc_plot_blue);
        lc_plot_bar(&p, edges[b], edges[b + 1], valid_counts[b], lc_plot_orange);
    }
    char names[2][64];
    snprintf(names[0], sizeof names[0], "decodable (%ld)", n_all);
    snprintf(names[1], sizeof names[1], "valid (%ld)", n_valid);
    lc_plot_legend(&p, 2, (const char *const[]){names[0], names[1]}, (const lc_rgb[]){lc_plot_blue, lc_plot_orange});
    if (n_all == 0) lc_plot_note(&p, "no decodable candidates");
    int status = lc_plot_write_png(&p, path, err);
    lc_plot_free(&p);
    free(all);
    free(valid);
    return status;
}

typedef struct {
    int group;
    long long valid, unique;
} group_count;

static int most_valid_first(const void *a, const void *b) {
    const group_count *x = a, *y = b;
    if (x->valid != y->valid) return x->valid > y->valid ? -1 : 1;
    return x->group - y->group;
}

static int spacegroup_figure(const char *path, const lc_summary *s, lc_error *err) {
    group_count groups[LC_SUMMARY_SPACEGROUPS];
    int n = 0;
    for (int g = 0; g < LC_SUMMARY_SPACEGROUPS; g++)
        if (s->spacegroup_counts[g][1] > 0)
            groups[n++] = (group_count){g + 1, s->spacegroup_counts[g][1], s->spacegroup_counts[g][2]};
    qsort(groups, (size_t)n, sizeof *groups, most_valid_first);
    if (n > GROUPS) n = GROUPS;
    double top = n > 0 ? (double)groups[0].valid : 0;
    lc_plot p;
    lc_plot_begin(&p, WIDTH, HEIGHT,
                  &(lc_plot_axes){"Valid candidates per space group", "space group after relaxation",
                                  "valid candidates", 0, n > 0 ? n : 1, 0, top > 0 ? HEADROOM * top : 1, 0});
    for (int i = 0; i < n; i++) {
        char label[16];
        snprintf(label, sizeof label, "%d", groups[i].group);
        lc_plot_bar(&p, i + 0.15, i + 0.85, (double)groups[i].valid, lc_plot_blue);
        lc_plot_bar(&p, i + 0.15, i + 0.85, (double)groups[i].unique, lc_plot_orange);
        lc_plot_bar_label(&p, i + 0.5, label);
    }
    char names[2][64];
    snprintf(names[0], sizeof names[0], "valid (%lld)", s->n_valid_env);
    snprintf(names[1], sizeof names[1], "unique (%lld)", s->n_unique);
    lc_plot_legend(&p, 2, (const char *const[]){names[0], names[1]}, (const lc_rgb[]){lc_plot_blue, lc_plot_orange});
    if (n == 0) lc_plot_note(&p, "no valid candidates");
    int status = lc_plot_write_png(&p, path, err);
    lc_plot_free(&p);
    return status;
}

static int density_figure(const char *path, const lc_candidate_db *db, const double *training, long n_training,
                          lc_error *err) {
    double *valid = lc_malloc(sizeof *valid * (size_t)(db->n ? db->n : 1));
    long n_valid = 0;
    for (long k = 0; k < db->n; k++)
        if (is_valid_env(db->status[k]) && isfinite(db->density[k])) valid[n_valid++] = db->density[k];
    double lo = 0, hi = 0, lo2 = 0, hi2 = 0;
    int any = finite_range(valid, n_valid, &lo, &hi), any_training = finite_range(training, n_training, &lo2, &hi2);
    if (any_training) lo = any && lo < lo2 ? lo : lo2, hi = any && hi > hi2 ? hi : hi2;
    double pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
    lo -= pad, hi += pad;
    /* probability densities, so sets of any size compare */
    double edges[BINS + 1], ours[BINS], theirs[BINS], width = (hi - lo) / BINS;
    histogram(valid, n_valid, lo, hi, n_valid ? 1.0 / ((double)n_valid * width) : 0, edges, ours);
    histogram(training, n_training, lo, hi, n_training ? 1.0 / ((double)n_training * width) : 0, edges, theirs);
    double top = fmax(largest(ours, BINS), largest(theirs, BINS));
    lc_plot p;
    lc_plot_begin(&p, WIDTH, HEIGHT,
                  &(lc_plot_axes){"Density", "density (g/cm^3)", "probability density", lo, hi, 0,
                                  top > 0 ? HEADROOM * top : 1, 1});
    char names[2][64];
    snprintf(names[0], sizeof names[0], "valid candidates (%ld)", n_valid);
    snprintf(names[1], sizeof names[1], "training set (%ld)", n_training);
    if (training) lc_plot_steps(&p, edges, theirs, BINS, lc_plot_grey);
    lc_plot_steps(&p, edges, ours, BINS, lc_plot_blue);
    lc_plot_legend(&p, training ? 2 : 1, (const char *const[]){names[0], names[1]},
                   (const lc_rgb[]){lc_plot_blue, lc_plot_grey});
    if (n_valid == 0) lc_plot_note(&p, "no valid candidates");
    int status = lc_plot_write_png(&p, path, err);
    lc_plot_free(&p);
    free(valid);
    return status;
}

int lc_figures_write(const char *folder, const lc_candidate_db *db, const lc_summary *s,
                     const double *training_density, long n_training, lc_error *err) {
    if (mkdir(folder, 0777) != 0 && errno != EEXIST)
        return lc_error_set(err, folder, 0, "cannot create folder: %s", strerror(errno));
    char *objective = join(folder, "objective.png"), *groups = join(folder, "spacegroups.png");
    char *density = join(folder, "density.png");
    int status = objective_figure(objective, db, err);
    status = status ? status : spacegroup_figure(groups, s, err);
    status = status ? status : density_figure(density, db, training_density, n_training, err);
    free(objective);
    free(groups);
    free(density);
    return status;
}
