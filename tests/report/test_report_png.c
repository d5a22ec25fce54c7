/* lc_png_write: an image written, then read back by hand (signature, chunk order and CRCs, IHDR, the zlib stream
 * inflated) gives the same pixels; bad sizes and paths are refused and leave no file. usage: test_report_png DIR */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "report/png.h"
#include "test.h"

static char folder[512];

static unsigned long get_u32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned char *read_all(const char *path, long *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    rewind(f);
    unsigned char *data = malloc((size_t)*size);
    if (fread(data, 1, (size_t)*size, f) != (size_t)*size) *size = 0;
    fclose(f);
    return data;
}

static void test_round_trip(void) {
    enum { W = 37, H = 11 };
    unsigned char rgb[H][W][3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            rgb[y][x][0] = (unsigned char)(7 * x), rgb[y][x][1] = (unsigned char)(23 * y),
            rgb[y][x][2] = (unsigned char)(x * y);
    char path[600], partial[620];
    snprintf(path, sizeof path, "%s/round_trip.png", folder);
    snprintf(partial, sizeof partial, "%s.partial", path);
    remove(path);
    lc_error err;
    CHECK(lc_png_write(path, W, H, &rgb[0][0][0], &err) == 0);
    struct stat st;
    CHECK(stat(partial, &st) != 0);
    long size = 0;
    unsigned char *png = read_all(path, &size);
    CHECK(png != NULL && size > 8 + 25 + 12 + 12);
    if (!png || size <= 8 + 25 + 12 + 12) return;
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    CHECK(memcmp(png, signature, 8) == 0);

    /* chunks: IHDR first, IDAT(s), IEND last; every CRC covers type and data */
    unsigned char *idat = NULL;
    size_t idat_size = 0;
    int n_chunks = 0, saw_end = 0;
    long at = 8;
    while (at + 12 <= size && !saw_end) {
        unsigned long length = get_u32(png + at);
        if (at + 12 + (long)length > size) break;
        const unsigned char *type = png + at + 4, *data = png + at + 8;
        unsigned long crc = crc32(crc32(0L, type, 4), data, (uInt)length);
        CHECK_MSG(crc == get_u32(data + length), "chunk %.4s: CRC %08lx, stored %08lx", (const char *)type, crc,
                  get_u32(data + length));
        if (n_chunks == 0) {
            CHECK(memcmp(type, "IHDR", 4) == 0 && length == 13);
            CHECK(get_u32(data) == W && get_u32(data + 4) == H);
            CHECK(data[8] == 8 && data[9] == 2 && data[10] == 0 && data[11] == 0 && data[12] == 0);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            idat = realloc(idat, idat_size + length);
            memcpy(idat + idat_size, data, length);
            idat_size += length;
        } else {
            CHECK(memcmp(type, "IEND", 4) == 0 && length == 0);
            saw_end = 1;
        }
        n_chunks++;
        at += 12 + (long)length;
    }
    CHECK(saw_end && at == size);
    CHECK(n_chunks >= 3);

    /* the zlib stream inflates to H scanlines of a filter byte and W RGB pixels */
    uLongf raw_size = H * (1 + 3 * W) + 16; /* room to notice extra bytes */
    unsigned char *raw = malloc(raw_size);
    CHECK(idat && uncompress(raw, &raw_size, idat, (uLong)idat_size) == Z_OK);
    CHECK(raw_size == H * (1 + 3 * W));
    int wrong = 0;
    for (int y = 0; y < H && raw_size == H * (1 + 3 * W); y++) {
        const unsigned char *line = raw + y * (1 + 3 * W);
        wrong += line[0] != 0;
        wrong += memcmp(line + 1, rgb[y], 3 * W) != 0;
    }
    CHECK_MSG(wrong == 0, "%d scanlines differ", wrong);
    const unsigned char *pixel = raw + 5 * (1 + 3 * W) + 1 + 3 * 30; /* (x 30, y 5) */
    CHECK(pixel[0] == 210 && pixel[1] == 115 && pixel[2] == 150);
    free(raw);
    free(idat);
    free(png);
}

static void test_refused(void) {
    unsigned char rgb[3] = {1, 2, 3};
    char path[600];
    lc_error err;
    snprintf(path, sizeof path, "%s/bad.png", folder);
    CHECK(lc_png_write(path, 0, 1, rgb, &err) == -1);
    CHECK(lc_png_write(path, 1, LC_PNG_MAX_SIDE + 1, rgb, &err) == -1);
    struct stat st;
    CHECK(stat(path, &st) != 0);
    snprintf(path, sizeof path, "%s/no/such/folder/x.png", folder);
    CHECK(lc_png_write(path, 1, 1, rgb, &err) == -1);
    CHECK(strstr(err.message, "cannot create") != NULL);
    snprintf(path, sizeof path, "%s/one.png", folder);
    CHECK(lc_png_write(path, 1, 1, rgb, &err) == 0); /* the smallest image */
}

int main(int argc, char **argv) {
    snprintf(folder, sizeof folder, "%s", argc > 1 ? argv[1] : "test_report_png");
    if (mkdir(folder, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot create %s: %s\n", folder, strerror(errno));
        return EXIT_FAILURE;
    }
    RUN_TEST(test_round_trip);
    RUN_TEST(test_refused);
    return test_summary();
}
