/* Parallel HDF5 output (mpi/h5_parallel.h): run on 1 rank (unit) and 2 ranks (mpi). Every rank writes blocks of
 * rank-dependent size (some ranks none) into one file; after the close, rank 0 reads everything back and checks
 * each value, shape and attribute, the .partial rule, and the errors for a bad path, name or read.
 *
 * usage: test_h5_parallel [FOLDER]  (files go to FOLDER, default ./test_h5_parallel_npN; rank 0 creates it;
 *        TEST_H5_KEEP=1 keeps FOLDER/out.h5) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpi/comm.h"
#include "mpi/h5_parallel.h"
#include "test.h"
#include "version.h"

static int rank, size;
static char folder[512];

static void path_in_folder(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", folder, name); }

static int file_exists(const char *path) { return access(path, F_OK) == 0; }

/* Values are functions of the global row, so rank 0 can check rows it did not write. */
static double f64_value(long row, int col) { return (double)row * 100.0 + col + 0.5; }
static float f32_value(long row, int col) { return (float)(row % 977) * 0.25f - (float)col * 0.001953125f; }
static long long i64_value(long row, int col) { return 5000000000LL + row * 7 - col; } /* beyond 32 bits */
static int i32_value(long row, int col) { return (int)(row * 10 + col) * (col % 2 ? -1 : 1); }

/* Block sizes per rank. With 2 ranks, rank 1 writes no raw rows and rank 0 no source ids. */
static long n_raw(int r) { return size > 1 && r == size - 1 ? 0 : 7 + 3 * r; }
static long n_encoded(int r) { return 700 + 311 * r; } /* > one 1 MiB chunk of 500 floats (524 rows) */
static long n_source(int r) { return size > 1 && r == 0 ? 0 : 5 + r; }
static long n_description(int r) { return 4 + r; }
static long n_append1(int r) { return 2 + r; }
static long n_append2(int r) { return size > 1 && r == 0 ? 0 : 3; }

enum { RAW_COLUMNS = 39, ENCODED_COLUMNS = 500, DESCRIPTION_COLUMNS = 3, APPEND_COLUMNS = 2 };
#define SEED 0xFEDCBA9876543210ULL

static long first_row(long (*n)(int), int r) {
    long first = 0;
    for (int q = 0; q < r; q++) first += n(q);
    return first;
}
static long total_rows(long (*n)(int)) { return first_row(n, size); }

static char *deck_text(size_t at_least) {
    char *text = malloc(at_least + 128);
    size_t used = 0;
    for (int i = 0; used < at_least; i++)
        used += (size_t)sprintf(text + used, "[section%d]\nkey_%d = value %d # comment\n", i % 7, i, i * i);
    return text;
}

static const char *const source_names[] = {"graphite", "diamond-like carbon", "", "a", "T-carbon (Fd-3m)"};
#define N_SOURCE_NAMES ((long)(sizeof source_names / sizeof source_names[0]))
static const double small_f64[3][4] = {{1.5, -2.25, 3e-300, 4e300}, {0, -0.0, 7, 8}, {9, 10, 11, 12.125}};
static const float small_f32[2][2] = {{0.5f, -1.25f}, {3.0e-30f, 65504.0f}};
static const long long small_i64[6] = {-1, 0, 1, 9007199254740993LL, -9007199254740993LL, 42};
static const int small_i32[5] = {3, 1, 4, 1, -5};

