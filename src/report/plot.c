#include "plot.h"

#include <math.h>
#include <stdio.h>

enum {
    SCALE = 2,   /* font scale of every text: 10 x 16 pixel glyphs */
    MARGIN = 16, /* blank border around everything */
    GAP = 8,     /* between a label and what it labels */
    TICK = 6,    /* tick length */
};

const lc_rgb lc_plot_black = {0, 0, 0}, lc_plot_blue = {31, 119, 180}, lc_plot_orange = {255, 127, 14},
             lc_plot_grey = {127, 127, 127};
static const lc_rgb white = {255, 255, 255}, grid = {230, 230, 230};

/* Round tick spacing (1, 2 or 5 x 10^k) giving about six ticks over the range. */
static double tick_step(double lo, double hi) {
    double raw = (hi - lo) / 6, magnitude = pow(10, floor(log10(raw))), norm = raw / magnitude;
    return (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * magnitude;
}

/* The k-th tick at or above lo; returns 0 past hi. Labels carry the decimals the step needs. */
static int tick(double lo, double hi, int k, double *value, char label[32]) {
    double step = tick_step(lo, hi), v = (ceil(lo / step - 1e-9) + k) * step;
    if (v > hi + 1e-9 * step) return 0;
    if (fabs(v) < 1e-9 * step) v = 0; /* no "-0" */
    int decimals = (int)-floor(log10(step) + 1e-9);
    snprintf(label, 32, "%.*f", decimals > 0 ? decimals : 0, v);
    *value = v;
    return 1;
}

int lc_plot_px(const lc_plot *p, double x) {
    return p->left + (int)lround((x - p->x_min) / (p->x_max - p->x_min) * (p->right - p->left));
}

int lc_plot_py(const lc_plot *p, double y) {
    return p->bottom - (int)lround((y - p->y_min) / (p->y_max - p->y_min) * (p->bottom - p->top));
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Fills a rectangle clipped to the inside of the frame, which stays visible. */
static void fill_inside(lc_plot *p, int x0, int y0, int x1, int y1, lc_rgb color) {
    int l = p->left + 1, r = p->right - 1, t = p->top + 1, b = p->bottom - 1;
    if ((x0 < l && x1 < l) || (x0 > r && x1 > r) || (y0 < t && y1 < t) || (y0 > b && y1 > b)) return;
    lc_canvas_fill(&p->canvas, clamp(x0, l, r), clamp(y0, t, b), clamp(x1, l, r), clamp(y1, t, b), color);
}

void lc_plot_begin(lc_plot *p, int width, int height, const lc_plot_axes *a) {
    if (!(isfinite(a->x_min) && isfinite(a->x_max) && isfinite(a->y_min) && isfinite(a->y_max)) ||
        !(a->x_min < a->x_max && a->y_min < a->y_max))
        lc_fatal("plot '%s': axis ranges [%g, %g] x [%g, %g]", a->title, a->x_min, a->x_max, a->y_min, a->y_max);
    lc_canvas_init(&p->canvas, width, height, white);
    p->x_min = a->x_min, p->x_max = a->x_max, p->y_min = a->y_min, p->y_max = a->y_max;
    int text = lc_canvas_text_height(SCALE), widest = 0;
    double v;
    char label[32];
    for (int k = 0; tick(a->y_min, a->y_max, k, &v, label); k++)
        if (lc_canvas_text_width(label, SCALE) > widest) widest = lc_canvas_text_width(label, SCALE);
    p->left = MARGIN + text + GAP + widest + GAP + TICK;
    p->top = MARGIN + text + 2 * GAP;
    p->right = width - 1 - 2 * MARGIN;
    p->bottom = height - 1 - (MARGIN + text + GAP + text + GAP + TICK);
    if (p->right - p->left < 50 || p->bottom - p->top < 50)
        lc_fatal("plot '%s': %d x %d pixels is too small", a->title, width, height);

    lc_canvas *c = &p->canvas;
    lc_canvas_text(c, (p->left + p->right - lc_canvas_text_width(a->title, SCALE)) / 2, MARGIN, a->title, SCALE, 0,
                   lc_plot_black);
    lc_canvas_text(c, (p->left + p->right - lc_canvas_text_width(a->x_label, SCALE)) / 2, height - 1 - MARGIN - text,
                   a->x_label, SCALE, 0, lc_plot_black);
    lc_canvas_text(c, MARGIN, (p->top + p->bottom + lc_canvas_text_width(a->y_label, SCALE)) / 2, a->y_label, SCALE,
                   1, lc_plot_black);
    for (int k = 0; tick(a->y_min, a->y_max, k, &v, label); k++) {
        int y = lc_plot_py(p, v);
        lc_canvas_fill(c, p->left + 1, y, p->right - 1, y, grid);
        lc_canvas_fill(c, p->left - TICK, y, p->left, y, lc_plot_black);
        lc_canvas_text(c, p->left - TICK - GAP - lc_canvas_text_width(label, SCALE), y - text / 2, label, SCALE, 0,
                       lc_plot_black);
    }
    for (int k = 0; a->x_ticks && tick(a->x_min, a->x_max, k, &v, label); k++) {
        int x = lc_plot_px(p, v);
        lc_canvas_fill(c, x, p->top + 1, x, p->bottom - 1, grid);
        lc_canvas_fill(c, x, p->bottom, x, p->bottom + TICK, lc_plot_black);
        lc_canvas_text(c, x - lc_canvas_text_width(label, SCALE) / 2, p->bottom + TICK + GAP, label, SCALE, 0,
                       lc_plot_black);
    }
    lc_canvas_fill(c, p->left, p->top, p->right, p->top, lc_plot_black);
    lc_canvas_fill(c, p->left, p->bottom, p->right, p->bottom, lc_plot_black);
    lc_canvas_fill(c, p->left, p->top, p->left, p->bottom, lc_plot_black);
    lc_canvas_fill(c, p->right, p->top, p->right, p->bottom, lc_plot_black);
}

void lc_plot_free(lc_plot *p) { lc_canvas_free(&p->canvas); }

void lc_plot_bar(lc_plot *p, double x0, double x1, double value, lc_rgb color) {
    if (!(value > p->y_min)) return;
    fill_inside(p, lc_plot_px(p, x0), lc_plot_py(p, value), lc_plot_px(p, x1), p->bottom, color);
}

void lc_plot_bar_label(lc_plot *p, double x, const char *text) {
    lc_canvas_text(&p->canvas, lc_plot_px(p, x) - lc_canvas_text_width(text, SCALE) / 2, p->bottom + TICK + GAP, text,
                   SCALE, 0, lc_plot_black);
}

/* Axis-aligned segments only, so clipping by clamping the ends is exact. */
void lc_plot_steps(lc_plot *p, const double *edges, const double *values, int n, lc_rgb color) {
    int previous = p->bottom;
    for (int i = 0; i < n; i++) {
        int x0 = lc_plot_px(p, edges[i]), x1 = lc_plot_px(p, edges[i + 1]);
        int y = isfinite(values[i]) ? lc_plot_py(p, values[i]) : p->bottom;
        fill_inside(p, x0 - 1, previous, x0, y, color);
        fill_inside(p, x0, y - 1, x1, y, color);
        previous = y;
    }
    if (n > 0) fill_inside(p, lc_plot_px(p, edges[n]) - 1, previous, lc_plot_px(p, edges[n]), p->bottom, color);
}

void lc_plot_legend(lc_plot *p, int n, const char *const *names, const lc_rgb *colors) {
    int text = lc_canvas_text_height(SCALE), widest = 0;
    for (int i = 0; i < n; i++)
        if (lc_canvas_text_width(names[i], SCALE) > widest) widest = lc_canvas_text_width(names[i], SCALE);
    int swatch = text, row = text + GAP;
    int x1 = p->right - GAP, x0 = x1 - (GAP + swatch + GAP + widest + GAP), y0 = p->top + GAP;
    int y1 = y0 + GAP + n * row;
    fill_inside(p, x0, y0, x1, y1, white);
    lc_canvas_fill(&p->canvas, x0, y0, x1, y0, lc_plot_black);
    lc_canvas_fill(&p->canvas, x0, y1, x1, y1, lc_plot_black);
    lc_canvas_fill(&p->canvas, x0, y0, x0, y1, lc_plot_black);
    lc_canvas_fill(&p->canvas, x1, y0, x1, y1, lc_plot_black);
    for (int i = 0; i < n; i++) {
        int y = y0 + GAP + i * row;
        lc_canvas_fill(&p->canvas, x0 + GAP, y, x0 + GAP + swatch - 1, y + swatch - 1, colors[i]);
        lc_canvas_text(&p->canvas, x0 + GAP + swatch + GAP, y, names[i], SCALE, 0, lc_plot_black);
    }
}

void lc_plot_note(lc_plot *p, const char *text) {
    lc_canvas_text(&p->canvas, (p->left + p->right - lc_canvas_text_width(text, SCALE)) / 2,
                   (p->top + p->bottom - lc_canvas_text_height(SCALE)) / 2, text, SCALE, 0, lc_plot_grey);
}

int lc_plot_write_png(const lc_plot *p, const char *path, lc_error *err) {
    return lc_canvas_write_png(&p->canvas, path, err);
}
