#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int lc_error_set(lc_error *err, const char *where, long line, const char *fmt, ...) {
    if (!err) return -1;
    int used = line > 0 ? snprintf(err->message, sizeof err->message, "%s:%ld: ", where, line)
                        : snprintf(err->message, sizeof err->message, "%s: ", where);
    if (used < 0 || (size_t)used >= sizeof err->message) return -1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message + used, sizeof err->message - (size_t)used, fmt, args);
    va_end(args);
    return -1;
}

void lc_error_print(const lc_error *err) { fprintf(stderr, "legocryst: error: %s\n", err->message); }

void lc_fatal_at(const char *src_file, int src_line, const char *fmt, ...) {
    fprintf(stderr, "legocryst: internal error at %s:%d: ", src_file, src_line);
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    exit(LC_EXIT_INTERNAL);
}

void *lc_malloc_at(size_t size, const char *src_file, int src_line) {
    void *ptr = malloc(size ? size : 1);
    if (!ptr) lc_fatal_at(src_file, src_line, "out of memory allocating %zu bytes", size);
    return ptr;
}

void *lc_calloc_at(size_t count, size_t size, const char *src_file, int src_line) {
    void *ptr = calloc(count ? count : 1, size ? size : 1);
    if (!ptr) lc_fatal_at(src_file, src_line, "out of memory allocating %zu x %zu bytes", count, size);
    return ptr;
}

void *lc_realloc_at(void *ptr, size_t size, const char *src_file, int src_line) {
    void *grown = realloc(ptr, size ? size : 1);
    if (!grown) lc_fatal_at(src_file, src_line, "out of memory reallocating %zu bytes", size);
    return grown;
}
