#include "canvas.h"

#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "png.h"

void lc_canvas_init(lc_canvas *c, int width, int height, lc_rgb background) {
    if (width < 1 || height < 1 || width > LC_PNG_MAX_SIDE || height > LC_PNG_MAX_SIDE)
        lc_fatal("canvas of %d x %d pixels", width, height);
    c->width = width, c->height = height;
    c->pixels = lc_malloc(3 * (size_t)width * (size_t)height);
    for (size_t i = 0; i < (size_t)width * (size_t)height; i++)
        c->pixels[3 * i] = background.r, c->pixels[3 * i + 1] = background.g, c->pixels[3 * i + 2] = background.b;
}

void lc_canvas_free(lc_canvas *c) {
    free(c->pixels);
    c->pixels = NULL;
    c->width = c->height = 0;
}

lc_rgb lc_canvas_get(const lc_canvas *c, int x, int y) {
    if (x < 0 || y < 0 || x >= c->width || y >= c->height) return (lc_rgb){0, 0, 0};
    const unsigned char *p = c->pixels + 3 * ((size_t)y * (size_t)c->width + (size_t)x);
    return (lc_rgb){p[0], p[1], p[2]};
}

void lc_canvas_set(lc_canvas *c, int x, int y, lc_rgb color) {
    if (x < 0 || y < 0 || x >= c->width || y >= c->height) return;
    unsigned char *p = c->pixels + 3 * ((size_t)y * (size_t)c->width + (size_t)x);
    p[0] = color.r, p[1] = color.g, p[2] = color.b;
}

void lc_canvas_fill(lc_canvas *c, int x0, int y0, int x1, int y1, lc_rgb color) {
    if (x0 > x1) { int t = x0; x0 = x1; x1 = t; }
    if (y0 > y1) { int t = y0; y0 = y1; y1 = t; }
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 >= c->width) x1 = c->width - 1;
    if (y1 >= c->height) y1 = c->height - 1;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) lc_canvas_set(c, x, y, color);
}

/* Bresenham over the integer grid; each point is a square pen. */
void lc_canvas_line(lc_canvas *c, int x0, int y0, int x1, int y1, int thickness, lc_rgb color) {
    int below = (thickness - 1) / 2, above = thickness - 1 - below;
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy;
    for (;;) {
        lc_canvas_fill(c, x0 - below, y0 - below, x0 + above, y0 + above, color);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) e += dy, x0 += sx;
        if (e2 <= dx) e += dx, y0 += sy;
    }
}

void lc_canvas_text(lc_canvas *c, int x, int y, const char *text, int scale, int up, lc_rgb color) {
    for (int k = 0; text[k]; k++)
        for (int row = 0; row < LC_FONT_HEIGHT; row++)
            for (int col = 0; col < LC_FONT_WIDTH; col++) {
                if (!lc_font_pixel(text[k], row, col)) continue;
                int along = (k * LC_FONT_ADVANCE + col) * scale, across = row * scale;
                /* upright: the glyph's top faces left, its left edge at the bottom */
                int px = up ? x + across : x + along, py = up ? y - along - scale + 1 : y + across;
                lc_canvas_fill(c, px, py, px + scale - 1, py + scale - 1, color);
            }
}

int lc_canvas_text_width(const char *text, int scale) {
    int n = (int)strlen(text);
    return n > 0 ? (n * LC_FONT_ADVANCE - 1) * scale : 0;
}

int lc_canvas_text_height(int scale) { return LC_FONT_HEIGHT * scale; }

int lc_canvas_write_png(const lc_canvas *c, const char *path, lc_error *err) {
    return lc_png_write(path, c->width, c->height, c->pixels, err);
}
