/* Messages and progress for people and batch systems.
 *
 * Text mode prints readable lines to stderr; quiet mode prints nothing but errors; JSON mode prints one JSON object
 * per line (for log collectors on clusters). Only the process configured as the printer (rank 0) prints. */
#ifndef LEGOCRYST_CORE_LOG_H
#define LEGOCRYST_CORE_LOG_H

typedef enum { LC_LOG_TEXT, LC_LOG_QUIET, LC_LOG_JSON } lc_log_mode;

void lc_log_configure(lc_log_mode mode, int is_printer);
lc_log_mode lc_log_get_mode(void);

/* An informational line: text "legocryst: EVENT: message"; JSON {"event": EVENT, "message": "..."}. */
void lc_log_info(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Seconds on a monotonic clock. */
double lc_log_seconds(void);

typedef struct {
    const char *what; /* e.g. "augment" */
    const char *unit; /* e.g. "sources" */
    long total;
    long done;
    double start;
    double last_print;
} lc_progress;

void lc_progress_start(lc_progress *p, const char *what, const char *unit, long total);
/* Reports at most every 2 seconds: done/total, percent, rate and estimated time left. */
void lc_progress_update(lc_progress *p, long done);
/* Final line with the total time and rate. */
void lc_progress_finish(lc_progress *p);

#endif
