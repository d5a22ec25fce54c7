/* legocryst campaign DECK [--resume]: candidates 0 .. N-1 sampled from a model, decoded, relaxed, judged and
 * deduplicated over all ranks, into one candidate database (docs/campaign.md).
 *
 * 1. Farm: ranks take chunks of candidates from a shared one-sided counter (mpi/task_farm.h) and keep what they
 *    finish; every segment_candidates or segment_seconds a rank saves its records to its own segment file in
 *    OUTPUT.segments/ (written as .partial and renamed, so a segment is complete or absent). The segments are the
 *    checkpoint: --resume skips every candidate a complete segment holds. SIGTERM stops the farm (the counter is
 *    poisoned so every rank stops taking work), saves and exits with LC_EXIT_STOPPED.
 * 2. Merge: the segments are read back (shared out over ranks), records move to the rank that owns their id block
 *    (all-to-all), valid ones go to the rank owning their dedup bucket (primitive atom count and relaxed space
 *    group, envopt/dedup.h), which offers them to lc_dedup in id order; verdicts return to the id owners. Candidate i is a function of (model, seed, i) and the
 *    dedup is in id order, so the database does not depend on the number of ranks or on restarts.
 * 3. Write: one collective, chunked write of the id-ordered table (offsets by MPI_Exscan), the summary, the
 *    per-rank timing; renamed to OUTPUT only when complete. Then the best candidates as CIF files, and the
 *    segments are removed. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "candidate_table.h"
#include "cli.h"
#include "cli_common.h"
#include "core/error.h"
#include "core/log.h"
#include "core/stop.h"
#include "deck.h"
#include "envopt/dedup.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "mpi/task_farm.h"
#include "relax_setup.h"
#include "report/summary.h"
#include "sampler.h"

static const char usage[] =
    "usage: legocryst campaign DECK [--resume] [--set section.key=value]... [--quiet] [--log-json] "
    "[-relax_tao_OPTION VALUE]...\n"
    "Samples [campaign] candidates rows from the model of [sample] checkpoint, relaxes and judges each as `relax`\n"
    "does, deduplicates them over the whole campaign and writes one candidate database ([campaign] output) with\n"
    "its summary; run it on any number of ranks (mpiexec -n N / srun). Checkpoints go to OUTPUT.segments/;\n"
    "--resume finishes a stopped or killed campaign. SIGTERM saves and exits with status 3.\n";

enum { SEGMENT_SCHEMA_VERSION = 1 };

/* Seconds per rank in each part of the run (written to /campaign/timing). */
enum { T_COMPUTE, T_COUNTER, T_SEGMENTS, T_WAIT, T_MERGE_READ, T_EXCHANGE, T_DEDUP, T_WRITE, T_COUNT };
static const char *const timing_names = "compute counter segments wait merge_read exchange dedup write";

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The settings that decide the content of the database: a resume with other ones would mix two campaigns. */
static char *campaign_identity(const lc_deck *deck) {
    /* inputs and outputs of `relax`, and the dedup keys: dedup runs in the merge, after the segments */
    static const char *const skip[] = {"input",      "output",   "first", "count", "stride", "first_of_source", "dedup",
                                       "match_site_tolerance", "match_length_tolerance", "match_angle_tolerance",
                                       "match_scale", "match_density_tolerance"};
    size_t size = 256, used = 0;
    char *text = lc_malloc(size);
    text[0] = '\0';
    for (int k = 0; k < lc_deck_schema_count; k++) {
        const lc_deck_key *key = &lc_deck_schema[k];
        int wanted = strcmp(key->section, "relax") == 0 ||
                     (strcmp(key->section, "sample") == 0 &&
                      (strcmp(key->key, "checkpoint") == 0 || strcmp(key->key, "seed") == 0)) ||
                     (strcmp(key->section, "campaign") == 0 && strcmp(key->key, "candidates") == 0);
        for (size_t s = 0; s < sizeof skip / sizeof skip[0] && wanted; s++)
            if (strcmp(key->section, "relax") == 0 && strcmp(key->key, skip[s]) == 0) wanted = 0;
        if (!wanted) continue;
        char value[512];
        switch (key->type) {
        case LC_DECK_INT: snprintf(value, sizeof value, "%ld", lc_deck_int(deck, key->section, key->key)); break;
        case LC_DECK_DOUBLE: snprintf(value, sizeof value, "%.17g", lc_deck_double(deck, key->section, key->key)); break;
        case LC_DECK_BOOL: snprintf(value, sizeof value, "%d", lc_deck_bool(deck, key->section, key->key)); break;
        case LC_DECK_PATH: snprintf(value, sizeof value, "%s", lc_deck_path(deck, key->section, key->key)); break;
        default: snprintf(value, sizeof value, "%s", lc_deck_string(deck, key->section, key->key)); break;
        }
        size_t need = used + strlen(key->section) + strlen(key->key) + strlen(value) + 4;
        if (need > size) text = lc_realloc(text, size = 2 * need);
        used += (size_t)sprintf(text + used, "%s.%s=%s\n", key->section, key->key, value);
    }
    return text;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names of the complete segments in folder (sorted, so every rank reads them in the same order) and the next
 * generation number; stale .partial files are removed. Rank 0 only. */
static int scan_segments(const char *folder, char ***names, long *count, int *generation, lc_error *err) {
    *names = NULL;
    *count = 0;
    *generation = 0;
    DIR *dir = opendir(folder);
    if (!dir) return lc_error_set(err, folder, 0, "cannot read the campaign's segments: %s", strerror(errno));
    long capacity = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        if (ends_with(e->d_name, ".partial")) {
            remove(path);
            continue;
        }
        int g, r, q;
        if (!ends_with(e->d_name, ".h5") || sscanf(e->d_name, "g%d_r%d_%d.h5", &g, &r, &q) != 3) continue;
        if (g + 1 > *generation) *generation = g + 1;
        if (*count == capacity) *names = lc_realloc(*names, sizeof(char *) * (size_t)(capacity = 2 * capacity + 16));
        (*names)[(*count)++] = strcpy(lc_malloc(strlen(path) + 1), path);
    }
    closedir(dir);
    for (long i = 1; i < *count; i++) /* insertion sort: a few hundred names */
        for (long j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
            char *t = (*names)[j];
            (*names)[j] = (*names)[j - 1];
            (*names)[j - 1] = t;
        }
    return 0;
}

