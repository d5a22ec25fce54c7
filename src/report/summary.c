#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "candidate_db.h"
#include "envopt/candidate.h"

enum { PRINTED_GROUPS = 15 }; /* groups in the text summary; JSON lists them all */

/* Lowest objective first; ties by id so the order never depends on the input order. */
static int best_order(const void *a, const void *b) {
    const lc_summary_best *x = a, *y = b;
    if (x->objective != y->objective) return x->objective < y->objective ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

int lc_summary_compute(const lc_summary_input *in, int best_k, lc_summary *out) {
    memset(out, 0, sizeof *out);
    out->wall_seconds = out->candidates_per_second = out->valid_per_second = NAN;
    if (best_k < 0 || in->n < 0) return -1;
    for (long i = 0; i < in->n; i++)
        if (in->status[i] < 0 || in->status[i] >= LC_CANDIDATE_STATUS_COUNT) return -1;
    lc_summary_best *unique = lc_malloc(sizeof *unique * (size_t)(in->n ? in->n : 1));
    long n_unique_finite = 0;
    for (long i = 0; i < in->n; i++) {
        int status = in->status[i], g = in->spacegroup_relaxed[i];
        int valid_env = status == LC_CANDIDATE_VALID || status == LC_CANDIDATE_DUPLICATE;
        int is_unique = status == LC_CANDIDATE_VALID, three_d = in->dimensionality[i] == 3;
        out->n_total++;
        out->n_decodable += status != LC_CANDIDATE_UNDECODABLE;
        out->n_valid_env += valid_env;
        out->n_unique += is_unique;
        out->n_3d += valid_env && three_d;
        out->n_unique_3d += is_unique && three_d;
        out->n_failed += status == LC_CANDIDATE_FAILED;
        out->n_invalid += status == LC_CANDIDATE_INVALID;
        if (status != LC_CANDIDATE_UNDECODABLE && g >= 1 && g <= LC_SUMMARY_SPACEGROUPS) {
            out->spacegroup_counts[g - 1][0]++;
            out->spacegroup_counts[g - 1][1] += valid_env;
            out->spacegroup_counts[g - 1][2] += is_unique;
        }
        if (is_unique && isfinite(in->objective[2 * i + 1]))
            unique[n_unique_finite++] = (lc_summary_best){i, in->id[i], g, in->n_atoms[i], in->density[i],
                                                          in->objective[2 * i + 1]};
    }
    qsort(unique, (size_t)n_unique_finite, sizeof *unique, best_order);
    out->n_best = n_unique_finite < best_k ? (int)n_unique_finite : best_k;
    out->best = lc_realloc(unique, sizeof *unique * (size_t)(out->n_best ? out->n_best : 1));
    if (in->wall_seconds > 0) {
        out->wall_seconds = in->wall_seconds;
        out->candidates_per_second = (double)out->n_total / in->wall_seconds;
        out->valid_per_second = (double)out->n_valid_env / in->wall_seconds;
    }
    return 0;
}

void lc_summary_free(lc_summary *s) {
    free(s->best);
    s->best = NULL;
    s->n_best = 0;
}

/* Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" (lc_h5_time_now); NaN when the text is not that. Days from the
 * civil date as in H. Hinnant's chrono algorithms (timegm is not POSIX). */
static double iso_seconds(const char *text) {
    int y, m, d, hour, minute, second;
    char zone;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &m, &d, &hour, &minute, &second, &zone) != 7 || zone != 'Z')
        return NAN;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400, year_of_era = y - era * 400;
    long day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (double)(era * 146097 + day_of_era - 719468) * 86400.0 + hour * 3600.0 + minute * 60.0 + second;
}

/* The wall time a database records; NaN when it records none. */
static double database_wall_seconds(const char *path) {
    lc_error ignored;
    double wall;
    if (lc_h5_read_attr_f64(path, "/", "wall_seconds", &wall, &ignored) == 0) return wall;
    char *start = NULL, *end = NULL;
    wall = NAN;
    if (lc_h5_read_attr_string(path, "/", "start_time", &start, &ignored) == 0 &&
        lc_h5_read_attr_string(path, "/", "end_time", &end, &ignored) == 0)
        wall = iso_seconds(end) - iso_seconds(start);
    free(start);
    free(end);
    return wall;
}

static int summary_of_db(const char *path, const lc_candidate_db *db, double wall, int best_k, lc_summary *out,
                         lc_error *err) {
    lc_summary_input in = {db->n,       db->id,        db->status,  db->spacegroup_relaxed, db->dimensionality,
                           db->n_atoms, db->objective, db->density, wall};
    if (best_k < 0) return lc_error_set(err, path, 0, "cannot list the best %d candidates", best_k);
    if (lc_summary_compute(&in, best_k, out) != 0)
        return lc_error_set(err, path, 0, "/candidates/status holds values outside 0..%d",
                            LC_CANDIDATE_STATUS_COUNT - 1);
    return 0;
}

