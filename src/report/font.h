/* A built-in bitmap font (printable ASCII), so that plots need no font library: glyphs of 5 x 8 pixels, 7 rows
 * down to the baseline and one descender row (g, j, p, q, y, comma). */
#ifndef LEGOCRYST_REPORT_FONT_H
#define LEGOCRYST_REPORT_FONT_H

enum {
    LC_FONT_WIDTH = 5,   /* glyph pixels */
    LC_FONT_HEIGHT = 8,
    LC_FONT_ADVANCE = 6, /* pen step per character: one blank column */
};

/* The glyph of c as 8 rows of 5 characters ('#' set, '.' clear) separated by spaces; '?' for characters outside
 * printable ASCII. */
const char *lc_font_glyph(char c);
/* 1 when pixel (row, column) of c's glyph is set (row 0 on top). */
int lc_font_pixel(char c, int row, int column);

#endif