static void free_names(char **names, long count) {
    for (long i = 0; i < count; i++) free(names[i]);
    free(names);
}

/* Rank 0: prepares the segment folder (fresh: emptied; resume: checked) and marks the candidates that complete
 * segments hold. Returns 0, or -1 with err set. */
static int prepare_segments(const char *folder, int resume, const char *identity, long n, unsigned char *done,
                            int *generation, long *n_segments, lc_error *err) {
    struct stat st;
    int exists = stat(folder, &st) == 0 && S_ISDIR(st.st_mode);
    if (!exists) {
        if (mkdir(folder, 0777) != 0)
            return lc_error_set(err, folder, 0, "cannot create the segment folder: %s", strerror(errno));
    }
    char **names;
    long count;
    if (scan_segments(folder, &names, &count, generation, err) != 0) return -1;
    *n_segments = count;
    int status = 0;
    for (long i = 0; i < count && status == 0; i++) {
        if (!resume) {
            remove(names[i]);
            continue;
        }
        char *theirs = NULL;
        if (lc_h5_read_attr_string(names[i], "/", "campaign_identity", &theirs, err) != 0) {
            status = -1;
            break;
        }
        if (strcmp(theirs, identity) != 0)
            status = lc_error_set(err, names[i], 0,
                                  "this segment belongs to a campaign with other settings ([sample] checkpoint/seed, "
                                  "[campaign] candidates or [relax]); resume with the same deck or start afresh");
        free(theirs);
        long dims[2];
        if (status == 0 && lc_h5_dataset_shape(names[i], "candidates/id", dims, err) != 0) status = -1;
        if (status != 0) break;
        long long *ids = lc_malloc(sizeof(long long) * (size_t)(dims[0] ? dims[0] : 1));
        if (dims[0] > 0 && lc_h5_read_rows_i64(names[i], "candidates/id", 0, dims[0], 1, ids, err) != 0) status = -1;
        for (long k = 0; k < dims[0] && status == 0; k++) {
            if (ids[k] < 0 || ids[k] >= n || done[ids[k]])
                status = lc_error_set(err, names[i], 0, "candidate %lld is out of range or in two segments", ids[k]);
            else
                done[ids[k]] = 1;
        }
        free(ids);
    }
    if (!resume) *n_segments = 0;
    free_names(names, count);
    return status;
}

