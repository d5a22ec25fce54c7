#include "symop.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Unsigned number: digits with an optional fraction ("12", "0.25", ".5") and an optional "/denominator".
 * Exponents, "inf" and "nan" are not triplet syntax and are rejected by not being read. */
static int read_number(const char **p, double *value) {
    const char *s = *p;
    double v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (*s - '0');
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        double scale = 0.1;
        while (*s >= '0' && *s <= '9') {
            v += (*s - '0') * scale;
            scale *= 0.1;
            s++;
            digits++;
        }
    }
    if (digits == 0 || digits > 18) return -1;
    while (is_blank(*s)) s++;
    if (*s == '/') {
        s++;
        while (is_blank(*s)) s++;
        double d = 0;
        int dd = 0;
        while (*s >= '0' && *s <= '9') {
            d = d * 10 + (*s - '0');
            s++;
            dd++;
        }
        if (dd == 0 || dd > 9 || d == 0) return -1;
        v /= d;
    }
    *value = v;
    *p = s;
    return 0;
}

static int axis_of(char c) {
    if (c == 'x' || c == 'X') return 0;
    if (c == 'y' || c == 'Y') return 1;
    if (c == 'z' || c == 'Z') return 2;
    return -1;
}

int lc_symop_parse(const char *text, lc_symop *op, char *why, size_t why_size) {
    memset(op, 0, sizeof *op);
    double coefficient[3][3] = {{0}};
    const char *p = text;
    for (int row = 0; row < 3; row++) {
        int terms = 0;
        for (;;) {
            while (is_blank(*p)) p++;
            if (*p == ',' || *p == '\0') break;
            double sign = 1;
            if (*p == '+' || *p == '-') {
                sign = *p == '-' ? -1 : 1;
                p++;
                while (is_blank(*p)) p++;
            } else if (terms > 0) {
                snprintf(why, why_size, "expected + or - before '%c' in component %d", *p, row + 1);
                return -1;
            }
            double number = 1;
            int has_number = 0;
            if ((*p >= '0' && *p <= '9') || *p == '.') {
                if (read_number(&p, &number) != 0) {
                    snprintf(why, why_size, "malformed number in component %d", row + 1);
                    return -1;
                }
                has_number = 1;
                while (is_blank(*p)) p++;
                if (*p == '*') {
                    p++;
                    while (is_blank(*p)) p++;
                    if (axis_of(*p) < 0) {
                        snprintf(why, why_size, "expected x, y or z after '*' in component %d", row + 1);
                        return -1;
                    }
                }
            }
            int axis = axis_of(*p);
            if (axis >= 0) {
                coefficient[row][axis] += sign * number;
                p++;
            } else if (has_number) {
                op->translation[row] += sign * number;
            } else {
                snprintf(why, why_size, "unexpected '%c' in component %d", *p ? *p : ' ', row + 1);
                return -1;
            }
            terms++;
        }
        if (terms == 0) {
            snprintf(why, why_size, "component %d is empty", row + 1);
            return -1;
        }
        if (row < 2) {
            if (*p != ',') {
                snprintf(why, why_size, "expected three components separated by commas");
                return -1;
            }
            p++;
        }
    }
    if (*p != '\0') {
        snprintf(why, why_size, "more than three components");
        return -1;
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double c = coefficient[i][j];
            if (fabs(c - nearbyint(c)) > 1e-9 || fabs(c) > 3) {
                snprintf(why, why_size, "coefficient %g of %c in component %d is not a small integer", c, "xyz"[j],
                         i + 1);
                return -1;
            }
            op->rotation[i][j] = (int)nearbyint(c);
        }
    const int (*r)[3] = (const int (*)[3])op->rotation;
    int det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
              r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    if (det != 1 && det != -1) {
        snprintf(why, why_size, "the rotation part has determinant %d (must be +1 or -1)", det);
        return -1;
    }
    return 0;
}

/* Appends "+n/d" for t when t is a multiple of 1/24 (covers 1/2, 1/3, 1/4, 1/6, 1/8, 1/12), else a decimal. */
static size_t format_translation(double t, char *buffer, size_t size) {
    if (t == 0) return 0;
    double scaled = t * 24;
    if (fabs(scaled - nearbyint(scaled)) < 1e-9) {
        long num = lround(scaled), den = 24;
        long a = labs(num), b = den;
        while (b) {
            long tmp = a % b;
            a = b;
            b = tmp;
        }
        num /= a;
        den /= a;
        int n = den == 1 ? snprintf(buffer, size, "%+ld", num) : snprintf(buffer, size, "%+ld/%ld", num, den);
        return n > 0 ? (size_t)n : 0;
    }
    int n = snprintf(buffer, size, "%+.12g", t);
    return n > 0 ? (size_t)n : 0;
}

void lc_symop_format(const int rotation[3][3], const double translation[3], char *buffer, size_t size) {
    char out[256];
    size_t used = 0;
    for (int i = 0; i < 3; i++) {
        int first = 1;
        for (int j = 0; j < 3; j++) {
            int c = rotation[i][j];
            if (c == 0) continue;
            char term[16];
            const char *sign = c < 0 ? "-" : first ? "" : "+";
            if (c == 1 || c == -1) snprintf(term, sizeof term, "%s%c", sign, "xyz"[j]);
            else snprintf(term, sizeof term, "%s%d*%c", sign, c < 0 ? -c : c, "xyz"[j]);
            used += (size_t)snprintf(out + used, sizeof out - used, "%s", term);
            first = 0;
        }
        char t[40];
        size_t n = format_translation(translation[i], t, sizeof t);
        if (n) used += (size_t)snprintf(out + used, sizeof out - used, "%s", first && t[0] == '+' ? t + 1 : t);
        else if (first) used += (size_t)snprintf(out + used, sizeof out - used, "0");
        if (i < 2) used += (size_t)snprintf(out + used, sizeof out - used, ",");
        if (used >= sizeof out) used = sizeof out - 1;
    }
    snprintf(buffer, size, "%s", out);
}

void lc_symop_apply(const lc_symop *op, const double frac[3], double out[3]) {
    double r[3];
    for (int i = 0; i < 3; i++)
        r[i] = op->rotation[i][0] * frac[0] + op->rotation[i][1] * frac[1] + op->rotation[i][2] * frac[2] +
               op->translation[i];
    memcpy(out, r, sizeof r);
}
