/* Counter-based random numbers (Philox4x32-10 from Random123).
 *
 * A draw depends only on (seed, stream, index, counter): candidate i of a campaign gets the same numbers on any
 * number of ranks and after a restart. */
#ifndef LEGOCRYST_CORE_RNG_H
#define LEGOCRYST_CORE_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t seed;
    uint32_t stream;
    uint64_t index;
    uint32_t counter;    /* advances with every block of 4 draws */
    uint32_t buffer[4];
    int used;            /* draws taken from buffer */
} lc_rng;

void lc_rng_init(lc_rng *rng, uint64_t seed, uint32_t stream, uint64_t index);
uint32_t lc_rng_u32(lc_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double lc_rng_uniform(lc_rng *rng);
/* Standard normal (Box-Muller). */
double lc_rng_normal(lc_rng *rng);
/* Two independent standard normals from the same draws as one lc_rng_normal (both Box-Muller outputs): *first is
 * the value lc_rng_normal would have returned. Half the cost per number. */
void lc_rng_normal_pair(lc_rng *rng, double *first, double *second);

#endif
