/* Two-dimensional plots on a canvas: title, axis labels, frame with numeric ticks, bars, histogram steps, a
 * legend. Data are drawn inside the frame and clipped to it.
 *
 *   lc_plot p;
 *   lc_plot_begin(&p, 960, 600, &(lc_plot_axes){"title", "x", "y", 0, 10, 0, 5, 1});
 *   lc_plot_bar(&p, 2, 3, 4.5, color);
 *   lc_plot_write_png(&p, "plot.png", &err);
 *   lc_plot_free(&p); */
#ifndef LEGOCRYST_REPORT_PLOT_H
#define LEGOCRYST_REPORT_PLOT_H

#include "canvas.h"
#include "core/error.h"

typedef struct {
    const char *title, *x_label, *y_label;
    double x_min, x_max, y_min, y_max; /* data at the frame's edges; finite, min < max */
    int x_ticks;                       /* 0: no numeric x ticks (bars labelled with lc_plot_bar_label) */
} lc_plot_axes;

typedef struct {
    lc_canvas canvas;
    int left, top, right, bottom; /* the frame, pixel columns and rows */
    double x_min, x_max, y_min, y_max;
} lc_plot;

/* A white canvas with the title, the axis labels, the frame, ticks with their labels and a light grid. */
void lc_plot_begin(lc_plot *p, int width, int height, const lc_plot_axes *axes);
void lc_plot_free(lc_plot *p);
/* Pixel column of data x, pixel row of data y (not clipped). */
int lc_plot_px(const lc_plot *p, double x);
int lc_plot_py(const lc_plot *p, double y);

/* A filled bar over x0 .. x1 from y_min up to value. */
void lc_plot_bar(lc_plot *p, double x0, double x1, double value, lc_rgb color);
/* Text centred under data x, below the frame (a category's name under its bar). */
void lc_plot_bar_label(lc_plot *p, double x, const char *text);
/* A histogram outline: values[i] over edges[i] .. edges[i + 1], i < n, drawn as steps 2 pixels wide. */
void lc_plot_steps(lc_plot *p, const double *edges, const double *values, int n, lc_rgb color);
/* A boxed legend in the top-right corner of the frame: a colour swatch and a name per entry. */
void lc_plot_legend(lc_plot *p, int n, const char *const *names, const lc_rgb *colors);
/* Text centred in the frame (e.g. "no valid candidates"). */
void lc_plot_note(lc_plot *p, const char *text);

int lc_plot_write_png(const lc_plot *p, const char *path, lc_error *err);

/* Colours of the report's figures. */
extern const lc_rgb lc_plot_black, lc_plot_blue, lc_plot_orange, lc_plot_grey;

#endif