/* Collective: writes the whole test file. */
static void write_file(const char *path, const char *deck, const char *big, const char *start) {
    lc_error err;
    lc_h5_file *f = NULL;
    CHECK_MSG(lc_h5_create(path, &f, &err) == 0, "%s", err.message);
    if (!f) return;
    char partial[620];
    snprintf(partial, sizeof partial, "%s.partial", path);
    if (rank == 0) CHECK(file_exists(partial) && !file_exists(path));

    CHECK(lc_h5_write_provenance(f, "test-kind", 3, deck, SEED, start, &err) == 0);

    long n = n_raw(rank), first = first_row(n_raw, rank);
    double *raw = malloc(sizeof(double) * (size_t)(n * RAW_COLUMNS + 1));
    for (long i = 0; i < n; i++)
        for (int c = 0; c < RAW_COLUMNS; c++) raw[i * RAW_COLUMNS + c] = f64_value(first + i, c);
    CHECK(lc_h5_write_rows_f64(f, "rows", n > 0 ? raw : NULL, n, RAW_COLUMNS, &err) == 0);
    free(raw);

    n = n_encoded(rank), first = first_row(n_encoded, rank);
    float *encoded = malloc(sizeof(float) * (size_t)(n * ENCODED_COLUMNS));
    for (long i = 0; i < n; i++)
        for (int c = 0; c < ENCODED_COLUMNS; c++) encoded[i * ENCODED_COLUMNS + c] = f32_value(first + i, c);
    CHECK(lc_h5_write_rows_f32(f, "encoder/encoded", encoded, n, ENCODED_COLUMNS, &err) == 0);
    free(encoded);

    n = n_source(rank), first = first_row(n_source, rank);
    long long source[16];
    for (long i = 0; i < n; i++) source[i] = i64_value(first + i, 0);
    CHECK(lc_h5_write_rows_i64(f, "source_id", source, n, 1, &err) == 0);

    n = n_description(rank), first = first_row(n_description, rank);
    int description[16 * DESCRIPTION_COLUMNS];
    for (long i = 0; i < n; i++)
        for (int c = 0; c < DESCRIPTION_COLUMNS; c++)
            description[i * DESCRIPTION_COLUMNS + c] = i32_value(first + i, c);
    CHECK(lc_h5_write_rows_i32(f, "/deep/er/description", description, n, DESCRIPTION_COLUMNS, &err) == 0);

    CHECK(lc_h5_write_rows_f64(f, "empty", NULL, 0, 2, &err) == 0); /* no rows on any rank */

    /* Replicated tables: only rank 0's copy is used, so the other ranks pass NULL here. */
    int root = rank == 0;
    CHECK(lc_h5_write_small_f64(f, "encoder/means", root ? &small_f64[0][0] : NULL, 3, 4, &err) == 0);
    CHECK(lc_h5_write_small_f32(f, "encoder/stds", root ? &small_f32[0][0] : NULL, 2, 2, &err) == 0);
    CHECK(lc_h5_write_small_i64(f, "sources/n_atoms", small_i64, 6, 1, &err) == 0);
    CHECK(lc_h5_write_small_i32(f, "encoder/modes", small_i32, 5, 1, &err) == 0);
    CHECK(lc_h5_write_small_i32(f, "encoder/none", NULL, 0, 1, &err) == 0);
    CHECK(lc_h5_write_small_strings(f, "sources/names", root ? source_names : NULL, N_SOURCE_NAMES, &err) == 0);
    CHECK(lc_h5_write_small_strings(f, "sources/no_names", NULL, 0, &err) == 0);

    /* Appends: twice to a 2-column f64 and a 1-column i64 dataset, with a rank writing nothing in the second. */
    for (int call = 0; call < 2; call++) {
        long (*count)(int) = call == 0 ? n_append1 : n_append2;
        long before = call == 0 ? 0 : total_rows(n_append1);
        n = count(rank), first = before + first_row(count, rank);
        double energy[16 * APPEND_COLUMNS];
        long long id[16];
        for (long i = 0; i < n; i++) {
            for (int c = 0; c < APPEND_COLUMNS; c++) energy[i * APPEND_COLUMNS + c] = f64_value(first + i, c) + 0.125;
            id[i] = i64_value(first + i, 3);
        }
        CHECK(lc_h5_append_rows_f64(f, "candidates/energy", n ? energy : NULL, n, APPEND_COLUMNS, &err) == 0);
        CHECK(lc_h5_append_rows_i64(f, "candidates/id", id, n, 1, &err) == 0);
    }
    float one_f32[3] = {1.5f, 2.5f, 3.5f};
    int one_i32[3] = {rank, rank + 10, rank + 20};
    CHECK(lc_h5_append_rows_f32(f, "candidates/f32", one_f32, 1, 3, &err) == 0);
    CHECK(lc_h5_append_rows_i32(f, "candidates/i32", one_i32, 1, 3, &err) == 0);

    /* Attributes on the root, a group and a dataset; "comment" is replaced by its second value. */
    CHECK(lc_h5_attr_string(f, "/", "comment", "first value, longer than the second", &err) == 0);
    CHECK(lc_h5_attr_string(f, "/", "comment", rank == 0 ? "second" : "ignored off rank 0", &err) == 0);
    CHECK(lc_h5_attr_string(f, "/", "big", big, &err) == 0);
    CHECK(lc_h5_attr_string(f, "/", "empty_string", "", &err) == 0);
    CHECK(lc_h5_attr_i64(f, "/rows", "columns", RAW_COLUMNS, &err) == 0);
    CHECK(lc_h5_attr_i64(f, "encoder", "negative", -1234567890123LL, &err) == 0);
    CHECK(lc_h5_attr_f64(f, "encoder/means", "scale", 0.1, &err) == 0);

    /* Conflicts with the file's content: -1 with a message naming what, on every rank. */
    err.message[0] = '\0';
    CHECK(lc_h5_write_rows_f64(f, "rows", NULL, 0, RAW_COLUMNS, &err) == -1);
    CHECK_MSG(strstr(err.message, "'rows'") && strstr(err.message, "already taken"), "%s", err.message);
    CHECK(lc_h5_write_small_strings(f, "sources/names", source_names, 1, &err) == -1);
    CHECK(lc_h5_append_rows_f64(f, "candidates/energy", NULL, 0, APPEND_COLUMNS + 1, &err) == -1);
    CHECK_MSG(strstr(err.message, "cannot append to 'candidates/energy'"), "%s", err.message);
    CHECK(lc_h5_append_rows_i64(f, "candidates/energy", NULL, 0, APPEND_COLUMNS, &err) == -1); /* type */
    CHECK(lc_h5_append_rows_f64(f, "encoder/means", NULL, 0, 4, &err) == -1);                /* fixed size */
    CHECK(lc_h5_append_rows_f64(f, "encoder", NULL, 0, 4, &err) == -1);                      /* a group */
    CHECK(lc_h5_append_rows_i32(f, "candidates/i32", one_i32, 1, 4, &err) == -1);            /* columns */
    CHECK(lc_h5_attr_i64(f, "no/such/object", "x", 1, &err) == -1);
    CHECK_MSG(strstr(err.message, "no object 'no/such/object'"), "%s", err.message);
    CHECK(lc_h5_attr_i64(f, "rows/below_a_dataset", "x", 1, &err) == -1);

    CHECK_MSG(lc_h5_close(f, 1, &err) == 0, "%s", err.message);
}