typedef struct {
    const char *folder;
    const char *identity;
    const char *deck_text;
    int generation, rank, sequence;
} segment_writer;

static int write_segment(segment_writer *w, lc_candidate_table *t, lc_error *err) {
    if (t->n == 0) return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/g%04d_r%05d_%06d.h5", w->folder, w->generation, w->rank, w->sequence++);
    lc_h5_file *f = NULL;
    if (lc_h5_create_local(path, &f, err) != 0) return -1;
    int s = lc_h5_write_provenance(f, "campaign-segment", SEGMENT_SCHEMA_VERSION, w->deck_text, 0, NULL, err);
    s = s ? s : lc_h5_attr_string(f, "/", "campaign_identity", w->identity, err);
    s = s ? s : lc_candidate_table_write(f, t, err);
    int closed = lc_h5_close(f, s == 0, s == 0 ? err : NULL);
    if (s || closed) return -1;
    int columns = t->columns;
    lc_candidate_table_free(t);
    lc_candidate_table_init(t, columns);
    return 0;
}

/* The rank owning candidate id in the final block distribution of n candidates. */
static int id_owner(long long id, long n, int ranks) {
    int r = (int)((double)id * ranks / (double)n);
    if (r >= ranks) r = ranks - 1;
    while (r + 1 < ranks && (long long)(n * (long)(r + 1) / ranks) <= id) r++;
    while (r > 0 && (long long)(n * (long)r / ranks) > id) r--;
    return r;
}

/* Sends record k of t to rank dest[k] for every k with dest[k] >= 0; received records are appended to out. */
static void move_records(const lc_candidate_table *t, const int *dest, lc_candidate_table *out) {
    int ranks = lc_comm_size();
    size_t *sizes = lc_calloc((size_t)ranks, sizeof(size_t)), total = 0, capacity = 0;
    char *send = NULL;
    for (int r = 0; r < ranks; r++) {
        size_t before = total;
        for (long k = 0; k < t->n; k++)
            if (dest[k] == r) lc_candidate_table_pack(t, k, &send, &total, &capacity);
        sizes[r] = total - before;
    }
    char *received = NULL;
    size_t n_received = lc_comm_exchange_bytes(send, sizes, &received);
    lc_candidate_table_unpack(out, received, n_received);
    free(send);
    free(received);
    free(sizes);
}

/* Deduplicates the valid records of the id-ordered tables of all ranks (statuses and duplicate_of set in
 * place). */
static void deduplicate(lc_candidate_table *mine, const lc_match_options *match, double density_tolerance) {
    int ranks = lc_comm_size();
    int *dest = lc_malloc(sizeof(int) * (size_t)(mine->n ? mine->n : 1));
    for (long k = 0; k < mine->n; k++)
        dest[k] = mine->status[k] == LC_CANDIDATE_VALID && mine->n_primitive[k] > 0
                      ? lc_dedup_bucket_owner(mine->n_primitive[k], mine->spacegroup_relaxed[k], ranks)
                      : -1;
    lc_candidate_table bucket;
    lc_candidate_table_init(&bucket, mine->columns);
    move_records(mine, dest, &bucket);
    lc_candidate_table_sort(&bucket);
    /* verdicts (id, duplicate_of) back to the id owners */
    lc_dedup dedup;
    lc_dedup_init(&dedup, match, density_tolerance);
    long long **verdicts = lc_calloc((size_t)ranks, sizeof(long long *));
    size_t *sizes = lc_calloc((size_t)ranks, sizeof(size_t));
    long *counts = lc_calloc((size_t)ranks, sizeof(long));
    long n_total = lc_comm_sum_long(mine->n);
    for (long k = 0; k < bucket.n && !lc_stop_requested(); k++) { /* a stop abandons the merge (see below) */
        lc_structure s;
        lc_candidate_table_structure(&bucket, k, &s);
        long long duplicate_of = lc_dedup_offer(&dedup, bucket.id[k], &s, bucket.density[k], bucket.spacegroup_relaxed[k], NULL);
        lc_structure_free(&s);
        if (duplicate_of < 0) continue;
        int owner = id_owner(bucket.id[k], n_total, ranks);
        verdicts[owner] = lc_realloc(verdicts[owner], sizeof(long long) * 2 * (size_t)(counts[owner] + 1));
        verdicts[owner][2 * counts[owner]] = bucket.id[k];
        verdicts[owner][2 * counts[owner] + 1] = duplicate_of;
        counts[owner]++;
    }
    lc_dedup_free(&dedup);
    lc_candidate_table_free(&bucket);
    size_t total = 0;
    for (int r = 0; r < ranks; r++) total += sizes[r] = sizeof(long long) * 2 * (size_t)counts[r];
    char *send = lc_malloc(total ? total : 1), *received = NULL;
    for (int r = 0, at = 0; r < ranks; at += (int)sizes[r], r++)
        if (sizes[r]) memcpy(send + at, verdicts[r], sizes[r]);
    size_t n_received = lc_comm_exchange_bytes(send, sizes, &received);
    long long first_id = mine->n ? mine->id[0] : 0;
    for (size_t at = 0; at < n_received; at += 2 * sizeof(long long)) {
        long long pair[2];
        memcpy(pair, received + at, sizeof pair);
        long k = (long)(pair[0] - first_id); /* mine is id-ordered and contiguous */
        mine->status[k] = LC_CANDIDATE_DUPLICATE;
        mine->duplicate_of[k] = pair[1];
    }
    for (int r = 0; r < ranks; r++) free(verdicts[r]);
    free(verdicts), free(sizes), free(counts), free(send), free(received), free(dest);
}

