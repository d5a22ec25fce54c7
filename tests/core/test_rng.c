/* Counter-based random numbers (src/core/rng.h): keyed reproducibility, and the Box-Muller pair: its first value is
 * lc_rng_normal's, both are standard normal and uncorrelated. */
#include <string.h>

#include "core/rng.h"
#include "test.h"

static void test_keyed(void) {
    lc_rng a, b, c;
    lc_rng_init(&a, 5, 2, 77);
    lc_rng_init(&b, 5, 2, 77);
    lc_rng_init(&c, 5, 2, 78);
    int same = 1, differ = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t x = lc_rng_u32(&a), y = lc_rng_u32(&b), z = lc_rng_u32(&c);
        same &= x == y;
        differ += x != z;
    }
    CHECK(same);
    CHECK(differ > 95);
}

static void test_normal_pair(void) {
    lc_rng single, paired;
    lc_rng_init(&single, 9, 1, 3);
    lc_rng_init(&paired, 9, 1, 3);
    int first_matches = 1;
    enum { PAIRS = 200000 };
    double sum[2] = {0}, sum2[2] = {0}, cross = 0, sum4 = 0;
    for (int i = 0; i < PAIRS; i++) {
        double x, y;
        lc_rng_normal_pair(&paired, &x, &y);
        first_matches &= x == lc_rng_normal(&single);
        sum[0] += x, sum[1] += y;
        sum2[0] += x * x, sum2[1] += y * y;
        cross += x * y;
        sum4 += y * y * y * y;
    }
    CHECK(first_matches);
    for (int k = 0; k < 2; k++) {
        CHECK_NEAR(sum[k] / PAIRS, 0.0, 0.01);   /* standard error 0.0022 */
        CHECK_NEAR(sum2[k] / PAIRS, 1.0, 0.015); /* standard error 0.0032 */
    }
    CHECK_NEAR(cross / PAIRS, 0.0, 0.01);
    CHECK_NEAR(sum4 / PAIRS, 3.0, 0.1); /* a normal's fourth moment; standard error 0.02 */
}

int main(void) {
    RUN_TEST(test_keyed);
    RUN_TEST(test_normal_pair);
    return test_summary();
}
