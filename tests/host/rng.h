// A small, fast, reproducible random number generator (xorshift64*), seeded with
// splitmix64 so that any seed, 0 included, gives a good stream.
#ifndef _TESTS_HOST_RNG_H_
#define _TESTS_HOST_RNG_H_

#include <stdint.h>

struct rng {
  uint64_t s;
};

static inline void
rng_seed(struct rng *r, uint64_t seed)
{
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  r->s = (z ^ (z >> 31)) | 1;
}

static inline uint64_t
rng_next(struct rng *r)
{
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545f4914f6cdd1dULL;
}

// Uniform in [0, n), n > 0.
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
  return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

#endif