/* Gathers the per-candidate columns the summary needs and computes it (the same on every rank). */
static int campaign_summary(const lc_candidate_table *t, double wall_seconds, int best_k, lc_summary *summary) {
    long long *id;
    int *status, *spacegroup, *dimensionality, *n_atoms;
    double *objective, *density;
    long n = lc_comm_allgather_i64(t->id, t->n, 1, &id);
    lc_comm_allgather_i32(t->status, t->n, 1, &status);
    lc_comm_allgather_i32(t->spacegroup_relaxed, t->n, 1, &spacegroup);
    lc_comm_allgather_i32(t->dimensionality, t->n, 1, &dimensionality);
    lc_comm_allgather_i32(t->n_atoms, t->n, 1, &n_atoms);
    lc_comm_allgather_f64(t->objective, t->n, 2, &objective);
    lc_comm_allgather_f64(t->density, t->n, 1, &density);
    lc_summary_input in = {.n = n, .id = id, .status = status, .spacegroup_relaxed = spacegroup,
                           .dimensionality = dimensionality, .n_atoms = n_atoms, .objective = objective,
                           .density = density, .wall_seconds = wall_seconds};
    int s = lc_summary_compute(&in, best_k, summary);
    free(id), free(status), free(spacegroup), free(dimensionality), free(n_atoms), free(objective), free(density);
    return s;
}

static void remove_segments(const char *folder) {
    char **names;
    long count;
    int generation;
    lc_error ignored;
    if (scan_segments(folder, &names, &count, &generation, &ignored) != 0) return;
    for (long i = 0; i < count; i++) remove(names[i]);
    free_names(names, count);
    rmdir(folder);
}

