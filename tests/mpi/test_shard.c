/* Data-parallel batches (mpi/shard.h) on 1 and 2 ranks: every row once per epoch, the same global batches for any
 * number of ranks, rows read equal to the file's, and a toy training whose loss curve on R ranks equals the
 * 1-rank curve to float tolerance with weights identical on all ranks.
 *
 * usage: test_shard [FOLDER]  (rank 0 creates FOLDER, default ./test_shard_npN, and writes FOLDER/train.h5) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/numeric.h"
#include "core/shuffle.h"
#include "mpi/checkpoint.h"
#include "mpi/collective.h"
#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "mpi/shard.h"
#include "test.h"
#include "toy_training.h"

static int rank, size;
static char path[600];
enum { N_ROWS = 1037, COLUMNS = 13 };

/* A training-set-like file: /encoded float32 [N][COLUMNS] written in rank-dependent blocks, /source_id. */
static void write_training_set(void) {
    long first = (long)N_ROWS * rank / size, n = (long)N_ROWS * (rank + 1) / size - first;
    float *encoded = malloc(sizeof(float) * (size_t)(n * COLUMNS + 1));
    long long *source = malloc(sizeof(long long) * (size_t)(n + 1));
    for (long i = 0; i < n; i++) {
        for (int c = 0; c < COLUMNS; c++) encoded[i * COLUMNS + c] = toy_value(first + i, c, COLUMNS);
        source[i] = (first + i) / 3;
    }
    lc_error err;
    lc_h5_file *f = NULL;
    CHECK_MSG(lc_h5_create(path, &f, &err) == 0, "%s", err.message);
    int status = lc_h5_write_provenance(f, "lego-training-set", 1, "", 1, NULL, &err);
    status = status ? status : lc_h5_write_rows_f32(f, "encoded", encoded, n, COLUMNS, &err);
    status = status ? status : lc_h5_write_rows_i64(f, "source_id", source, n, 1, &err);
    CHECK_MSG(status == 0, "%s", err.message);
    CHECK(lc_h5_close(f, status == 0, &err) == 0);
    free(encoded);
    free(source);
}

/* Pure arithmetic, for rank counts this run does not have. */
static void test_range_tiles_batches(void) {
    const long batches[] = {1, 2, 7, 64, 1000, N_ROWS, 5000};
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++)
        for (int ranks = 1; ranks <= 6; ranks++) {
            long b = batches[k], steps = lc_shard_steps(N_ROWS, b), covered = 0;
            CHECK(steps == (N_ROWS + b - 1) / b);
            for (long s = 0; s < steps; s++) {
                long next = -1, smallest = N_ROWS, largest = 0;
                for (int r = 0; r < ranks; r++) {
                    lc_shard_step st = lc_shard_range(N_ROWS, b, r, ranks, s);
                    CHECK(st.batch_first == s * b);
                    CHECK(st.batch_rows == (s < steps - 1 ? b : N_ROWS - (steps - 1) * b));
                    CHECK(st.first == (r == 0 ? st.batch_first : next)); /* contiguous, in rank order */
                    next = st.first + st.rows;
                    if (st.rows < smallest) smallest = st.rows;
                    if (st.rows > largest) largest = st.rows;
                    CHECK(st.loss_scale == (double)ranks / (double)st.batch_rows);
                    covered += st.rows;
                }
                CHECK(next == s * b + lc_shard_range(N_ROWS, b, 0, ranks, s).batch_rows);
                CHECK(largest - smallest <= 1); /* balanced */
            }
            CHECK(covered == N_ROWS);
            long total = 0;
            for (int r = 0; r < ranks; r++) total += lc_shard_local_rows(N_ROWS, b, r, ranks);
            CHECK(total == N_ROWS);
        }
    CHECK(lc_shard_steps(0, 10) == 0);
}

/* Over MPI: all ranks' epoch rows together are every row once, and step by step, the rank-order concatenation of
 * the slices is the global batch a single rank would train on. */
