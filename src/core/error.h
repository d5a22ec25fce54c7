/* Error reporting shared by every module.
 *
 * Library code never exits: a function that can fail on user input fills an lc_error and returns a negative
 * value, so the CLI, tests and fuzz targets decide what to do. The CLI prints `legocryst: error: MESSAGE` and
 * exits with LC_EXIT_USER. Internal failures (out of memory, broken invariants) abort through lc_fatal with the
 * source file and line, exit status LC_EXIT_INTERNAL. */
#ifndef LEGOCRYST_CORE_ERROR_H
#define LEGOCRYST_CORE_ERROR_H

#include <stddef.h>

/* LC_EXIT_STOPPED: a run stopped by SIGTERM/SIGINT after saving its work (a campaign resumes with --resume). */
enum { LC_EXIT_OK = 0, LC_EXIT_INTERNAL = 1, LC_EXIT_USER = 2, LC_EXIT_STOPPED = 3 };

typedef struct {
    char message[1024]; /* "FILE:LINE: what is wrong" (or "FILE: what" when no line applies) */
} lc_error;

/* Formats "where:line: what" into err (err may be NULL). line <= 0 omits the line. Always returns -1. */
int lc_error_set(lc_error *err, const char *where, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints "legocryst: error: MESSAGE" to stderr. */
void lc_error_print(const lc_error *err);

/* Internal failure: prints "legocryst: internal error at SRC:LINE: what" and exits LC_EXIT_INTERNAL. */
_Noreturn void lc_fatal_at(const char *src_file, int src_line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define lc_fatal(...) lc_fatal_at(__FILE__, __LINE__, __VA_ARGS__)

/* Allocation that never returns NULL (n == 0 allocates one byte so the result is always freeable). */
void *lc_malloc_at(size_t size, const char *src_file, int src_line);
void *lc_calloc_at(size_t count, size_t size, const char *src_file, int src_line);
void *lc_realloc_at(void *ptr, size_t size, const char *src_file, int src_line);
#define lc_malloc(size) lc_malloc_at((size), __FILE__, __LINE__)
#define lc_calloc(count, size) lc_calloc_at((count), (size), __FILE__, __LINE__)
#define lc_realloc(ptr, size) lc_realloc_at((ptr), (size), __FILE__, __LINE__)

#endif
