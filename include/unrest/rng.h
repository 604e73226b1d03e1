/*
 * rng.h: the random streams of a run, one GSL generator per (replication, subsystem).
 *
 * Model. A run has a 64-bit master seed. Replication k of the run gets a replication
 * seed, a hash of (master seed, k); each subsystem of the model (agents, security,
 * government, internet, elite, CSTO) gets a stream seed, a hash of (replication seed,
 * stream id); the stream seed alone determines the generator's whole state. Hence:
 *   - replication k of every sweep point sees the same numbers (the replication seed
 *     does not depend on the point: common random numbers);
 *   - a subsystem that draws more, less or nothing at all does not shift the numbers
 *     of another, since each has its own generator;
 *   - a replication is reproduced from its replication seed alone, and a stream from
 *     its stream seed alone (ur_rng_set_create, ur_rng_create), as printed by
 *     ur_rng_seed_format.
 *
 * Generator. Every stream is GSL's mt19937 (period 2^19937 - 1), but its 624-word
 * state is filled from the 64-bit stream seed, not set by gsl_rng_set(), which keeps
 * only the low 32 bits of a seed: with 32-bit seeds two of 10^5 streams share a seed
 * with probability 0.69 (birthday bound), with 64-bit seeds 3e-10. docs/rng.md gives
 * the measurements behind this choice. Callers draw with the ordinary gsl_rng and
 * gsl_ran functions on the gsl_rng pointers this module hands out.
 *
 * Invariants. Stream ids and the hash are part of the reproducibility contract: a
 * stream's number never changes and a new stream takes a new number, so results of
 * earlier versions stay reproducible. For any fixed two of (master seed, replication,
 * stream), distinct values of the third give distinct stream seeds (each step of the
 * hash is a bijection); otherwise seeds collide with probability 2^-64 per pair.
 *
 * Error policy. Creation returns NULL when out of memory (or when the linked GSL's
 * mt19937 state is not laid out as in GSL 2.7, which the tests check). Passing a
 * stream id that is not one of a set's streams, or a generator not made here to
 * ur_rng_reseed, is a programming error and asserts. Nothing here keeps global state:
 * generators and sets may be used in many threads, one thread per object.
 */
#ifndef UNREST_RNG_H
#define UNREST_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The subsystems that draw random numbers. The numbers enter the seed hash: never
 * renumber, append new model streams before UR_STREAM_COUNT with the next number. */
enum ur_stream {
	UR_STREAM_AGENTS = 0,     /* attribute sampling, reconsideration picks */
	UR_STREAM_SECURITY = 1,   /* arrests, clashes, casualties, morale */
	UR_STREAM_GOVERNMENT = 2, /* decision delays of actions */
	UR_STREAM_INTERNET = 3,   /* shutdown durations */
	UR_STREAM_ELITE = 4,      /* counter-coup answer, fighters, seizures */
	UR_STREAM_CSTO = 5,       /* decision delay, flights */
	UR_STREAM_COUNT,          /* the streams of one replication: those of a set */

	/* Streams of a whole sweep rather than of a replication (the permutations of a
	 * Latin hypercube design): derive them from ur_rng_replication_seed(master, 0). */
	UR_STREAM_SWEEP = 64,
	/* A replication's draw of its row of the scenario's posterior (posterior.h):
	 * ur_rng_stream_seed(replication seed, UR_STREAM_POSTERIOR), outside the set, so
	 * the model's streams are those of a run without a posterior. */
	UR_STREAM_POSTERIOR = 65
};

/* The stream's name, lower case as in messages and files ("agents"), or NULL for a
 * number that is no stream. */
const char *ur_stream_name(enum ur_stream stream);

/* The mixing function of the seed hash: the finalizer of splitmix64 (Steele, Lea and
 * Flood 2014; Stafford's "Mix13" constants), a bijection on 64-bit integers with full
 * avalanche. Exposed for modules that need a well-mixed hash (run fingerprints). */
uint64_t ur_rng_mix64(uint64_t x);

/* Replication `replication`'s seed under `master_seed`; independent of sweep point. */
uint64_t ur_rng_replication_seed(uint64_t master_seed, uint64_t replication);

/* The seed of one stream of the replication whose seed is `replication_seed`. */
uint64_t ur_rng_stream_seed(uint64_t replication_seed, enum ur_stream stream);

/* A generator whose state is a function of `stream_seed` alone, as a set's stream of
 * that seed; NULL when out of memory. Free with ur_rng_destroy (or gsl_rng_free). */
gsl_rng *ur_rng_create(uint64_t stream_seed);

/* Restarts a generator made by ur_rng_create as if created with `stream_seed`. */
void ur_rng_reseed(gsl_rng *rng, uint64_t stream_seed);

/* Frees a generator; NULL is a no-op. */
void ur_rng_destroy(gsl_rng *rng);

/* Writes the n words that n calls of gsl_rng_get(rng) would return, and leaves rng
 * where those calls would have: the same stream, read in bulk. GSL has no bulk
 * interface, and a gsl_rng_get call (a function pointer and a state check per word)
 * costs as much as the rest of an agent's decision; for the mt19937 of every stream
 * here, the words come straight from the generator's state, twisted and tempered as
 * GSL 2.7's rng/mt.c does. Any other generator is read word by word. */
void ur_rng_fill_u32(gsl_rng *rng, uint32_t *out, size_t n);

/* The UR_STREAM_COUNT streams of one replication. Reseeding an existing set for the
 * next replication avoids reallocating it. */
struct ur_rng_set;

/* NULL when out of memory. `replication_seed` is ur_rng_replication_seed(master, k),
 * or a replication seed as printed. */
struct ur_rng_set *ur_rng_set_create(uint64_t replication_seed);
void ur_rng_set_reseed(struct ur_rng_set *set, uint64_t replication_seed);
void ur_rng_set_destroy(struct ur_rng_set *set);

/* The generator of one stream (stream < UR_STREAM_COUNT), owned by the set. */
gsl_rng *ur_rng_set_stream(const struct ur_rng_set *set, enum ur_stream stream);

/* The seed the set was made with, and the seed of one of its streams. */
uint64_t ur_rng_set_replication_seed(const struct ur_rng_set *set);
uint64_t ur_rng_set_stream_seed(const struct ur_rng_set *set, enum ur_stream stream);

/* Seeds as text: "0x" and 16 lower-case hex digits. Hex, because tools that read CSV
 * (R, spreadsheets, pandas for values above 2^63) read a 20-digit decimal as a double
 * and lose its low bits; a hex string survives as a string. */
#define UR_RNG_SEED_TEXT_SIZE 19
void ur_rng_seed_format(uint64_t seed, char text[UR_RNG_SEED_TEXT_SIZE]);

/* Reads a seed written as "0x" and 1 to 16 hex digits, or as a decimal integer below
 * 2^64, with nothing before or after; 0 on success, -1 (and *seed untouched) if not. */
int ur_rng_seed_parse(const char *text, uint64_t *seed);

#endif /* UNREST_RNG_H */
