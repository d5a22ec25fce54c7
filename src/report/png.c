/* One IHDR, one IDAT holding the whole zlib stream, IEND (PNG specification, 2nd edition). Every scanline uses
 * filter 0 (none): the plots are flat colours that DEFLATE packs well without prediction. */
#include "png.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put_u32(unsigned char *p, unsigned long v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Length, type, data, CRC-32 of type + data. Returns 0, or -1 on a write error. */
static int write_chunk(FILE *f, const char type[4], const unsigned char *data, size_t size) {
    unsigned char header[8], crc_bytes[4];
    put_u32(header, (unsigned long)size);
    memcpy(header + 4, type, 4);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (size > 0) crc = crc32(crc, data, (uInt)size);
    put_u32(crc_bytes, crc);
    if (fwrite(header, 1, 8, f) != 8) return -1;
    if (size > 0 && fwrite(data, 1, size, f) != size) return -1;
    return fwrite(crc_bytes, 1, 4, f) == 4 ? 0 : -1;
}

int lc_png_write(const char *path, int width, int height, const unsigned char *rgb, lc_error *err) {
    if (width < 1 || height < 1 || width > LC_PNG_MAX_SIDE || height > LC_PNG_MAX_SIDE)
        return lc_error_set(err, path, 0, "cannot write a %d x %d image (sides 1..%d)", width, height,
                            LC_PNG_MAX_SIDE);
    /* scanlines with their filter byte, then DEFLATE */
    size_t stride = 3 * (size_t)width + 1, raw_size = stride * (size_t)height;
    unsigned char *raw = lc_malloc(raw_size);
    for (int y = 0; y < height; y++) {
        raw[y * stride] = 0;
        memcpy(raw + y * stride + 1, rgb + (size_t)y * 3 * (size_t)width, 3 * (size_t)width);
    }
    uLongf packed_size = compressBound((uLong)raw_size);
    unsigned char *packed = lc_malloc(packed_size);
    int z = compress2(packed, &packed_size, raw, (uLong)raw_size, Z_BEST_COMPRESSION);
    free(raw);
    if (z != Z_OK) {
        free(packed);
        lc_fatal("zlib compress2 failed (%d) on a %d x %d image", z, width, height);
    }

    unsigned char header[13];
    put_u32(header, (unsigned long)width);
    put_u32(header + 4, (unsigned long)height);
    header[8] = 8;  /* bits per sample */
    header[9] = 2;  /* colour type: RGB */
    header[10] = 0; /* compression: DEFLATE */
    header[11] = 0; /* filter method */
    header[12] = 0; /* no interlace */
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    size_t length = strlen(path) + sizeof ".partial";
    char *partial = lc_malloc(length);
    snprintf(partial, length, "%s.partial", path);
    int status = 0;
    FILE *f = fopen(partial, "wb");
    if (!f) {
        status = lc_error_set(err, path, 0, "cannot create %s: %s", partial, strerror(errno));
    } else {
        int bad = fwrite(signature, 1, 8, f) != 8 || write_chunk(f, "IHDR", header, sizeof header) != 0 ||
                  write_chunk(f, "IDAT", packed, packed_size) != 0 || write_chunk(f, "IEND", NULL, 0) != 0;
        int e = errno;
        if (fclose(f) != 0 && !bad) bad = 1, e = errno;
        if (bad) status = lc_error_set(err, path, 0, "writing %s failed: %s", partial, strerror(e));
        else if (rename(partial, path) != 0)
            status = lc_error_set(err, path, 0, "cannot rename %s: %s", partial, strerror(errno));
        if (status) remove(partial);
    }
    free(partial);
    free(packed);
    return status;
}