static void check_shape(const char *path, const char *name, long rows, long columns) {
    lc_error err;
    long dims[2] = {-1, -1};
    CHECK_MSG(lc_h5_dataset_shape(path, name, dims, &err) == 0, "%s", err.message);
    CHECK_MSG(dims[0] == rows && dims[1] == columns, "%s is %ld x %ld, expected %ld x %ld", name, dims[0], dims[1],
              rows, columns);
}

static void check_attr_string(const char *path, const char *object, const char *name, const char *expected) {
    lc_error err;
    char *value = NULL;
    CHECK_MSG(lc_h5_read_attr_string(path, object, name, &value, &err) == 0, "%s", err.message);
    CHECK_MSG(value && strcmp(value, expected) == 0, "%s@%s = '%.60s', expected '%.60s'", object, name,
              value ? value : "(null)", expected);
    free(value);
}

/* Rank 0, after the close: every value written by every rank. */
static void check_file(const char *path, const char *deck, const char *big, const char *start) {
    lc_error err;
    char partial[620];
    snprintf(partial, sizeof partial, "%s.partial", path);
    CHECK(file_exists(path));
    CHECK(!file_exists(partial));

    long n = total_rows(n_raw);
    check_shape(path, "rows", n, RAW_COLUMNS);
    double *raw = malloc(sizeof(double) * (size_t)(n * RAW_COLUMNS));
    CHECK_MSG(lc_h5_read_rows_f64(path, "rows", 0, n, RAW_COLUMNS, raw, &err) == 0, "%s", err.message);
    int bad = 0;
    for (long i = 0; i < n; i++)
        for (int c = 0; c < RAW_COLUMNS; c++) bad += raw[i * RAW_COLUMNS + c] != f64_value(i, c);
    CHECK_MSG(bad == 0, "%d raw values differ", bad);
    /* A slice from the middle. */
    CHECK(lc_h5_read_rows_f64(path, "rows", 3, 2, RAW_COLUMNS, raw, &err) == 0);
    CHECK(raw[0] == f64_value(3, 0) && raw[RAW_COLUMNS + 38] == f64_value(4, 38));
    free(raw);

    n = total_rows(n_encoded);
    check_shape(path, "encoder/encoded", n, ENCODED_COLUMNS);
    float *encoded = malloc(sizeof(float) * (size_t)(n * ENCODED_COLUMNS));
    CHECK(lc_h5_read_rows_f32(path, "encoder/encoded", 0, n, ENCODED_COLUMNS, encoded, &err) == 0);
    bad = 0;
    for (long i = 0; i < n; i++)
        for (int c = 0; c < ENCODED_COLUMNS; c++) bad += encoded[i * ENCODED_COLUMNS + c] != f32_value(i, c);
    CHECK_MSG(bad == 0, "%d encoded values differ", bad);
    /* float data widened on reading */
    double widened[ENCODED_COLUMNS];
    CHECK(lc_h5_read_rows_f64(path, "encoder/encoded", n - 1, 1, ENCODED_COLUMNS, widened, &err) == 0);
    CHECK(widened[7] == (double)f32_value(n - 1, 7));
    free(encoded);

    n = total_rows(n_source);
    check_shape(path, "source_id", n, 1);
    long long source[32];
    CHECK(lc_h5_read_rows_i64(path, "source_id", 0, n, 1, source, &err) == 0);
    bad = 0;
    for (long i = 0; i < n; i++) bad += source[i] != i64_value(i, 0);
    CHECK_MSG(bad == 0, "%d source ids differ", bad);

    n = total_rows(n_description);
    check_shape(path, "deep/er/description", n, DESCRIPTION_COLUMNS);
    int description[32 * DESCRIPTION_COLUMNS];
    CHECK(lc_h5_read_rows_i32(path, "/deep/er/description", 0, n, DESCRIPTION_COLUMNS, description, &err) == 0);
    bad = 0;
    for (long i = 0; i < n; i++)
        for (int c = 0; c < DESCRIPTION_COLUMNS; c++)
            bad += description[i * DESCRIPTION_COLUMNS + c] != i32_value(i, c);
    CHECK_MSG(bad == 0, "%d descriptions differ", bad);

    check_shape(path, "empty", 0, 2);
    CHECK(lc_h5_read_rows_f64(path, "empty", 0, 0, 2, NULL, &err) == 0);

    double means[12];
    check_shape(path, "encoder/means", 3, 4);
    CHECK(lc_h5_read_rows_f64(path, "encoder/means", 0, 3, 4, means, &err) == 0);
    CHECK(memcmp(means, small_f64, sizeof means) == 0); /* bitwise: -0.0 and 3e-300 too */
    float stds[4];
    CHECK(lc_h5_read_rows_f32(path, "encoder/stds", 0, 2, 2, stds, &err) == 0);
    CHECK(memcmp(stds, small_f32, sizeof stds) == 0);
    long long n_atoms[6];
    check_shape(path, "sources/n_atoms", 6, 1);
    CHECK(lc_h5_read_rows_i64(path, "sources/n_atoms", 0, 6, 1, n_atoms, &err) == 0);
    CHECK(memcmp(n_atoms, small_i64, sizeof n_atoms) == 0);
    int modes[5];
    CHECK(lc_h5_read_rows_i32(path, "encoder/modes", 0, 5, 1, modes, &err) == 0);
    CHECK(memcmp(modes, small_i32, sizeof modes) == 0);
    check_shape(path, "encoder/none", 0, 1);

    char **names = NULL;
    long count = -1;
    CHECK_MSG(lc_h5_read_strings(path, "sources/names", &names, &count, &err) == 0, "%s", err.message);
    CHECK(count == N_SOURCE_NAMES);
    for (long i = 0; i < count && i < N_SOURCE_NAMES; i++)
        CHECK_MSG(strcmp(names[i], source_names[i]) == 0, "name %ld = '%s'", i, names[i]);
    lc_h5_strings_free(names, count);
    CHECK(lc_h5_read_strings(path, "sources/no_names", &names, &count, &err) == 0 && count == 0);
    lc_h5_strings_free(names, count);

    /* appended: call 1 then call 2, each in rank order */
    long n1 = total_rows(n_append1);
    n = n1 + total_rows(n_append2);
    check_shape(path, "candidates/energy", n, APPEND_COLUMNS);
    check_shape(path, "candidates/id", n, 1);
    double energy[64 * APPEND_COLUMNS];
    long long id[64];
    CHECK(lc_h5_read_rows_f64(path, "candidates/energy", 0, n, APPEND_COLUMNS, energy, &err) == 0);
    CHECK(lc_h5_read_rows_i64(path, "candidates/id", 0, n, 1, id, &err) == 0);
    bad = 0;
    for (long i = 0; i < n; i++) {
        for (int c = 0; c < APPEND_COLUMNS; c++) bad += energy[i * APPEND_COLUMNS + c] != f64_value(i, c) + 0.125;
        bad += id[i] != i64_value(i, 3);
    }
    CHECK_MSG(bad == 0, "%d appended values differ", bad);
    check_shape(path, "candidates/f32", size, 3);
    float f32s[3 * 8];
    int i32s[3 * 8];
    CHECK(lc_h5_read_rows_f32(path, "candidates/f32", 0, size, 3, f32s, &err) == 0);
    CHECK(lc_h5_read_rows_i32(path, "candidates/i32", 0, size, 3, i32s, &err) == 0);
    for (int r = 0; r < size; r++) CHECK(f32s[3 * r + 2] == 3.5f && i32s[3 * r] == r && i32s[3 * r + 2] == r + 20);

    /* provenance */
    check_attr_string(path, "/", "program", "legocryst");
    check_attr_string(path, "/", "version", LEGOCRYST_VERSION);
    check_attr_string(path, "/", "git_revision", LEGOCRYST_GIT_REVISION);
    check_attr_string(path, "/", "kind", "test-kind");
    check_attr_string(path, "/", "start_time", start);
    check_attr_string(path, "/", "deck", deck);
    long long value = 0;
    CHECK(lc_h5_read_attr_i64(path, "/", "schema_version", &value, &err) == 0 && value == 3);
    CHECK(lc_h5_read_attr_i64(path, "/", "n_ranks", &value, &err) == 0 && value == size);
    unsigned long long seed = 0;
    CHECK(lc_h5_read_attr_u64(path, "/", "seed", &seed, &err) == 0 && seed == SEED);
    char *text = NULL;
    CHECK(lc_h5_read_attr_string(path, "/", "parallel_stack", &text, &err) == 0 && text && strstr(text, "HDF5"));
    free(text);
    text = NULL;
    CHECK(lc_h5_read_attr_string(path, "/", "end_time", &text, &err) == 0);
    CHECK_MSG(text && strlen(text) == 20 && text[10] == 'T' && text[19] == 'Z' && strcmp(text, start) >= 0,
              "end_time '%s', start_time '%s'", text ? text : "(null)", start);
    free(text);

    /* other attributes */
    check_attr_string(path, "/", "comment", "second");
    check_attr_string(path, "/", "big", big);
    check_attr_string(path, "/", "empty_string", "");
    CHECK(lc_h5_read_attr_i64(path, "rows", "columns", &value, &err) == 0 && value == RAW_COLUMNS);
    CHECK(lc_h5_read_attr_i64(path, "/encoder", "negative", &value, &err) == 0 && value == -1234567890123LL);
    double scale = 0;
    CHECK(lc_h5_read_attr_f64(path, "encoder/means", "scale", &scale, &err) == 0 && scale == 0.1);
    CHECK(lc_h5_read_attr_f64(path, "/", "n_ranks", &scale, &err) == 0 && scale == size); /* integer widened */

    /* reader errors: user errors with the file and what is wrong */
    double row[RAW_COLUMNS];
    CHECK(lc_h5_read_rows_f64(path, "no_such", 0, 1, RAW_COLUMNS, row, &err) == -1);
    CHECK_MSG(strstr(err.message, path) && strstr(err.message, "no dataset 'no_such'"), "%s", err.message);
    CHECK(lc_h5_read_rows_f64(path, "rows", 0, 1, RAW_COLUMNS - 1, row, &err) == -1);
    CHECK_MSG(strstr(err.message, "has 39 columns, not 38"), "%s", err.message);
    CHECK(lc_h5_read_rows_f64(path, "rows", total_rows(n_raw) - 1, 2, RAW_COLUMNS, row, &err) == -1);
    CHECK(lc_h5_read_rows_f64(path, "rows", -1, 1, RAW_COLUMNS, row, &err) == -1);
    CHECK(lc_h5_read_rows_i64(path, "rows", 0, 1, RAW_COLUMNS, (long long *)row, &err) == -1); /* float as int */
    CHECK(lc_h5_read_rows_f64(path, "encoder", 0, 1, 1, row, &err) == -1);                      /* a group */
    CHECK(lc_h5_read_strings(path, "rows", &names, &count, &err) == -1);
    CHECK(lc_h5_read_attr_string(path, "/", "no_such", &text, &err) == -1 && text == NULL);
    CHECK(lc_h5_read_attr_string(path, "/", "seed", &text, &err) == -1);
    CHECK(lc_h5_read_attr_i64(path, "/", "kind", &value, &err) == -1);
    CHECK(lc_h5_read_attr_i64(path, "/missing/group", "x", &value, &err) == -1);
    char missing[600];
    path_in_folder(missing, sizeof missing, "missing.h5");
    CHECK(lc_h5_dataset_shape(missing, "rows", (long[2]){0, 0}, &err) == -1);
    CHECK_MSG(strstr(err.message, "missing.h5") && strstr(err.message, "No such file"), "%s", err.message);
    /* a file that is not HDF5 */
    char not_hdf5[600];
    path_in_folder(not_hdf5, sizeof not_hdf5, "not_hdf5.h5");
    FILE *fp = fopen(not_hdf5, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs("plain text\n", fp);
        fclose(fp);
    }
    CHECK(lc_h5_read_attr_i64(not_hdf5, "/", "x", &value, &err) == -1);
    CHECK_MSG(strstr(err.message, "not a readable HDF5 file"), "%s", err.message);
    remove(not_hdf5);
}

