/* SO(3) power spectrum and RDF term of graphite and diamond against ../shared/reference/so3_reference.json
 * (values from PyXtal's pyxtal.lego.SO3). Skipped (77) when the shared folder is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/neighbor_list.h"
#include "envopt/rdf.h"
#include "envopt/so3.h"
#include "envopt/so3_cells.h"
#include "test.h"

static char *json_text;

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(text);
        return NULL;
    }
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The object value of "key" searched from `from`: just the position after the key (enough for this file, whose
 * keys are unique within each structure's object). */
static const char *find_key(const char *from, const char *key) {
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = from ? strstr(from, quoted) : NULL;
    return at ? at + strlen(quoted) : NULL;
}

/* Reads the number array that follows `key` after `from`; returns its length (or -1). */
static int read_array(const char *from, const char *key, double *out, int capacity) {
    const char *at = find_key(from, key);
    if (!at || !(at = strchr(at, '['))) return -1;
    at++;
    int n = 0;
    for (;;) {
        while (*at == ' ' || *at == '\n' || *at == '\r' || *at == '\t' || *at == ',') at++;
        if (*at == ']') return n;
        char *end;
        double v = strtod(at, &end);
        if (end == at || n == capacity) return -1;
        out[n++] = v;
        at = end;
    }
}

/* A number written "NAME=VALUE" inside the "structure" string after `from` (e.g. "a=2.46"). */
static double read_parameter(const char *from, const char *name) {
    const char *at = find_key(from, "structure");
    if (!at) return NAN;
    const char *end = strchr(at + 3, '"');
    char pattern[16];
    snprintf(pattern, sizeof pattern, " %s=", name);
    const char *hit = strstr(at, pattern);
    if (!hit || hit > end) return NAN;
    return strtod(hit + strlen(pattern), NULL);
}

/* |p - ref| <= 1e-8 |ref|; components that vanish by symmetry (|ref| < 1e-12 max|ref|, printed as ~1e-30 by
 * PyXtal) are held to 1e-8 max|ref| instead. */
static void check_vector(const char *what, int atom, const double *p, const double *ref, int n) {
    double scale = 0;
    for (int k = 0; k < n; k++) scale = fmax(scale, fabs(ref[k]));
    for (int k = 0; k < n; k++) {
        double tol = fabs(ref[k]) < 1e-12 * scale ? 1e-8 * scale : 1e-8 * fabs(ref[k]);
        CHECK_MSG(fabs(p[k] - ref[k]) <= tol, "%s atom %d component %d: %.17g vs reference %.17g (diff %.3g)", what,
                  atom, k, p[k], ref[k], fabs(p[k] - ref[k]));
    }
}

static void check_structure(const char *name, const lc_structure *s) {
    const char *entry = find_key(find_key(json_text, "structures"), name);
    CHECK_MSG(entry != NULL, "no entry %s", name);
    if (!entry) return;
    double ref[64], ref_rdf[64];
    int n = read_array(entry, "power_spectrum_15", ref, 64);
    int n_rdf = read_array(entry, "rdf_20_bins_weighted_0.5", ref_rdf, 64);
    CHECK(n == 15);
    CHECK(n_rdf == 20);
    if (n != 15 || n_rdf != 20) return;

    lc_so3_options o = lc_so3_default_options(); /* nmax 2, lmax 4, alpha 1.5, rcut 2.0: the JSON's parameters */
    double params[4];
    CHECK(read_array(json_text, "nmax", params, 1) == -1); /* scalars, not arrays: read below */
    const char *at;
    CHECK((at = find_key(json_text, "nmax")) && atoi(strchr(at, ':') + 1) == o.nmax);
    CHECK((at = find_key(json_text, "lmax")) && atoi(strchr(at, ':') + 1) == o.lmax);
    CHECK((at = find_key(json_text, "rcut_angstrom")) && strtod(strchr(at, ':') + 1, NULL) == o.rcut);
    CHECK((at = find_key(json_text, "alpha_per_angstrom2")) && strtod(strchr(at, ':') + 1, NULL) == o.alpha);
    (void)params;
    lc_so3_plan plan;
    CHECK(lc_so3_init(&plan, &o, NULL) == 0);
    CHECK(plan.n_components == 15);
    lc_neighbor_list nl;
    lc_neighbor_list_init(&nl);
    lc_neighbor_list_build(&nl, s, o.rcut);
    lc_rdf_options ro = lc_rdf_default_options();
    for (int i = 0; i < s->n_atoms; i++) {
        double p[15], rdf[20];
        lc_so3_descriptor_nl(&plan, s, &nl, i, p, NULL);
        check_vector(name, i, p, ref, 15);
        CHECK(lc_rdf_compute(&ro, &nl, i, rdf) == 0);
        check_vector(name, i, rdf, ref_rdf, 20);
        if (i == 0) {
            printf("%s p:", name);
            double worst = 0;
            for (int k = 0; k < 15; k++) {
                printf(" %.10g", p[k]);
                if (fabs(ref[k]) > 1e-12) worst = fmax(worst, fabs(p[k] - ref[k]) / fabs(ref[k]));
            }
            printf("\n%s worst relative difference %.3g\n", name, worst);
        }
    }
    lc_neighbor_list_free(&nl);
    lc_so3_free(&plan);
}

static void test_graphite(void) {
    const char *entry = find_key(find_key(json_text, "structures"), "graphite");
    double a = read_parameter(entry, "a"), c = read_parameter(entry, "c");
    CHECK(a == 2.46 && c == 6.70);
    lc_structure s;
    build_graphite(&s, a, c);
    check_structure("graphite", &s);
    lc_structure_free(&s);
}

static void test_diamond(void) {
    const char *entry = find_key(find_key(json_text, "structures"), "diamond");
    double a = read_parameter(entry, "a");
    CHECK(a == 3.567);
    lc_structure s;
    build_diamond(&s, a);
    check_structure("diamond", &s);
    lc_structure_free(&s);
}

int main(void) {
    const char *path = LEGOCRYST_SHARED_DIR "/reference/so3_reference.json";
    json_text = read_file(path);
    if (!json_text) {
        printf("skipped: %s not found\n", path);
        return TEST_SKIP;
    }
    RUN_TEST(test_graphite);
    RUN_TEST(test_diamond);
    free(json_text);
    return test_summary();
}
