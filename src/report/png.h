/* PNG encoder: 8-bit RGB, no interlace, compressed with zlib (DEFLATE and CRC-32 from the library). */
#ifndef LEGOCRYST_REPORT_PNG_H
#define LEGOCRYST_REPORT_PNG_H

#include "core/error.h"

enum { LC_PNG_MAX_SIDE = 16384 };

/* Writes rgb ([height][width][3], row 0 on top) as PATH.partial, renamed to PATH when complete. Returns -1 with
 * err set when a side is outside 1..LC_PNG_MAX_SIDE or the file cannot be written. */
int lc_png_write(const char *path, int width, int height, const unsigned char *rgb, lc_error *err);

#endif