int lc_summary_read_db(const char *path, int best_k, lc_summary *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    lc_candidate_db db;
    int status = lc_candidate_db_read(path, 0, &db, err);
    if (status == 0) status = summary_of_db(path, &db, database_wall_seconds(path), best_k, out, err);
    lc_candidate_db_free(&db);
    return status;
}

int lc_summary_export_best(const char *db_path, int k, const char *folder, lc_error *err) {
    lc_candidate_db db;
    lc_summary s;
    memset(&s, 0, sizeof s);
    int status = lc_candidate_db_read(db_path, 1, &db, err);
    if (status == 0) status = summary_of_db(db_path, &db, NAN, k, &s, err);
    if (status == 0) {
        long *which = lc_malloc(sizeof *which * (size_t)(s.n_best ? s.n_best : 1));
        for (int i = 0; i < s.n_best; i++) which[i] = s.best[i].row;
        status = lc_candidate_db_export(&db, which, s.n_best, folder, LC_FORMAT_CIF, err);
        free(which);
    }
    int written = s.n_best;
    lc_summary_free(&s);
    lc_candidate_db_free(&db);
    return status == 0 ? written : -1;
}

/* ---- text ---- */

static double percent(long long part, long long whole) { return whole > 0 ? 100.0 * (double)part / (double)whole : 0; }

typedef struct {
    int group;
    long long candidates, valid;
} group_row;

/* Most valid first, then most candidates, then the lower group. */
static int group_order(const void *a, const void *b) {
    const group_row *x = a, *y = b;
    if (x->valid != y->valid) return x->valid > y->valid ? -1 : 1;
    if (x->candidates != y->candidates) return x->candidates > y->candidates ? -1 : 1;
    return x->group - y->group;
}

void lc_summary_print(FILE *f, const lc_summary *s) {
    fprintf(f, "candidates      %10lld\n", s->n_total);
    fprintf(f, "  decodable     %10lld  %5.1f %%\n", s->n_decodable, percent(s->n_decodable, s->n_total));
    fprintf(f, "  valid         %10lld  %5.1f %%  (valid environment, duplicates included)\n", s->n_valid_env,
            percent(s->n_valid_env, s->n_total));
    fprintf(f, "  unique        %10lld  %5.1f %%\n", s->n_unique, percent(s->n_unique, s->n_total));
    fprintf(f, "  valid 3-D     %10lld  %5.1f %%  (3-D bonded network)\n", s->n_3d, percent(s->n_3d, s->n_total));
    fprintf(f, "  unique 3-D    %10lld  %5.1f %%\n", s->n_unique_3d, percent(s->n_unique_3d, s->n_total));
    fprintf(f, "  invalid       %10lld  %5.1f %%\n", s->n_invalid, percent(s->n_invalid, s->n_total));
    fprintf(f, "  failed        %10lld  %5.1f %%\n", s->n_failed, percent(s->n_failed, s->n_total));
    if (isfinite(s->wall_seconds))
        fprintf(f, "wall time       %10.1f s: %.3g candidates/s, %.3g valid/s\n", s->wall_seconds,
                s->candidates_per_second, s->valid_per_second);
    else
        fprintf(f, "wall time       unknown (no rates)\n");

    group_row groups[LC_SUMMARY_SPACEGROUPS];
    int n_groups = 0;
    for (int g = 0; g < LC_SUMMARY_SPACEGROUPS; g++)
        if (s->spacegroup_counts[g][0] > 0)
            groups[n_groups++] = (group_row){g + 1, s->spacegroup_counts[g][0], s->spacegroup_counts[g][1]};
    qsort(groups, (size_t)n_groups, sizeof *groups, group_order);
    if (n_groups > 0)
        fprintf(f, "space groups after relaxation (most valid first):\n   group  candidates     valid    unique\n");
    for (int i = 0; i < n_groups && i < PRINTED_GROUPS; i++) {
        const long long *c = s->spacegroup_counts[groups[i].group - 1];
        fprintf(f, "  %6d  %10lld  %8lld  %8lld\n", groups[i].group, c[0], c[1], c[2]);
    }
    if (n_groups > PRINTED_GROUPS)
        fprintf(f, "  ... %d more groups (--json lists them all)\n", n_groups - PRINTED_GROUPS);

    if (s->n_best > 0) {
        fprintf(f, "the %d best unique candidates (lowest objective after relaxation):\n", s->n_best);
        fprintf(f, "  %10s  %5s  %5s  %8s  %12s\n", "id", "group", "atoms", "density", "objective");
    }
    for (int i = 0; i < s->n_best; i++) {
        const lc_summary_best *b = &s->best[i];
        fprintf(f, "  %10lld  %5d  %5d  %8.4f  %12.5e\n", b->id, b->spacegroup, b->n_atoms, b->density, b->objective);
    }
}

