/* An RGB raster to draw plots on: filled rectangles, lines, text in the built-in font, PNG output. Drawing outside
 * the canvas is clipped. */
#ifndef LEGOCRYST_REPORT_CANVAS_H
#define LEGOCRYST_REPORT_CANVAS_H

#include "core/error.h"

typedef struct {
    unsigned char r, g, b;
} lc_rgb;

typedef struct {
    int width, height;
    unsigned char *pixels; /* [height][width][3] RGB, row 0 on top */
} lc_canvas;

/* Allocates a canvas filled with background. */
void lc_canvas_init(lc_canvas *c, int width, int height, lc_rgb background);
void lc_canvas_free(lc_canvas *c);
/* The colour at (x, y); black outside the canvas. */
lc_rgb lc_canvas_get(const lc_canvas *c, int x, int y);
void lc_canvas_set(lc_canvas *c, int x, int y, lc_rgb color);
/* Every pixel with x0 <= x <= x1, y0 <= y <= y1 (corners in any order). */
void lc_canvas_fill(lc_canvas *c, int x0, int y0, int x1, int y1, lc_rgb color);
/* A straight line, thickness pixels wide (square pen centred on the line). */
void lc_canvas_line(lc_canvas *c, int x0, int y0, int x1, int y1, int thickness, lc_rgb color);

/* Text in the built-in 5 x 8 font, each font pixel drawn as scale x scale pixels. Horizontal text has its top-left corner at
 * (x, y); upright text (up != 0) reads bottom to top with its bottom-left corner at (x, y), as a y-axis label. */
void lc_canvas_text(lc_canvas *c, int x, int y, const char *text, int scale, int up, lc_rgb color);
/* Length of text along its baseline, and its height across, in pixels. */
int lc_canvas_text_width(const char *text, int scale);
int lc_canvas_text_height(int scale);

int lc_canvas_write_png(const lc_canvas *c, const char *path, lc_error *err);

#endif
