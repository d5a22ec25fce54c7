/* Random keys for data-parallel training (docs/training.md): the epoch's data order and the per-sample draws.
 *
 * Every draw comes from Philox (core/rng.h) keyed by the run's seed, a purpose, and counters that do not depend on
 * the number of ranks (epoch; global step and global sample index). So 1 and R ranks see the same batches, noise,
 * dropout masks and Gumbel draws, and a resumed run continues exactly where the interrupted one stood. */
#ifndef LEGOCRYST_CORE_SHUFFLE_H
#define LEGOCRYST_CORE_SHUFFLE_H

#include <stdint.h>

#include "core/rng.h"

/* Philox streams (the 32-bit `stream` of lc_rng) of training; new purposes take new values. */
enum {
    LC_STREAM_SHUFFLE = 0x53485546u, /* "SHUF": epoch permutation, index = epoch */
    LC_STREAM_NOISE = 0x4E4F4953u,   /* "NOIS": latent / reparameterisation noise */
    LC_STREAM_DROPOUT = 0x44524F50u, /* "DROP": dropout masks */
    LC_STREAM_GUMBEL = 0x47554D42u,  /* "GUMB": Gumbel-softmax draws */
};

/* perm[0 .. n-1] = a uniformly random permutation of 0 .. n-1 (Fisher-Yates with unbiased bounded draws), a
 * function of (seed, epoch) only. n must be below 2^32. */
void lc_epoch_permutation(long n, uint64_t seed, long epoch, long *perm);

/* The generator for one training sample's draws of one purpose: keyed by (seed, purpose, step, sample), where
 * step is the global optimiser step and sample the row's position in the global batch (not in the rank's slice),
 * so the draws do not depend on which rank holds the sample. step and sample must be below 2^32. */
void lc_rng_init_sample(lc_rng *rng, uint64_t seed, uint32_t purpose, long step, long sample);

#endif
