#include "shuffle.h"

#include "core/error.h"

/* Uniform in [0, bound), bound >= 1, without modulo bias (Lemire's multiply-shift with rejection). */
static uint32_t bounded(lc_rng *rng, uint32_t bound) {
    uint64_t m = (uint64_t)lc_rng_u32(rng) * bound;
    uint32_t low = (uint32_t)m;
    if (low < bound) {
        uint32_t threshold = (uint32_t)(-bound) % bound; /* 2^32 mod bound */
        while (low < threshold) {
            m = (uint64_t)lc_rng_u32(rng) * bound;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

void lc_epoch_permutation(long n, uint64_t seed, long epoch, long *perm) {
    if (n < 0 || (uint64_t)n > UINT32_MAX) lc_fatal("lc_epoch_permutation: %ld rows (0 .. 2^32-1 supported)", n);
    if (epoch < 0) lc_fatal("lc_epoch_permutation: negative epoch %ld", epoch);
    lc_rng rng;
    lc_rng_init(&rng, seed, LC_STREAM_SHUFFLE, (uint64_t)epoch);
    for (long i = 0; i < n; i++) perm[i] = i;
    for (long i = n - 1; i > 0; i--) {
        long j = (long)bounded(&rng, (uint32_t)(i + 1));
        long t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

void lc_rng_init_sample(lc_rng *rng, uint64_t seed, uint32_t purpose, long step, long sample) {
    if (step < 0 || sample < 0 || (uint64_t)step > UINT32_MAX || (uint64_t)sample > UINT32_MAX)
        lc_fatal("lc_rng_init_sample: step %ld or sample %ld outside 0 .. 2^32-1", step, sample);
    lc_rng_init(rng, seed, purpose, ((uint64_t)step << 32) | (uint64_t)sample);
}
