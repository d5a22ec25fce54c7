/* Deduplication cost on real candidates: the valid candidates of a candidate database (a campaign's or `relax`'s)
 * offered to lc_dedup in id order, as a campaign's merge does (its buckets are a partition of the same offers, so
 * the verdicts are the same), with the deck's default tolerances (pymatgen's StructureMatcher, scaled, density
 * window). Prints the unique count, the seconds, the largest buckets (what one rank's share of the merge costs)
 * and the slowest offers. With `any-spacegroup` every candidate is offered with space group 0: how many duplicates
 * the space-group buckets miss (relaxed copies of one crystal that spglib assigns different groups).
 * usage: bench_dedup DB.h5 [LIMIT] [DENSITY_TOLERANCE] [any-spacegroup] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "envopt/candidate.h"
#include "envopt/dedup.h"
#include "report/candidate_db.h"

typedef struct {
    int n_primitive, spacegroup;
    long offers, unique;
    double seconds;
} bucket_cost;

static int by_seconds(const void *x, const void *y) {
    const bucket_cost *a = x, *b = y;
    return (a->seconds < b->seconds) - (a->seconds > b->seconds);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_dedup DB.h5 [LIMIT] [DENSITY_TOLERANCE] [any-spacegroup]\n");
        return 2;
    }
    long limit = argc > 2 ? atol(argv[2]) : 0;
    double density_tolerance = argc > 3 ? atof(argv[3]) : 0.05;
    int any_spacegroup = argc > 4 && strcmp(argv[4], "any-spacegroup") == 0;
    lc_candidate_db db;
    lc_error err;
    if (lc_candidate_db_read(argv[1], 1, &db, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    lc_match_options match = lc_match_loose_options();
    lc_dedup dedup;
    lc_dedup_init(&dedup, &match, density_tolerance);
    long n_buckets = 0, offers = 0, unique = 0;
    bucket_cost *buckets = NULL;
    double start = lc_log_seconds(), slowest = 0;
    long long slowest_id = -1;
    /* LC_CANDIDATE_DUPLICATE: a database deduplicated already is deduplicated again */
    for (long k = 0; k < db.n && (limit <= 0 || offers < limit); k++) {
        if (db.status[k] != LC_CANDIDATE_VALID && db.status[k] != LC_CANDIDATE_DUPLICATE) continue;
        lc_structure s;
        lc_candidate_db_structure(&db, k, &s);
        int key, spacegroup = any_spacegroup ? 0 : db.spacegroup_relaxed[k];
        double t0 = lc_log_seconds();
        long long duplicate_of = lc_dedup_offer(&dedup, db.id[k], &s, db.density[k], spacegroup, &key);
        double dt = lc_log_seconds() - t0;
        lc_structure_free(&s);
        offers++;
        unique += duplicate_of < 0;
        if (dt > slowest) slowest = dt, slowest_id = db.id[k];
        long b = 0;
        while (b < n_buckets && (buckets[b].n_primitive != key || buckets[b].spacegroup != spacegroup)) b++;
        if (b == n_buckets) {
            buckets = realloc(buckets, sizeof *buckets * (size_t)++n_buckets);
            buckets[b] = (bucket_cost){.n_primitive = key, .spacegroup = spacegroup};
        }
        buckets[b].offers++;
        buckets[b].unique += duplicate_of < 0;
        buckets[b].seconds += dt;
    }
    double seconds = lc_log_seconds() - start;
    printf("%ld valid candidates offered, %ld unique, in %.2f s on one core (%.2f ms per offer; slowest %.3f s, "
           "id %lld)\n",
           offers, unique, seconds, 1e3 * seconds / (offers ? offers : 1), slowest, slowest_id);
    qsort(buckets, (size_t)n_buckets, sizeof *buckets, by_seconds);
    printf("%ld buckets; costliest (primitive atoms, space group: offers, unique, seconds):\n", n_buckets);
    for (long b = 0; b < n_buckets && b < 10; b++)
        printf("  %3d atoms, sg %3d: %6ld %6ld %8.2f\n", buckets[b].n_primitive, buckets[b].spacegroup,
               buckets[b].offers, buckets[b].unique, buckets[b].seconds);
    free(buckets);
    lc_dedup_free(&dedup);
    lc_candidate_db_free(&db);
    return 0;
}
