/* Minimal test harness: each test program runs its cases, counts failed checks and exits non-zero on any. */
#ifndef LEGOCRYST_TESTS_TEST_H
#define LEGOCRYST_TESTS_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures = 0;
static int test_checks = 0;

#define CHECK(cond)                                                                                              \
    do {                                                                                                         \
        test_checks++;                                                                                           \
        if (!(cond)) {                                                                                           \
            test_failures++;                                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                            \
        }                                                                                                        \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                                     \
    do {                                                                                                         \
        test_checks++;                                                                                           \
        if (!(cond)) {                                                                                           \
            test_failures++;                                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                            \
            fprintf(stderr, __VA_ARGS__);                                                                        \
            fputc('\n', stderr);                                                                                 \
        }                                                                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                    \
    do {                                                                                                         \
        double check_a_ = (a), check_b_ = (b);                                                                   \
        test_checks++;                                                                                           \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                                                             \
            test_failures++;                                                                                     \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.12g, %s = %.12g, tol %g\n", __FILE__, __LINE__, #a, \
                    check_a_, #b, check_b_, (double)(tol));                                                      \
        }                                                                                                        \
    } while (0)

#define RUN_TEST(fn)                                                                                             \
    do {                                                                                                         \
        int before_ = test_failures;                                                                             \
        fn();                                                                                                    \
        printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);                                      \
    } while (0)

static inline int test_summary(void) {
    printf("%d checks, %d failed\n", test_checks, test_failures);
    return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Exit code ctest reads as "skipped" (SKIP_RETURN_CODE), for tests whose input (../shared) is absent. */
enum { TEST_SKIP = 77 };

#endif
