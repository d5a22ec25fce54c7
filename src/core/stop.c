#define _POSIX_C_SOURCE 200809L
#include "stop.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t lc_stop_cancel = 0;
static volatile sig_atomic_t stop_requested = 0;
static unsigned cancel_after_seconds = 1;

static void on_alarm(int signal_number) {
    (void)signal_number;
    lc_stop_cancel = 1;
}

static void on_stop(int signal_number) {
    (void)signal_number;
    if (!stop_requested) alarm(cancel_after_seconds); /* async-signal-safe */
    stop_requested = 1;
}

static void set_handler(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
}

void lc_stop_install(double grace_seconds) {
    double half = grace_seconds / 2;
    cancel_after_seconds = half < 1 ? 1 : (unsigned)half;
    stop_requested = 0;
    lc_stop_cancel = 0;
    set_handler(SIGALRM, on_alarm);
    set_handler(SIGTERM, on_stop);
    set_handler(SIGINT, on_stop);
}

void lc_stop_uninstall(void) {
    alarm(0);
    set_handler(SIGALRM, SIG_DFL);
    set_handler(SIGTERM, SIG_DFL);
    set_handler(SIGINT, SIG_DFL);
}

int lc_stop_requested(void) { return stop_requested != 0; }