static void test_write_and_read_back(void) {
    char path[600];
    path_in_folder(path, sizeof path, "out.h5");
    if (rank == 0) remove(path);
    char *deck = deck_text(10 * 1024);    /* the resolved input deck is about this long */
    char *big = deck_text(200 * 1024);   /* past HDF5's 64 KiB limit for attributes kept in the object header */
    char start[LC_H5_TIME_LEN];
    lc_h5_time_now(start);
    write_file(path, deck, big, start);
    if (rank == 0) check_file(path, deck, big, start);
    /* left for inspection (h5dump) when something failed or TEST_H5_KEEP is set */
    if (rank == 0 && test_failures == 0 && !getenv("TEST_H5_KEEP")) remove(path);
    free(deck);
    free(big);
}

/* A failed run leaves neither the final name nor the .partial. */
static void test_discard(void) {
    char path[600], partial[620];
    path_in_folder(path, sizeof path, "discarded.h5");
    snprintf(partial, sizeof partial, "%s.partial", path);
    lc_error err;
    lc_h5_file *f = NULL;
    CHECK(lc_h5_create(path, &f, &err) == 0);
    if (!f) return;
    double row[2] = {1, 2};
    CHECK(lc_h5_write_rows_f64(f, "rows", row, 1, 2, &err) == 0);
    CHECK(lc_h5_append_rows_f64(f, "more", row, 1, 2, &err) == 0);
    CHECK(lc_h5_close(f, 0, &err) == 0);
    if (rank == 0) CHECK(!file_exists(path) && !file_exists(partial));
}

