/* VASP 5 POSCAR: reader and writer.
 *
 * Layout: comment; scale (one factor, negative = target volume in A^3, or three per-axis factors); three lattice
 * rows; element symbols; counts; optional "Selective dynamics"; "Direct" or "Cartesian"; one line per atom.
 * Anything after the atoms (velocities, predictor-corrector data) is ignored. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/element.h"
#include "core/lattice.h"
#include "io_internal.h"

#define MAX_TOKENS 512
#define MAX_ABS_FRACTIONAL 1000.0

typedef struct {
    const char *data;
    size_t size, pos;
    int line;   /* number of the line last read */
    char *text; /* copy of the line last read */
    size_t text_capacity;
} line_reader;

/* Reads the next line into r->text (without its end of line); returns 0, or -1 at the end of the data. */
static int next_line(line_reader *r) {
    if (r->pos >= r->size) return -1;
    size_t start = r->pos, end = start;
    while (end < r->size && r->data[end] != '\n') end++;
    r->pos = end < r->size ? end + 1 : end;
    if (end > start && r->data[end - 1] == '\r') end--;
    size_t n = end - start;
    if (n + 1 > r->text_capacity) {
        r->text_capacity = n + 1;
        r->text = lc_realloc(r->text, r->text_capacity);
    }
    memcpy(r->text, r->data + start, n);
    r->text[n] = '\0';
    r->line++;
    return 0;
}

/* Splits text in place at blanks; returns the number of tokens (at most max). */
static int split(char *text, char **tokens, int max) {
    int n = 0;
    char *p = text;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        tokens[n++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = '\0';
    }
    return n;
}

/* A decimal number ("-1.5", "2.46E+00", ".5"); no inf, nan or hex. */
static int parse_real(const char *s, double *value) {
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (digits == 0) return -1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        int e = 0;
        while (*p >= '0' && *p <= '9') p++, e++;
        if (e == 0) return -1;
    }
    if (*p != '\0') return -1;
    double v = strtod(s, NULL);
    if (!isfinite(v)) return -1;
    *value = v;
    return 0;
}

static int parse_count(const char *s, long *value) {
    long v = 0;
    const char *p = s;
    if (*p == '+') p++;
    if (!*p) return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 1000000000L) return -1;
        v = v * 10 + (*p - '0');
    }
    *value = v;
    return 0;
}

/* "C", "Fe", "Fe_pv", "Fe/abc": the element before an optional POTCAR suffix. */
static int species_from_token(const char *t) {
    int n = 0;
    while (n < 3 && ((t[n] >= 'A' && t[n] <= 'Z') || (t[n] >= 'a' && t[n] <= 'z'))) n++;
    if (n == 0 || n > 2 || (t[n] != '\0' && t[n] != '_' && t[n] != '/')) return 0;
    return lc_element_z_from_symbol(t, n);
}

typedef struct {
    line_reader lines;
    const char *name;
    lc_error *err;
} poscar_reader;

static int require_line(poscar_reader *p, const char *what) {
    if (next_line(&p->lines) == 0) return 0;
    return lc_error_set(p->err, p->name, p->lines.line + 1, "file ends where %s was expected (truncated POSCAR?)",
                        what);
}

/* The first k tokens of the current line as numbers. */
static int read_numbers(poscar_reader *p, int k, double *values, const char *what) {
    char *tokens[8];
    int n = split(p->lines.text, tokens, 8);
    if (n < k) return lc_error_set(p->err, p->name, p->lines.line, "%s: expected %d numbers, found %d", what, k, n);
    for (int i = 0; i < k; i++)
        if (parse_real(tokens[i], &values[i]) != 0)
            return lc_error_set(p->err, p->name, p->lines.line, "%s: '%.40s' is not a number", what, tokens[i]);
    return 0;
}

