/* The raster side of the report: the built-in font's table, canvas primitives (clipping, lines, horizontal and
 * upright text), and a plot's frame, bars, steps and legend at the pixels they should cover.
 * usage: test_report_plot DIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report/canvas.h"
#include "report/font.h"
#include "report/plot.h"
#include "test.h"

static char folder[512];
static const lc_rgb white = {255, 255, 255}, red = {255, 0, 0};

static int same(lc_rgb a, lc_rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

static void test_font(void) {
    int bad = 0;
    for (int c = 32; c < 127; c++) {
        const char *g = lc_font_glyph((char)c);
        bad += g == NULL || strlen(g) != LC_FONT_HEIGHT * (LC_FONT_WIDTH + 1) - 1;
        for (int k = 0; g && g[k]; k++) bad += (k + 1) % (LC_FONT_WIDTH + 1) == 0 ? g[k] != ' ' : !strchr(".#", g[k]);
    }
    CHECK_MSG(bad == 0, "%d malformed glyph characters", bad);
    CHECK(lc_font_glyph('\n') == lc_font_glyph('?') && lc_font_glyph((char)200) == lc_font_glyph('?'));
    int lit = 0;
    for (int r = 0; r < LC_FONT_HEIGHT; r++)
        for (int c = 0; c < LC_FONT_WIDTH; c++) lit += lc_font_pixel(' ', r, c);
    CHECK(lit == 0);
    /* 'L': the left column and the bottom row above the descender */
    CHECK(lc_font_pixel('L', 0, 0) && lc_font_pixel('L', 6, 0) && lc_font_pixel('L', 6, 4) && !lc_font_pixel('L', 0, 4));
    CHECK(!lc_font_pixel('L', 7, 0) && lc_font_pixel('p', 7, 0)); /* p descends, L does not */
    CHECK(!lc_font_pixel('L', -1, 0) && !lc_font_pixel('L', 0, LC_FONT_WIDTH));
}

static void test_canvas(void) {
    lc_canvas c;
    lc_canvas_init(&c, 40, 50, white);
    CHECK(c.width == 40 && c.height == 50 && same(lc_canvas_get(&c, 39, 49), white));
    lc_canvas_fill(&c, 45, 60, 30, 40, red); /* corners reversed, clipped to the canvas */
    CHECK(same(lc_canvas_get(&c, 30, 40), red) && same(lc_canvas_get(&c, 39, 49), red));
    CHECK(same(lc_canvas_get(&c, 29, 40), white) && same(lc_canvas_get(&c, 30, 39), white));
    CHECK(same(lc_canvas_get(&c, 40, 0), (lc_rgb){0, 0, 0})); /* outside reads black */
    lc_canvas_set(&c, -1, 3, red);                            /* ignored */
    lc_canvas_line(&c, 0, 0, 9, 3, 1, red);
    CHECK(same(lc_canvas_get(&c, 0, 0), red) && same(lc_canvas_get(&c, 9, 3), red));
    CHECK(same(lc_canvas_get(&c, 0, 3), white));
    lc_canvas_line(&c, 5, 20, 5, 25, 3, red); /* 3 wide: columns 4..6 */
    CHECK(same(lc_canvas_get(&c, 4, 22), red) && same(lc_canvas_get(&c, 6, 22), red));
    CHECK(same(lc_canvas_get(&c, 3, 22), white) && same(lc_canvas_get(&c, 7, 22), white));
    lc_canvas_free(&c);

    /* text: "L" at scale 2 from (10, 10); upright "L" from (20, 45) reads upwards, its top facing left */
    lc_canvas_init(&c, 40, 50, white);
    lc_canvas_text(&c, 10, 10, "L", 2, 0, red);
    CHECK(same(lc_canvas_get(&c, 10, 10), red) && same(lc_canvas_get(&c, 11, 23), red)); /* column 0, rows 0-6 */
    CHECK(same(lc_canvas_get(&c, 19, 23), red) && same(lc_canvas_get(&c, 19, 10), white));
    lc_canvas_text(&c, 20, 45, "L", 1, 1, red);
    CHECK(same(lc_canvas_get(&c, 20, 45), red) && same(lc_canvas_get(&c, 26, 45), red)); /* glyph column 0 */
    CHECK(same(lc_canvas_get(&c, 26, 41), red) && same(lc_canvas_get(&c, 20, 41), white)); /* row 6 / row 0 */
    CHECK(lc_canvas_text_width("abc", 2) == 34 && lc_canvas_text_width("", 2) == 0);
    CHECK(lc_canvas_text_height(3) == 3 * LC_FONT_HEIGHT);
    lc_canvas_free(&c);
}

