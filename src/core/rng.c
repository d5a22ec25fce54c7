#include "rng.h"

#include <Random123/philox.h>
#include <math.h>

void lc_rng_init(lc_rng *rng, uint64_t seed, uint32_t stream, uint64_t index) {
    rng->seed = seed;
    rng->stream = stream;
    rng->index = index;
    rng->counter = 0;
    rng->used = 4;
}

static void refill(lc_rng *rng) {
    /* key = seed; counter = (block, stream, index low, index high) */
    philox4x32_key_t key = {{(uint32_t)rng->seed, (uint32_t)(rng->seed >> 32)}};
    philox4x32_ctr_t ctr = {{rng->counter, rng->stream, (uint32_t)rng->index, (uint32_t)(rng->index >> 32)}};
    philox4x32_ctr_t out = philox4x32(ctr, key);
    for (int k = 0; k < 4; k++) rng->buffer[k] = out.v[k];
    rng->counter++;
    rng->used = 0;
}

uint32_t lc_rng_u32(lc_rng *rng) {
    if (rng->used == 4) refill(rng);
    return rng->buffer[rng->used++];
}

double lc_rng_uniform(lc_rng *rng) {
    uint64_t hi = lc_rng_u32(rng) >> 5; /* 27 bits */
    uint64_t lo = lc_rng_u32(rng) >> 6; /* 26 bits */
    return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

double lc_rng_normal(lc_rng *rng) {
    double u1 = lc_rng_uniform(rng);
    double u2 = lc_rng_uniform(rng);
    return sqrt(-2.0 * log1p(-u1)) * cos(6.283185307179586 * u2);
}

void lc_rng_normal_pair(lc_rng *rng, double *first, double *second) {
    double u1 = lc_rng_uniform(rng);
    double u2 = lc_rng_uniform(rng);
    double r = sqrt(-2.0 * log1p(-u1)), angle = 6.283185307179586 * u2;
    *first = r * cos(angle);
    *second = r * sin(angle);
}
