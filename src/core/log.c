#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static lc_log_mode log_mode = LC_LOG_TEXT;
static int log_printer = 1;

void lc_log_configure(lc_log_mode mode, int is_printer) {
    log_mode = mode;
    log_printer = is_printer;
}

lc_log_mode lc_log_get_mode(void) { return log_mode; }

double lc_log_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void print_json_text(const char *text) {
    fputc('"', stderr);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(stderr, "\\%c", *c);
        else if (*c < 0x20) fprintf(stderr, "\\u%04x", *c);
        else fputc(*c, stderr);
    }
    fputc('"', stderr);
}

void lc_log_info(const char *event, const char *fmt, ...) {
    if (!log_printer || log_mode == LC_LOG_QUIET) return;
    char message[2048];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (log_mode == LC_LOG_JSON) {
        fprintf(stderr, "{\"event\": ");
        print_json_text(event);
        fprintf(stderr, ", \"message\": ");
        print_json_text(message);
        fprintf(stderr, "}\n");
    } else {
        fprintf(stderr, "legocryst: %s: %s\n", event, message);
    }
    fflush(stderr);
}

void lc_progress_start(lc_progress *p, const char *what, const char *unit, long total) {
    p->what = what;
    p->unit = unit;
    p->total = total;
    p->done = 0;
    p->start = p->last_print = lc_log_seconds();
}

static void progress_print(const lc_progress *p, double now, int final) {
    if (!log_printer || log_mode == LC_LOG_QUIET) return;
    double elapsed = now - p->start;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0.0;
    double left = rate > 0 ? (double)(p->total - p->done) / rate : 0.0;
    double percent = p->total > 0 ? 100.0 * (double)p->done / (double)p->total : 100.0;
    if (log_mode == LC_LOG_JSON) {
        fprintf(stderr,
                "{\"event\": \"progress\", \"what\": \"%s\", \"done\": %ld, \"total\": %ld, \"rate\": %.4g, "
                "\"elapsed_s\": %.3f, \"eta_s\": %.3f, \"final\": %s}\n",
                p->what, p->done, p->total, rate, elapsed, final ? 0.0 : left, final ? "true" : "false");
    } else if (final) {
        fprintf(stderr, "legocryst: %s: %ld %s in %.1f s (%.3g %s/s)\n", p->what, p->done, p->unit, elapsed, rate,
                p->unit);
    } else {
        fprintf(stderr, "legocryst: %s: %ld/%ld %s (%.0f%%), %.3g %s/s, ETA %.0f s\n", p->what, p->done, p->total,
                p->unit, percent, rate, p->unit, left);
    }
    fflush(stderr);
}

void lc_progress_update(lc_progress *p, long done) {
    p->done = done;
    double now = lc_log_seconds();
    if (now - p->last_print < 2.0) return;
    p->last_print = now;
    progress_print(p, now, 0);
}

void lc_progress_finish(lc_progress *p) { progress_print(p, lc_log_seconds(), 1); }