static void test_epoch_rows_over_ranks(void) {
    const long batches[] = {1, 7, 64, 500, N_ROWS, 4096};
    long perm[N_ROWS];
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++)
        for (long epoch = 0; epoch < 2; epoch++) {
            long b = batches[k], steps = lc_shard_steps(N_ROWS, b);
            lc_epoch_permutation(N_ROWS, 777, epoch, perm);
            long n_local = lc_shard_local_rows(N_ROWS, b, rank, size);
            long *rows = malloc(sizeof(long) * (size_t)(n_local + 1));
            long *offset = malloc(sizeof(long) * (size_t)(steps + 1));
            CHECK(lc_shard_epoch_rows(perm, N_ROWS, b, rank, size, rows, offset) == n_local);
            long long *mine = malloc(sizeof(long long) * (size_t)(n_local + 1)), *all = NULL, *all_offsets = NULL;
            long long *my_offsets = malloc(sizeof(long long) * (size_t)(steps + 1));
            for (long i = 0; i < n_local; i++) mine[i] = rows[i];
            for (long s = 0; s <= steps; s++) my_offsets[s] = offset[s];
            long total = lc_comm_allgather_i64(mine, n_local, 1, &all);
            CHECK(lc_comm_allgather_i64(my_offsets, steps + 1, 1, &all_offsets) == (steps + 1) * size);
            CHECK(total == N_ROWS);
            char *seen = calloc(N_ROWS, 1);
            long repeats = 0;
            for (long i = 0; i < total; i++) {
                if (all[i] < 0 || all[i] >= N_ROWS || seen[all[i]]) repeats++;
                else seen[all[i]] = 1;
            }
            CHECK_MSG(repeats == 0, "batch %ld: %ld rows repeated or out of range", b, repeats);
            free(seen);
            /* rank r's block starts after ranks 0..r-1's blocks in `all` */
            long mismatches = 0;
            for (long s = 0; s < steps; s++) {
                long position = s * b;
                long block_start = 0;
                for (int r = 0; r < size; r++) {
                    const long long *off = all_offsets + (size_t)r * (size_t)(steps + 1);
                    for (long long i = off[s]; i < off[s + 1]; i++)
                        mismatches += all[block_start + i] != perm[position++];
                    block_start += off[steps];
                }
                mismatches += position != s * b + lc_shard_range(N_ROWS, b, 0, 1, s).batch_rows;
            }
            CHECK_MSG(mismatches == 0, "batch %ld epoch %ld: %ld positions differ from the 1-rank batches", b, epoch,
                      mismatches);
            free(rows), free(offset), free(mine), free(my_offsets), free(all), free(all_offsets);
        }
}

static long count_wrong(const long *rows, long n, const float *out) {
    long wrong = 0;
    for (long i = 0; i < n; i++)
        for (int c = 0; c < COLUMNS; c++) wrong += out[i * COLUMNS + c] != toy_value(rows[i], c, COLUMNS);
    return wrong;
}

static void test_read_rows(void) {
    lc_error err;
    /* this rank's rows of an epoch */
    long perm[N_ROWS];
    lc_epoch_permutation(N_ROWS, 31, 5, perm);
    long n_local = lc_shard_local_rows(N_ROWS, 100, rank, size);
    long *rows = malloc(sizeof(long) * (size_t)(n_local + 1));
    lc_shard_epoch_rows(perm, N_ROWS, 100, rank, size, rows, NULL);
    float *out = malloc(sizeof(float) * (size_t)(N_ROWS * 2 * COLUMNS));
    CHECK_MSG(lc_shard_read_rows(path, "encoded", rows, n_local, COLUMNS, out, &err) == 0, "%s", err.message);
    CHECK(count_wrong(rows, n_local, out) == 0);
    /* every row, in order; sparse rows far apart; repeats and descending order; nothing */
    long all[N_ROWS], sparse[] = {N_ROWS - 1, 0, 900, 450, 3}, repeated[] = {5, 5, 4, 3, 5, 1036, 1036, 0};
    for (long i = 0; i < N_ROWS; i++) all[i] = i;
    CHECK(lc_shard_read_rows(path, "encoded", all, N_ROWS, COLUMNS, out, &err) == 0 &&
          count_wrong(all, N_ROWS, out) == 0);
    CHECK(lc_shard_read_rows(path, "encoded", sparse, 5, COLUMNS, out, &err) == 0 && count_wrong(sparse, 5, out) == 0);
    CHECK(lc_shard_read_rows(path, "encoded", repeated, 8, COLUMNS, out, &err) == 0 &&
          count_wrong(repeated, 8, out) == 0);
    CHECK(lc_shard_read_rows(path, "encoded", NULL, 0, COLUMNS, out, &err) == 0);
    /* a 1-D dataset read as one column, converted from int64 is refused (not floating point) */
    long ids[] = {7, 2};
    err.message[0] = '\0';
    CHECK(lc_shard_read_rows(path, "source_id", ids, 2, 1, out, &err) == -1 && strstr(err.message, "floating-point"));
    /* errors */
    long bad_row[] = {3, N_ROWS};
    CHECK(lc_shard_read_rows(path, "encoded", bad_row, 2, COLUMNS, out, &err) == -1 && strstr(err.message, "row 1037"));
    long negative[] = {-1};
    CHECK(lc_shard_read_rows(path, "encoded", negative, 1, COLUMNS, out, &err) == -1);
    CHECK(lc_shard_read_rows(path, "encoded", all, 2, COLUMNS + 1, out, &err) == -1 && strstr(err.message, "columns"));
    CHECK(lc_shard_read_rows(path, "nothing", all, 2, COLUMNS, out, &err) == -1 && strstr(err.message, "no dataset"));
    CHECK(lc_shard_read_rows(path, "encoder/missing", all, 2, COLUMNS, out, &err) == -1);
    CHECK(lc_shard_read_rows("no/such/file.h5", "encoded", all, 2, COLUMNS, out, &err) == -1 &&
          strstr(err.message, "no/such/file.h5"));
    free(rows);
    free(out);
}