/* A failed rerun leaves the older complete file alone, and one failing rank (the last) is enough to discard. */
static void test_failed_rerun(void) {
    char path[600], partial[620];
    path_in_folder(path, sizeof path, "rerun.h5");
    snprintf(partial, sizeof partial, "%s.partial", path);
    lc_error err;
    const char *kinds[2] = {"first", "second"};
    for (int run = 0; run < 2; run++) {
        lc_h5_file *f = NULL;
        CHECK(lc_h5_create(path, &f, &err) == 0);
        if (!f) return;
        CHECK(lc_h5_write_provenance(f, kinds[run], 1, NULL, 7, NULL, &err) == 0);
        CHECK(lc_h5_write_rows_i32(f, "ids", &rank, 1, 1, &err) == 0);
        int success = run == 0 || rank != size - 1;
        CHECK(lc_h5_close(f, success, &err) == 0);
        if (rank == 0) CHECK(file_exists(path) && !file_exists(partial));
    }
    if (rank == 0) {
        check_attr_string(path, "/", "kind", "first");
        check_attr_string(path, "/", "deck", "");
        remove(path);
    }
}

/* A path that cannot be created is the user's error, reported on every rank; nothing is left behind. */
static void test_bad_paths(void) {
    lc_error err;
    char path[600];
    path_in_folder(path, sizeof path, "no/such/folder/out.h5");
    lc_h5_file *f = (lc_h5_file *)&err; /* must be reset to NULL */
    err.message[0] = '\0';
    CHECK(lc_h5_create(path, &f, &err) == -1);
    CHECK(f == NULL);
    CHECK_MSG(strstr(err.message, "no/such/folder/out.h5.partial") && strstr(err.message, "No such file"), "%s",
              err.message);
    /* the output name taken by a folder: refused now, not at the rename after all the work */
    CHECK(lc_h5_create(folder, &f, &err) == -1);
    CHECK_MSG(strstr(err.message, "it is a folder"), "%s", err.message);
    char partial[620];
    snprintf(partial, sizeof partial, "%s.partial", folder);
    if (rank == 0) CHECK(!file_exists(partial));
    CHECK(lc_h5_close(NULL, 1, &err) == 0);
}

int main(int argc, char **argv) {
    lc_comm_init(&argc, &argv);
    rank = lc_comm_rank();
    size = lc_comm_size();
    if (argc > 1) snprintf(folder, sizeof folder, "%s", argv[1]);
    else snprintf(folder, sizeof folder, "test_h5_parallel_np%d", size);
    /* Rank 0 makes the folder before lc_h5_create, whose first step is a broadcast from rank 0: no rank reaches
     * the folder before it exists. */
    if (rank == 0 && mkdir(folder, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", folder, strerror(errno));
        lc_comm_abort(1);
    }
    RUN_TEST(test_write_and_read_back);
    RUN_TEST(test_discard);
    RUN_TEST(test_failed_rerun);
    RUN_TEST(test_bad_paths);
    int status = test_summary();
    lc_comm_finalize();
    return status;
}