int lc_cmd_campaign(int argc, char **argv) {
    double t_start = now_seconds();
    char **ours = lc_malloc(sizeof(char *) * (size_t)(argc + 2)), **petsc = lc_malloc(sizeof(char *) * (size_t)(argc + 2));
    int n_petsc = 0, n_ours = lc_relax_split_petsc_options(argc, argv, ours, petsc, &n_petsc), resume = 0;
    for (int i = 1; i < n_ours; i++)
        if (strcmp(ours[i], "--resume") == 0) {
            resume = 1;
            memmove(ours + i, ours + i + 1, sizeof(char *) * (size_t)(n_ours - i - 1));
            n_ours--, i--;
        }
    int rank = lc_comm_rank(), ranks = lc_comm_size(), root = rank == 0, status = LC_EXIT_OK;
    lc_cli_run_options run;
    lc_deck *deck = NULL;
    lc_error err;
    if (lc_cli_parse_run_options(n_ours, ours, usage, &run) != 0) {
        free(ours), free(petsc);
        return run.exit_status;
    }
    if (lc_deck_load(&deck, run.deck_path, run.n_overrides, (const char *const *)run.overrides, &err) != 0) {
        lc_cli_run_options_free(&run);
        if (root) lc_error_print(&err);
        free(ours), free(petsc);
        return LC_EXIT_USER;
    }
    lc_cli_configure_log(&run, deck);
    lc_cli_run_options_free(&run);
    char start[LC_H5_TIME_LEN];
    lc_h5_time_now(start);
    lc_relax_setup setup;
    lc_sampler sampler;
    int have_setup = 0, have_sampler = 0;
    if (lc_petsc_start(&n_petsc, &petsc, &err) != 0) {
        if (root) lc_error_print(&err);
        status = LC_EXIT_INTERNAL;
        goto done;
    }
    /* from here on a SIGTERM stops the campaign at its first chance instead of killing it (after PETSc, whose
     * own handlers would replace ours) */
    lc_stop_install(lc_deck_double(deck, "campaign", "grace_seconds"));
    int ok = lc_relax_setup_from_deck(&setup, deck, &err) == 0;
    have_setup = ok;
    ok = ok && lc_sampler_open(&sampler, lc_deck_path(deck, "sample", "checkpoint"),
                               (uint64_t)lc_deck_int(deck, "sample", "seed"), &err) == 0;
    have_sampler = ok && have_setup;
    if (!lc_comm_all_true(ok)) {
        if (!ok) lc_error_print(&err);
        status = LC_EXIT_USER;
        goto done;
    }
    setup.candidate.relax.cancel = &lc_stop_cancel;

    const long n = lc_deck_int(deck, "campaign", "candidates"), chunk = lc_deck_int(deck, "campaign", "chunk");
    const char *output = lc_deck_path(deck, "campaign", "output");
    int columns = sampler.columns, max_sites = sampler.max_sites;
    char *folder = lc_malloc(strlen(output) + sizeof ".segments");
    sprintf(folder, "%s.segments", output);
    char *identity = campaign_identity(deck), *deck_text = lc_deck_resolved_text(deck);

    /* what is left to do */
    unsigned char *done = lc_calloc((size_t)n, 1);
    int prepared[3] = {0, 0, 0}; /* ok, generation, segments found */
    if (root) {
        struct stat st;
        if (resume && stat(folder, &st) != 0 && stat(output, &st) == 0) {
            lc_error_set(&err, output, 0, "the campaign is already complete (no %s left to resume)", folder);
            prepared[0] = 2;
        } else {
            long n_segments = 0;
            prepared[0] = prepare_segments(folder, resume, identity, n, done, &prepared[1], &n_segments, &err) == 0;
            prepared[2] = (int)n_segments;
        }
        if (prepared[0] != 1) lc_error_print(&err);
    }
    lc_comm_broadcast_bytes(prepared, sizeof prepared, 0);
    if (prepared[0] != 1) {
        status = prepared[0] == 2 ? LC_EXIT_OK : LC_EXIT_USER;
        goto campaign_done;
    }
    lc_comm_broadcast_bytes(done, (size_t)n, 0);
    long *todo = lc_malloc(sizeof(long) * (size_t)(n ? n : 1)), n_todo = 0;
    for (long i = 0; i < n; i++)
        if (!done[i]) todo[n_todo++] = i;
    long n_chunks = (n_todo + chunk - 1) / chunk;
    if (root)
        lc_log_info("campaign", "%ld candidates, %ld to do in %ld chunks of %ld on %d ranks%s", n, n_todo, n_chunks, chunk,
                    ranks, resume ? " (resumed)" : "");

    /* 1. farm */
    double timing[T_COUNT] = {0};
    lc_candidate_table table;
    lc_candidate_table_init(&table, columns);
    segment_writer writer = {folder, identity, deck_text, prepared[1], rank, 0};
    long segment_candidates = lc_deck_int(deck, "campaign", "segment_candidates"), done_here = 0;
    double segment_seconds = lc_deck_double(deck, "campaign", "segment_seconds"), last_segment = now_seconds();
    double *rows = lc_malloc(sizeof(double) * (size_t)chunk * (size_t)columns);
    int failed = 0, stopped = 0;
    lc_task_counter *counter = lc_task_counter_create();
    lc_progress progress;
    lc_progress_start(&progress, "campaign", "candidates", n_todo);
    for (;;) {
        double t0 = now_seconds();
        if (lc_stop_requested() || failed) {
            lc_task_counter_add(counter, n_chunks); /* nobody takes more work */
            stopped = !failed;
            break;
        }
        long c = lc_task_counter_add(counter, 1);
        double t1 = now_seconds();
        timing[T_COUNTER] += t1 - t0;
        if (c >= n_chunks) break;
        if (root) lc_progress_update(&progress, c * chunk < n_todo ? c * chunk : n_todo);
        long j0 = c * chunk, j1 = j0 + chunk < n_todo ? j0 + chunk : n_todo;
        for (long j = j0; j < j1;) { /* runs of consecutive ids in one draw */
            long e = j + 1;
            while (e < j1 && todo[e] == todo[e - 1] + 1) e++;
            lc_sampler_draw(&sampler, todo[j], e - j, rows + (j - j0) * columns);
            j = e;
        }
        for (long j = j0; j < j1 && !lc_stop_cancel; j++) {
            lc_candidate cand;
            int spacegroup;
            const double *row = rows + (j - j0) * columns;
            lc_relax_setup_candidate(&setup, row, max_sites, &cand, &spacegroup);
            if (!lc_stop_cancel) { /* a cancelled solve is not the candidate's result: redone on --resume */
                int key = cand.status == LC_CANDIDATE_VALID ? lc_dedup_key(&cand.structure, &setup.match) : 0;
                lc_candidate_table_add(&table, todo[j], row, spacegroup, &cand, max_sites, key);
                done_here++;
            }
            lc_candidate_free(&cand);
        }
        double t2 = now_seconds();
        timing[T_COMPUTE] += t2 - t1;
        if (table.n >= segment_candidates || t2 - last_segment >= segment_seconds) {
            if (write_segment(&writer, &table, &err) != 0) failed = 1;
            last_segment = now_seconds();
            timing[T_SEGMENTS] += last_segment - t2;
        }
    }
    if (root && !stopped && !failed) lc_progress_update(&progress, n_todo);
    double t_farm_end = now_seconds();
    if (!failed && write_segment(&writer, &table, &err) != 0) failed = 1;
    timing[T_SEGMENTS] += now_seconds() - t_farm_end;
    if (failed) lc_error_print(&err);
    double t_wait = now_seconds();
    lc_task_counter_free(counter); /* collective: waits for the slowest rank */
    timing[T_WAIT] = now_seconds() - t_wait;
    lc_progress_finish(&progress);
    free(rows);
    free(todo);
    long finished = lc_comm_sum_long(done_here);
    int any_failed = !lc_comm_all_true(!failed), any_stopped = !lc_comm_all_true(!stopped);
    if (any_failed || any_stopped) {
        if (root && !any_failed)
            fprintf(stderr, "legocryst: campaign stopped by a signal: %ld of %ld candidates saved in %s; finish it "
                            "with --resume\n", (n - n_todo) + finished, n, folder);
        status = any_failed ? LC_EXIT_USER : LC_EXIT_STOPPED;
        lc_candidate_table_free(&table);
        goto campaign_done;
    }
    if (finished != n_todo) lc_fatal("campaign: %ld of %ld candidates finished without a stop", finished, n_todo);

    /* 2. merge: segments -> id blocks -> dedup */
    double t_merge = now_seconds();
    char *names_text = NULL;
    long names_size = 0;
    if (root) {
        char **names;
        long count;
        int generation;
        if (scan_segments(folder, &names, &count, &generation, &err) != 0) lc_fatal("segments vanished: %s", err.message);
        for (long i = 0; i < count; i++) names_size += (long)strlen(names[i]) + 1;
        names_text = lc_malloc((size_t)names_size + 1);
        for (long i = 0, at = 0; i < count; at += (long)strlen(names[i]) + 1, i++) strcpy(names_text + at, names[i]);
        free_names(names, count);
    }
    lc_comm_broadcast_bytes(&names_size, sizeof names_size, 0);
    if (!root) names_text = lc_malloc((size_t)names_size + 1);
    lc_comm_broadcast_bytes(names_text, (size_t)names_size, 0);
    lc_candidate_table read;
    lc_candidate_table_init(&read, columns);
    long segment_index = 0;
    for (long at = 0; at < names_size; at += (long)strlen(names_text + at) + 1, segment_index++)
        if (segment_index % ranks == rank && lc_candidate_table_read(names_text + at, &read, &err) != 0)
            lc_fatal("cannot read a segment back: %s", err.message);
    free(names_text);
    double t_read = now_seconds();
    timing[T_MERGE_READ] = t_read - t_merge;
    int *dest = lc_malloc(sizeof(int) * (size_t)(read.n ? read.n : 1));
    for (long k = 0; k < read.n; k++) dest[k] = id_owner(read.id[k], n, ranks);
    lc_candidate_table_init(&table, columns);
    move_records(&read, dest, &table);
    free(dest);
    lc_candidate_table_free(&read);
    lc_candidate_table_sort(&table);
    long block0 = n * rank / ranks, block1 = n * (rank + 1) / ranks;
    if (table.n != block1 - block0 || (table.n && (table.id[0] != block0 || table.id[table.n - 1] != block1 - 1)))
        lc_fatal("campaign: rank %d holds %ld records, not its block %ld .. %ld", rank, table.n, block0, block1 - 1);
    double t_exchange = now_seconds();
    timing[T_EXCHANGE] = t_exchange - t_read;
    if (setup.dedup) deduplicate(&table, &setup.match, setup.match_density_tolerance);
    double t_dedup = now_seconds();
    timing[T_DEDUP] = t_dedup - t_exchange;
    /* A stop before the database is written leaves the segments: --resume merges again. */
    if (!lc_comm_all_true(!lc_stop_requested())) {
        if (root) fprintf(stderr, "legocryst: campaign stopped by a signal while merging; every candidate is saved in %s: "
                                  "finish it with --resume\n", folder);
        status = LC_EXIT_STOPPED;
        lc_candidate_table_free(&table);
        goto campaign_done;
    }

    /* 3. the database */
    lc_summary summary;
    int best_k = (int)lc_deck_int(deck, "campaign", "best");
    if (campaign_summary(&table, t_dedup - t_start, best_k, &summary) != 0) lc_fatal("campaign: bad statuses");
    lc_h5_file *f = NULL;
    int s = lc_h5_create(output, &f, &err);
    if (s == 0) {
        s = lc_h5_write_provenance(f, "candidate-database", LC_CANDIDATE_DATABASE_SCHEMA_VERSION, deck_text,
                                   (unsigned long long)lc_deck_int(deck, "sample", "seed"), start, &err);
        s = s ? s : lc_candidate_table_write(f, &table, &err);
        s = s ? s : lc_summary_write(f, &summary, &err);
        s = s ? s : lc_h5_attr_f64(f, "/", "wall_seconds", now_seconds() - t_start, &err);
        s = s ? s : lc_h5_attr_i64(f, "/", "campaign_runs", prepared[1] + 1, &err);
        timing[T_WRITE] = now_seconds() - t_dedup;
        s = s ? s : lc_h5_write_rows_f64(f, "campaign/timing", timing, 1, T_COUNT, &err);
        s = s ? s : lc_h5_attr_string(f, "/campaign/timing", "columns", timing_names, &err);
        int closed = lc_h5_close(f, s == 0, s == 0 ? &err : NULL);
        s = s ? s : closed;
    }
    if (s != 0) {
        if (root) lc_error_print(&err);
        status = LC_EXIT_USER;
    }
    double *all_timing = NULL;
    lc_comm_allgather_f64(timing, 1, T_COUNT, &all_timing);
    if (root && status == LC_EXIT_OK) {
        lc_log_info("campaign", "wrote %s", output);
        char best_default[4096];
        const char *best_folder = lc_deck_path(deck, "campaign", "best_folder");
        if (!best_folder[0]) {
            snprintf(best_default, sizeof best_default, "%.*s_best", (int)(ends_with(output, ".h5") ? strlen(output) - 3 : strlen(output)), output);
            best_folder = best_default;
        }
        if (best_k > 0 && lc_summary_export_best(output, best_k, best_folder, &err) < 0) lc_error_print(&err);
        remove_segments(folder);
        lc_summary_print(stdout, &summary);
        printf("campaign: seconds per rank: rank %s\n", timing_names);
        for (int r = 0; r < ranks; r++) {
            printf("campaign: rank %d", r);
            for (int q = 0; q < T_COUNT; q++) printf(" %.3f", all_timing[r * T_COUNT + q]);
            printf("\n");
        }
    }
    free(all_timing);
    lc_summary_free(&summary);
    lc_candidate_table_free(&table);
campaign_done:
    free(done);
    free(folder);
    free(identity);
    free(deck_text);
done:
    lc_stop_uninstall();
    if (have_sampler) lc_sampler_close(&sampler);
    if (have_setup) lc_relax_setup_free(&setup);
    lc_deck_free(deck);
    free(ours);
    free(petsc);
    lc_petsc_stop();
    return status;
}