int lc_poscar_read_buffer(const char *data, size_t size, const char *name, lc_structure_list *out, lc_error *err) {
    memset(out, 0, sizeof *out);
    poscar_reader p = {{data, size, 0, 0, NULL, 0}, name, err};
    lc_structure s;
    lc_structure_init(&s, 0);
    int species[MAX_TOKENS];
    long counts[MAX_TOKENS];
    int n_species = 0;
    int status = -1;

    for (size_t i = 0; i < size; i++)
        if (data[i] == '\0') {
            int line = 1;
            for (size_t j = 0; j < i; j++) line += data[j] == '\n';
            lc_error_set(err, name, line, "NUL byte: this is not a text file");
            goto done;
        }

    if (require_line(&p, "a comment line") != 0) goto done;
    {
        const char *c = p.lines.text;
        while (*c == ' ' || *c == '\t') c++;
        snprintf(s.name, sizeof s.name, "%s", c);
        size_t n = strlen(s.name);
        while (n > 0 && (s.name[n - 1] == ' ' || s.name[n - 1] == '\t')) s.name[--n] = '\0';
    }

    /* Scale: one factor (negative: the cell volume) or three, one per Cartesian axis. */
    double scale[3] = {1, 1, 1}, target_volume = 0;
    if (require_line(&p, "the scale factor") != 0) goto done;
    {
        char *tokens[4];
        int n = split(p.lines.text, tokens, 4);
        int k = n >= 3 && parse_real(tokens[1], &scale[1]) == 0 && parse_real(tokens[2], &scale[2]) == 0 ? 3 : 1;
        if (n < 1 || parse_real(tokens[0], &scale[0]) != 0) {
            lc_error_set(err, name, p.lines.line, "scale factor: '%.40s' is not a number", n ? tokens[0] : "");
            goto done;
        }
        if (k == 1) {
            if (scale[0] == 0) {
                lc_error_set(err, name, p.lines.line, "scale factor is zero");
                goto done;
            }
            if (scale[0] < 0) target_volume = -scale[0];
            scale[1] = scale[2] = scale[0] < 0 ? 1 : scale[0];
            if (scale[0] < 0) scale[0] = 1;
        } else if (!(scale[0] > 0 && scale[1] > 0 && scale[2] > 0)) {
            lc_error_set(err, name, p.lines.line, "three scale factors must all be positive");
            goto done;
        }
    }
    double lattice[3][3];
    for (int i = 0; i < 3; i++) {
        char what[32];
        snprintf(what, sizeof what, "lattice vector %d", i + 1);
        if (require_line(&p, what) != 0 || read_numbers(&p, 3, lattice[i], what) != 0) goto done;
    }
    int lattice_line = p.lines.line;
    double volume = lc_lattice_volume(lattice);
    if (!(fabs(volume) > 1e-9) || !isfinite(volume)) {
        lc_error_set(err, name, lattice_line, "the lattice vectors span no volume (%g A^3)", volume);
        goto done;
    }
    if (target_volume > 0) {
        double f = cbrt(target_volume / fabs(volume));
        scale[0] = scale[1] = scale[2] = f;
    }
    {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) lattice[i][j] *= scale[j];
    }
    volume = lc_lattice_volume(lattice);
    if (!(fabs(volume) > 1e-6) || !isfinite(volume)) {
        lc_error_set(err, name, lattice_line, "the scaled cell has volume %g A^3", volume);
        goto done;
    }
    memcpy(s.lattice, lattice, sizeof lattice);

    /* Element symbols (VASP 5) then counts. */
    if (require_line(&p, "the element symbols (VASP 5 format)") != 0) goto done;
    {
        char *tokens[MAX_TOKENS];
        n_species = split(p.lines.text, tokens, MAX_TOKENS);
        double dummy;
        if (n_species == 0) {
            lc_error_set(err, name, p.lines.line, "expected element symbols, found an empty line");
            goto done;
        }
        if (n_species >= MAX_TOKENS) {
            lc_error_set(err, name, p.lines.line, "more than %d element symbols", MAX_TOKENS - 1);
            goto done;
        }
        if (parse_real(tokens[0], &dummy) == 0) {
            lc_error_set(err, name, p.lines.line,
                         "expected element symbols, found numbers: VASP 4 POSCARs without a symbol line are not "
                         "supported (add the symbols above the counts)");
            goto done;
        }
        for (int k = 0; k < n_species; k++) {
            species[k] = species_from_token(tokens[k]);
            if (!species[k]) {
                lc_error_set(err, name, p.lines.line, "'%.40s' is not an element symbol", tokens[k]);
                goto done;
            }
        }
    }
    if (require_line(&p, "the atom counts") != 0) goto done;
    long total = 0;
    {
        char *tokens[MAX_TOKENS];
        int n = split(p.lines.text, tokens, MAX_TOKENS);
        if (n != n_species) { /* split stops at MAX_TOKENS, and n_species < MAX_TOKENS */
            lc_error_set(err, name, p.lines.line, "%d counts for %d element symbols", n, n_species);
            goto done;
        }
        for (int k = 0; k < n; k++) {
            if (parse_count(tokens[k], &counts[k]) != 0) {
                lc_error_set(err, name, p.lines.line, "atom count '%.40s' is not a non-negative integer", tokens[k]);
                goto done;
            }
            total += counts[k];
            if (total > LC_IO_MAX_ATOMS) {
                lc_error_set(err, name, p.lines.line, "more than %d atoms", LC_IO_MAX_ATOMS);
                goto done;
            }
        }
        if (total == 0) {
            lc_error_set(err, name, p.lines.line, "the counts add up to zero atoms");
            goto done;
        }
    }
    /* Each atom needs a line: a count larger than the rest of the file is a truncated or corrupt file, found
     * before allocating for it. */
    {
        long remaining = 0;
        for (size_t i = p.lines.pos; i < size; i++) remaining += data[i] == '\n';
        if (p.lines.pos < size && data[size - 1] != '\n') remaining++;
        if (total > remaining) {
            lc_error_set(err, name, p.lines.line, "the counts add up to %ld atoms but only %ld lines follow", total,
                         remaining);
            goto done;
        }
    }

    if (require_line(&p, "\"Direct\" or \"Cartesian\"") != 0) goto done;
    {
        const char *c = p.lines.text;
        while (*c == ' ' || *c == '\t') c++;
        if (*c == 'S' || *c == 's') {
            if (require_line(&p, "\"Direct\" or \"Cartesian\"") != 0) goto done;
            c = p.lines.text;
            while (*c == ' ' || *c == '\t') c++;
        }
        int cartesian;
        if (*c == 'D' || *c == 'd') cartesian = 0;
        else if (*c == 'C' || *c == 'c' || *c == 'K' || *c == 'k') cartesian = 1;
        else {
            lc_error_set(err, name, p.lines.line, "expected \"Direct\" or \"Cartesian\", found '%.40s'", c);
            goto done;
        }
        double reciprocal[3][3];
        lc_lattice_reciprocal(s.lattice, reciprocal);
        for (int k = 0; k < n_species; k++)
            for (long a = 0; a < counts[k]; a++) {
                double v[3];
                if (require_line(&p, "an atom position") != 0 || read_numbers(&p, 3, v, "atom position") != 0)
                    goto done;
                double f[3];
                if (cartesian) {
                    /* VASP scales Cartesian positions exactly as it scales the lattice */
                    double r[3] = {v[0] * scale[0], v[1] * scale[1], v[2] * scale[2]};
                    lc_cart_to_frac((const double (*)[3])reciprocal, r, f);
                } else {
                    memcpy(f, v, sizeof f);
                }
                for (int i = 0; i < 3; i++) {
                    if (!(fabs(f[i]) <= MAX_ABS_FRACTIONAL)) {
                        lc_error_set(err, name, p.lines.line, "position %g (fractional) is far outside the cell",
                                     f[i]);
                        goto done;
                    }
                    f[i] = lc_wrap_unit(f[i]);
                }
                lc_structure_append(&s, species[k], f);
            }
    }
    lc_structure_list_push(out, &s, 0, "");
    status = 0;