/* The test: the loss curve on R ranks equals the one on 1 rank with the same global batch and seed (to
 * float tolerance), and weights stay identical on all ranks. */
static void test_toy_training_matches_one_rank(void) {
    enum { EPOCHS = 3, BATCH = 100 }; /* 11 steps an epoch, the last of 37 rows (odd: ranks get 18 and 19) */
    long steps = lc_shard_steps(N_ROWS, BATCH);
    double distributed[EPOCHS * 11], single[EPOCHS * 11];
    toy_model a, b;
    toy_init(&a, COLUMNS, 4242);
    toy_init(&b, COLUMNS, 4242);
    for (int e = 0; e < EPOCHS; e++) {
        CHECK(toy_epoch(&a, path, N_ROWS, BATCH, rank, size, 1, distributed + e * steps) == steps);
        CHECK(toy_epoch(&b, path, N_ROWS, BATCH, 0, 1, 0, single + e * steps) == steps);
        CHECK(lc_comm_check_identical(lc_buffer_checksum(a.params, COLUMNS)));
        CHECK(lc_comm_check_identical(lc_buffer_checksum(a.m, COLUMNS) ^ lc_buffer_checksum(a.v, COLUMNS)));
    }
    double worst = 0;
    for (long s = 0; s < EPOCHS * steps; s++) {
        double relative = fabs(distributed[s] - single[s]) / fabs(single[s]);
        if (relative > worst) worst = relative;
    }
    /* bitwise on 1 rank; on more, the partial sums are added in another order (docs/training.md) */
    if (size == 1) CHECK(worst == 0);
    CHECK_MSG(worst < 1e-5, "largest relative difference of the loss curves %.3g", worst);
    CHECK(single[EPOCHS * steps - 1] < 0.5 * single[0]); /* it does learn */
    if (rank == 0) printf("loss %.6f -> %.6f over %ld steps, largest relative difference to 1 rank %.3g\n", single[0],
                          single[EPOCHS * steps - 1], EPOCHS * steps, worst);
    toy_free(&a);
    toy_free(&b);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    rank = lc_comm_rank();
    size = lc_comm_size();
    char folder[512];
    if (argc > 1) snprintf(folder, sizeof folder, "%s", argv[1]);
    else snprintf(folder, sizeof folder, "test_shard_np%d", size);
    if (rank == 0 && mkdir(folder, 0777) != 0 && errno != EEXIST) perror(folder);
    lc_comm_barrier();
    snprintf(path, sizeof path, "%s/train.h5", folder);
    write_training_set();
    RUN_TEST(test_range_tiles_batches);
    RUN_TEST(test_epoch_rows_over_ranks);
    RUN_TEST(test_read_rows);
    RUN_TEST(test_toy_training_matches_one_rank);
    int failed = lc_comm_sum_long(test_failures) > 0;
    int status = test_summary();
    lc_comm_finalize();
    return failed ? EXIT_FAILURE : status;
}
