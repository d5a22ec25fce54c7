/* Per-epoch metrics CSV (src/core/metrics.h): header, rows, flushing, non-writers, resume. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/metrics.h"
#include "test.h"

static const char *path = "test_metrics_out.csv";
static const char *const names[] = {"loss_reconstruction", "loss_kl", "time_s", "rows_per_s"};

static char *slurp(const char *file) {
    FILE *in = fopen(file, "r");
    if (!in) return NULL;
    char *text = calloc(1 << 16, 1);
    size_t n = fread(text, 1, (1 << 16) - 1, in);
    text[n] = '\0';
    fclose(in);
    return text;
}

static void write_epochs(lc_metrics *m, long first, long last) {
    lc_error err;
    for (long e = first; e <= last; e++) {
        double v[4] = {1.0 / (double)(e + 1), 0.25 * (double)e, 1.5, 1000.0 * (double)e};
        CHECK_MSG(lc_metrics_write(m, e, v, &err) == 0, "%s", err.message);
    }
}

static void test_new_file(void) {
    lc_error err;
    lc_metrics *m = NULL;
    remove(path);
    CHECK_MSG(lc_metrics_open(path, names, 4, 1, -1, &m, &err) == 0, "%s", err.message);
    char *text = slurp(path); /* the header is on disk before the first epoch ends */
    CHECK(text && strcmp(text, "epoch,loss_reconstruction,loss_kl,time_s,rows_per_s\n") == 0);
    free(text);
    write_epochs(m, 0, 1);
    text = slurp(path); /* flushed at every row, before the close */
    CHECK(text && strcmp(text, "epoch,loss_reconstruction,loss_kl,time_s,rows_per_s\n"
                               "0,1,0,1.5,0\n"
                               "1,0.5,0.25,1.5,1000\n") == 0);
    free(text);
    double odd[4] = {NAN, INFINITY, -INFINITY, 0.1};
    CHECK(lc_metrics_write(m, 2, odd, &err) == 0);
    CHECK(lc_metrics_close(m, &err) == 0);
    text = slurp(path);
    CHECK(text && strstr(text, "\n2,nan,inf,-inf,0.1\n"));
    free(text);
    /* starting again (no resume) replaces the file */
    CHECK(lc_metrics_open(path, names, 2, 1, -1, &m, &err) == 0);
    CHECK(lc_metrics_close(m, &err) == 0);
    text = slurp(path);
    CHECK(text && strcmp(text, "epoch,loss_reconstruction,loss_kl\n") == 0);
    free(text);
}

static void test_non_writer(void) {
    lc_error err;
    lc_metrics *m = NULL;
    const char *other = "test_metrics_rank1.csv";
    remove(other);
    CHECK(lc_metrics_open(other, names, 4, 0, -1, &m, &err) == 0);
    CHECK(m != NULL);
    write_epochs(m, 0, 2);
    CHECK(lc_metrics_close(m, &err) == 0);
    CHECK(access(other, F_OK) != 0);
}

static void test_resume(void) {
    lc_error err;
    lc_metrics *m = NULL;
    remove(path);
    CHECK(lc_metrics_open(path, names, 4, 1, -1, &m, &err) == 0);
    write_epochs(m, 0, 4);
    CHECK(lc_metrics_close(m, &err) == 0);
    /* the checkpoint was after epoch 2; epochs 3 and 4 are redone and must appear once */
    CHECK_MSG(lc_metrics_open(path, names, 4, 1, 2, &m, &err) == 0, "%s", err.message);
    write_epochs(m, 3, 4);
    CHECK(lc_metrics_close(m, &err) == 0);
    char *text = slurp(path);
    CHECK(text && strcmp(text, "epoch,loss_reconstruction,loss_kl,time_s,rows_per_s\n"
                               "0,1,0,1.5,0\n1,0.5,0.25,1.5,1000\n2,0.333333333,0.5,1.5,2000\n"
                               "3,0.25,0.75,1.5,3000\n4,0.2,1,1.5,4000\n") == 0);
    free(text);
    char partial[64];
    snprintf(partial, sizeof partial, "%s.partial", path);
    CHECK(access(partial, F_OK) != 0);

    /* other columns than the run that wrote the file: refused, file untouched */
    err.message[0] = '\0';
    CHECK(lc_metrics_open(path, names, 3, 1, 4, &m, &err) == -1 && m == NULL);
    CHECK(strstr(err.message, "header differs") != NULL);
    char *after = slurp(path);
    CHECK(after && strstr(after, "\n4,0.2,1,1.5,4000\n"));
    free(after);
    /* a resumed run without a metrics file starts one */
    remove(path);
    CHECK(lc_metrics_open(path, names, 1, 1, 7, &m, &err) == 0);
    write_epochs(m, 8, 8);
    CHECK(lc_metrics_close(m, &err) == 0);
    text = slurp(path);
    CHECK(text && strcmp(text, "epoch,loss_reconstruction\n8,0.111111111\n") == 0);
    free(text);
    remove(path);
}

static void test_errors(void) {
    lc_error err;
    lc_metrics *m = NULL;
    const char *bad[][1] = {{"a,b"}, {""}, {"epoch"}, {"x\"y"}, {"line\nbreak"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.message[0] = '\0';
        CHECK_MSG(lc_metrics_open(path, bad[i], 1, 1, -1, &m, &err) == -1 && m == NULL, "name %zu", i);
        CHECK(strstr(err.message, "invalid metrics column name") != NULL);
    }
    CHECK(lc_metrics_open("no/such/folder/m.csv", names, 4, 1, -1, &m, &err) == -1 && m == NULL);
    CHECK(strstr(err.message, "no/such/folder/m.csv") != NULL);
    CHECK(lc_metrics_close(NULL, &err) == 0);
}

int main(void) {
    RUN_TEST(test_new_file);
    RUN_TEST(test_non_writer);
    RUN_TEST(test_resume);
    RUN_TEST(test_errors);
    return test_summary();
}