done:
    free(p.lines.text);
    lc_structure_free(&s);
    return status;
}

int lc_poscar_write(const char *path, const lc_structure *s, lc_error *err) {
    if (lc_structure_check_writable(s, path, err) != 0) return -1;
    if (s->n_atoms == 0) return lc_error_set(err, path, 0, "a POSCAR needs at least one atom");
    /* VASP wants atoms grouped by element: order of first appearance, stable within each element. */
    int order[LC_MAX_Z + 1], n_elements = 0;
    int seen[LC_MAX_Z + 1] = {0};
    for (int k = 0; k < s->n_atoms; k++)
        if (!seen[s->species[k]]++) order[n_elements++] = s->species[k];

    lc_output out;
    if (lc_output_open(&out, path, err) != 0) return -1;
    char comment[128];
    snprintf(comment, sizeof comment, "%s", s->name);
    for (char *c = comment; *c; c++)
        if (*c == '\n' || *c == '\r') *c = ' ';
    if (!comment[0]) lc_structure_formula(s, 0, comment, sizeof comment);
    fprintf(out.file, "%s\n1.0\n", comment);
    for (int i = 0; i < 3; i++)
        fprintf(out.file, "  %21.15f %21.15f %21.15f\n", s->lattice[i][0], s->lattice[i][1], s->lattice[i][2]);
    for (int e = 0; e < n_elements; e++) fprintf(out.file, " %3s", lc_element_by_z(order[e])->symbol);
    fputc('\n', out.file);
    for (int e = 0; e < n_elements; e++) fprintf(out.file, " %3d", seen[order[e]]);
    fprintf(out.file, "\nDirect\n");
    for (int e = 0; e < n_elements; e++)
        for (int k = 0; k < s->n_atoms; k++)
            if (s->species[k] == order[e])
                fprintf(out.file, "  %.15f %.15f %.15f\n", s->frac[k][0], s->frac[k][1], s->frac[k][2]);
    return lc_output_commit(&out, err);
}
