/* Reader for the PyTorch reference fixtures written by scripts/make_nn_fixtures.py (format described there),
 * and comparisons of float tensors. */
#ifndef LEGOCRYST_TESTS_NN_FIXTURE_H
#define LEGOCRYST_TESTS_NN_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "test.h"

typedef struct {
    char name[64];
    int ndim;
    int dims[8];
    size_t n;
    float *data;
} fixture_tensor;

typedef struct {
    int count;
    fixture_tensor *t;
} fixture;

static int fixture_read_u32(FILE *f, uint32_t *v) {
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4) return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

/* Loads tests/nn/fixtures/NAME.bin; aborts on a missing or malformed file (it is committed with the tests). */
static inline fixture fixture_load(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/nn/fixtures/%s.bin", LEGOCRYST_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) lc_fatal("cannot open fixture %s", path);
    char magic[8];
    uint32_t count;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "LCNNFIX1", 8) || fixture_read_u32(f, &count) || count > 1000)
        lc_fatal("%s: not a fixture file", path);
    fixture fx = {(int)count, lc_calloc(count, sizeof(fixture_tensor))};
    for (uint32_t i = 0; i < count; i++) {
        fixture_tensor *t = &fx.t[i];
        uint32_t len, ndim, d;
        if (fixture_read_u32(f, &len) || len >= sizeof t->name || fread(t->name, 1, len, f) != len ||
            fixture_read_u32(f, &ndim) || ndim > 8)
            lc_fatal("%s: bad record %u", path, i);
        t->name[len] = '\0';
        t->ndim = (int)ndim;
        t->n = 1;
        for (uint32_t k = 0; k < ndim; k++) {
            if (fixture_read_u32(f, &d)) lc_fatal("%s: bad record %u", path, i);
            t->dims[k] = (int)d;
            t->n *= d;
        }
        t->data = lc_malloc(t->n * sizeof(float));
        for (size_t k = 0; k < t->n; k++) {
            uint32_t bits;
            if (fixture_read_u32(f, &bits)) lc_fatal("%s: short record %s", path, t->name);
            memcpy(&t->data[k], &bits, 4);
        }
    }
    fclose(f);
    return fx;
}

static inline void fixture_free(fixture *fx) {
    for (int i = 0; i < fx->count; i++) free(fx->t[i].data);
    free(fx->t);
}

static inline const fixture_tensor *fixture_get(const fixture *fx, const char *name) {
    for (int i = 0; i < fx->count; i++)
        if (!strcmp(fx->t[i].name, name)) return &fx->t[i];
    lc_fatal("fixture tensor %s missing", name);
}

/* A copy the test may modify (and must free). */
static inline float *fixture_copy(const fixture *fx, const char *name) {
    const fixture_tensor *t = fixture_get(fx, name);
    float *c = lc_malloc(t->n * sizeof(float));
    memcpy(c, t->data, t->n * sizeof(float));
    return c;
}

static inline int *fixture_ints(const fixture *fx, const char *name) {
    const fixture_tensor *t = fixture_get(fx, name);
    int *c = lc_malloc(t->n * sizeof(int));
    for (size_t k = 0; k < t->n; k++) c[k] = (int)lrintf(t->data[k]);
    return c;
}

static inline float *zeros(size_t n) { return lc_calloc(n, sizeof(float)); }

/* max |got - ref| <= rtol * max |ref| + atol, element by element, reporting the worst entry. */
#define CHECK_TENSOR(got, fx, name, rtol, atol) check_tensor_at(__FILE__, __LINE__, (got), (fx), (name), (rtol), (atol))
static inline void check_tensor_at(const char *file, int line, const float *got, const fixture *fx, const char *name,
                            double rtol, double atol) {
    const fixture_tensor *t = fixture_get(fx, name);
    double scale = 0.0, worst = 0.0;
    size_t at = 0;
    for (size_t k = 0; k < t->n; k++)
        if (fabs(t->data[k]) > scale) scale = fabs(t->data[k]);
    for (size_t k = 0; k < t->n; k++) {
        double e = fabs((double)got[k] - t->data[k]);
        if (!(e <= worst)) { /* also catches NaN */
            worst = e;
            at = k;
        }
    }
    test_checks++;
    if (!(worst <= rtol * scale + atol)) {
        test_failures++;
        fprintf(stderr, "%s:%d: tensor %s: entry %zu is %.9g, reference %.9g (max |ref| %.3g, tol %.3g)\n", file,
                line, name, at, got[at], t->data[at], scale, rtol * scale + atol);
    }
}

#endif
