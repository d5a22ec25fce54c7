#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lc_metrics {
    FILE *file; /* NULL on non-writers */
    char *path;
    int n_names;
};

static int valid_name(const char *name) {
    return name && *name && !strpbrk(name, ",\"\r\n") && strcmp(name, "epoch") != 0;
}

/* "epoch,a,b\n" */
static char *header_line(const char *const *names, int n_names) {
    size_t length = sizeof "epoch\n";
    for (int i = 0; i < n_names; i++) length += strlen(names[i]) + 1;
    char *header = lc_malloc(length);
    strcpy(header, "epoch");
    for (int i = 0; i < n_names; i++) {
        strcat(header, ",");
        strcat(header, names[i]);
    }
    strcat(header, "\n");
    return header;
}

static char *copy_string(const char *s) {
    char *copy = lc_malloc(strlen(s) + 1);
    strcpy(copy, s);
    return copy;
}

/* Rewrites PATH (through PATH.partial and a rename, so a crash leaves the old file) keeping the header and the
 * rows of epochs <= last_epoch. *exists = 0 when there is no file. */
static int truncate_after(const char *path, const char *header, long last_epoch, int *exists, lc_error *err) {
    FILE *in = fopen(path, "r");
    *exists = in != NULL;
    if (!in) return errno == ENOENT ? 0 : lc_error_set(err, path, 0, "cannot read: %s", strerror(errno));
    char *partial = lc_malloc(strlen(path) + sizeof ".partial");
    sprintf(partial, "%s.partial", path);
    FILE *out = NULL;
    char *line = NULL;
    size_t capacity = 0;
    long number = 0;
    int status = 0;
    if (getline(&line, &capacity, in) < 0 || strcmp(line, header) != 0) {
        status = lc_error_set(err, path, 1, "the metrics header differs from this run's columns (%.*s): was the "
                              "model or its losses changed since the checkpoint?", (int)strcspn(header, "\n"), header);
    } else if (!(out = fopen(partial, "w"))) {
        status = lc_error_set(err, partial, 0, "cannot create: %s", strerror(errno));
    } else {
        fputs(header, out);
        number = 1;
        while (getline(&line, &capacity, in) >= 0) {
            number++;
            char *end = NULL;
            errno = 0;
            long epoch = strtol(line, &end, 10);
            if (end == line || *end != ',' || errno) {
                status = lc_error_set(err, path, number, "not a metrics row (no epoch number)");
                break;
            }
            if (epoch <= last_epoch) fputs(line, out);
        }
        if (fclose(out) != 0 && status == 0)
            status = lc_error_set(err, partial, 0, "cannot write: %s", strerror(errno));
        if (status == 0 && rename(partial, path) != 0)
            status = lc_error_set(err, path, 0, "cannot replace with %s: %s", partial, strerror(errno));
        if (status != 0) remove(partial);
    }
    free(line);
    free(partial);
    fclose(in);
    return status;
}

int lc_metrics_open(const char *path, const char *const *names, int n_names, int writer, long resume_epoch,
                    lc_metrics **out, lc_error *err) {
    *out = NULL;
    if (n_names < 0) return lc_error_set(err, path, 0, "negative number of metrics columns");
    for (int i = 0; i < n_names; i++)
        if (!valid_name(names[i]))
            return lc_error_set(err, path, 0, "invalid metrics column name '%s' (empty, 'epoch', or with a comma, "
                                "quote or line break)", names[i] ? names[i] : "(null)");
    lc_metrics *m = lc_calloc(1, sizeof *m);
    m->n_names = n_names;
    m->path = copy_string(path);
    if (!writer) {
        *out = m;
        return 0;
    }
    char *header = header_line(names, n_names);
    int exists = 0, status = 0;
    if (resume_epoch >= 0) status = truncate_after(path, header, resume_epoch, &exists, err);
    if (status == 0) {
        m->file = fopen(path, exists ? "a" : "w");
        if (!m->file) status = lc_error_set(err, path, 0, "cannot write the metrics: %s", strerror(errno));
        else if (!exists && (fputs(header, m->file) < 0 || fflush(m->file) != 0))
            status = lc_error_set(err, path, 0, "cannot write the metrics: %s", strerror(errno));
    }
    free(header);
    if (status != 0) {
        lc_error ignored;
        lc_metrics_close(m, &ignored);
        return -1;
    }
    *out = m;
    return 0;
}

static void put_value(FILE *file, double v) {
    if (isnan(v)) fputs(",nan", file); /* not "-nan": one spelling for every reader */
    else if (isinf(v)) fputs(v > 0 ? ",inf" : ",-inf", file);
    else fprintf(file, ",%.9g", v);
}

int lc_metrics_write(lc_metrics *m, long epoch, const double *values, lc_error *err) {
    if (!m || !m->file) return 0;
    fprintf(m->file, "%ld", epoch);
    for (int i = 0; i < m->n_names; i++) put_value(m->file, values[i]);
    fputc('\n', m->file);
    /* Flushed every epoch: a job killed by the batch system keeps every finished epoch. */
    if (ferror(m->file) || fflush(m->file) != 0)
        return lc_error_set(err, m->path, 0, "cannot write the metrics: %s", strerror(errno));
    return 0;
}

int lc_metrics_close(lc_metrics *m, lc_error *err) {
    if (!m) return 0;
    int status = 0;
    if (m->file && fclose(m->file) != 0)
        status = lc_error_set(err, m->path, 0, "cannot write the metrics: %s", strerror(errno));
    free(m->path);
    free(m);
    return status;
}