static void test_plot(void) {
    lc_plot p;
    lc_plot_begin(&p, 640, 400, &(lc_plot_axes){"title", "x", "count", 0, 10, 0, 5, 1});
    const lc_rgb black = lc_plot_black;
    CHECK(p.left > 0 && p.right < 639 && p.top > 0 && p.bottom < 399 && p.left < p.right && p.top < p.bottom);
    CHECK(lc_plot_px(&p, 0) == p.left && lc_plot_px(&p, 10) == p.right);
    CHECK(lc_plot_py(&p, 0) == p.bottom && lc_plot_py(&p, 5) == p.top);
    CHECK(same(lc_canvas_get(&p.canvas, p.left, (p.top + p.bottom) / 2), black));
    CHECK(same(lc_canvas_get(&p.canvas, (p.left + p.right) / 2, p.bottom), black));
    /* a bar over x 2..4 up to 2.5, and one taller than the axis: clipped inside the frame */
    lc_plot_bar(&p, 2, 4, 2.5, red);
    int mid = lc_plot_px(&p, 3);
    CHECK(same(lc_canvas_get(&p.canvas, mid, lc_plot_py(&p, 2.4)), red));
    CHECK(same(lc_canvas_get(&p.canvas, mid, lc_plot_py(&p, 2.6)), white));
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 1.9), lc_plot_py(&p, 1.1)), white));
    lc_plot_bar(&p, 6, 7, 99, red);
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 6.5), p.top + 1), red));
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 6.5), p.top), black));
    /* steps: level 4 over 8..9 */
    double edges[3] = {8, 9, 10}, values[2] = {4, 1};
    lc_plot_steps(&p, edges, values, 2, lc_plot_blue);
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 8.5), lc_plot_py(&p, 4)), lc_plot_blue));
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 9.5), lc_plot_py(&p, 1)), lc_plot_blue));
    CHECK(same(lc_canvas_get(&p.canvas, lc_plot_px(&p, 8.5), lc_plot_py(&p, 3.5)), white));
    /* the legend's swatch is its colour, inside the top-right corner */
    lc_plot_legend(&p, 1, (const char *const[]){"series"}, (const lc_rgb[]){lc_plot_orange});
    int swatch = 0;
    for (int y = p.top; y < p.top + 40; y++)
        for (int x = p.right - 200; x < p.right; x++) swatch += same(lc_canvas_get(&p.canvas, x, y), lc_plot_orange);
    CHECK_MSG(swatch >= 100, "%d legend swatch pixels", swatch);
    char path[600];
    snprintf(path, sizeof path, "%s/plot.png", folder);
    lc_error err;
    CHECK(lc_plot_write_png(&p, path, &err) == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 100);
    lc_plot_free(&p);
}

int main(int argc, char **argv) {
    snprintf(folder, sizeof folder, "%s", argc > 1 ? argv[1] : "test_report_plot");
    if (mkdir(folder, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", folder, strerror(errno));
        return 1;
    }
    RUN_TEST(test_font);
    RUN_TEST(test_canvas);
    RUN_TEST(test_plot);
    return test_summary();
}