/* ---- JSON ---- */

static void json_number(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.17g", v);
    else fputs("null", f);
}

void lc_summary_print_json(FILE *f, const lc_summary *s) {
    fprintf(f, "{\"n_total\": %lld, \"n_decodable\": %lld, \"n_valid_env\": %lld, \"n_unique\": %lld, ", s->n_total,
            s->n_decodable, s->n_valid_env, s->n_unique);
    fprintf(f, "\"n_3d\": %lld, \"n_unique_3d\": %lld, \"n_failed\": %lld, \"n_invalid\": %lld, ", s->n_3d,
            s->n_unique_3d, s->n_failed, s->n_invalid);
    fputs("\"wall_seconds\": ", f);
    json_number(f, s->wall_seconds);
    fputs(", \"candidates_per_second\": ", f);
    json_number(f, s->candidates_per_second);
    fputs(", \"valid_per_second\": ", f);
    json_number(f, s->valid_per_second);
    fputs(",\n \"spacegroups\": [", f);
    int first = 1;
    for (int g = 0; g < LC_SUMMARY_SPACEGROUPS; g++) {
        const long long *c = s->spacegroup_counts[g];
        if (c[0] == 0) continue;
        fprintf(f, "%s{\"spacegroup\": %d, \"candidates\": %lld, \"valid_env\": %lld, \"unique\": %lld}",
                first ? "" : ", ", g + 1, c[0], c[1], c[2]);
        first = 0;
    }
    fputs("],\n \"best\": [", f);
    for (int i = 0; i < s->n_best; i++) {
        const lc_summary_best *b = &s->best[i];
        fprintf(f, "%s{\"id\": %lld, \"spacegroup\": %d, \"n_atoms\": %d, \"density\": ", i ? ", " : "", b->id,
                b->spacegroup, b->n_atoms);
        json_number(f, b->density);
        fputs(", \"objective\": ", f);
        json_number(f, b->objective);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

/* ---- HDF5 ---- */

int lc_summary_write(lc_h5_file *f, const lc_summary *s, lc_error *err) {
    long n_best = s->n_best;
    long long *ids = lc_malloc(sizeof *ids * (size_t)(n_best ? n_best : 1));
    double *table = lc_malloc(sizeof *table * 4 * (size_t)(n_best ? n_best : 1));
    for (long i = 0; i < n_best; i++) {
        const lc_summary_best *b = &s->best[i];
        ids[i] = b->id;
        table[4 * i] = b->spacegroup, table[4 * i + 1] = b->n_atoms;
        table[4 * i + 2] = b->density, table[4 * i + 3] = b->objective;
    }
    int st = lc_h5_write_small_i64(f, "summary/spacegroup_counts", &s->spacegroup_counts[0][0],
                                   LC_SUMMARY_SPACEGROUPS, 3, err);
    st = st ? st : lc_h5_attr_string(f, "/summary/spacegroup_counts", "columns", "candidates, valid_env, unique", err);
    st = st ? st : lc_h5_write_small_i64(f, "summary/best/id", ids, n_best, 1, err);
    st = st ? st : lc_h5_write_small_f64(f, "summary/best/table", table, n_best, 4, err);
    st = st ? st : lc_h5_attr_string(f, "/summary/best/table", "columns",
                                     "spacegroup_relaxed, n_atoms, density, objective_after", err);
    const struct {
        const char *name;
        long long value;
    } counts[] = {{"n_total", s->n_total},         {"n_decodable", s->n_decodable}, {"n_valid_env", s->n_valid_env},
                  {"n_unique", s->n_unique},       {"n_3d", s->n_3d},               {"n_unique_3d", s->n_unique_3d},
                  {"n_failed", s->n_failed},       {"n_invalid", s->n_invalid}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        st = st ? st : lc_h5_attr_i64(f, "/summary", counts[i].name, counts[i].value, err);
    st = st ? st : lc_h5_attr_f64(f, "/summary", "wall_seconds", s->wall_seconds, err);
    st = st ? st : lc_h5_attr_f64(f, "/summary", "candidates_per_second", s->candidates_per_second, err);
    st = st ? st : lc_h5_attr_f64(f, "/summary", "valid_per_second", s->valid_per_second, err);
    free(ids);
    free(table);
    return st;
}
