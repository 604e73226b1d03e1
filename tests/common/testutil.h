/*
 * testutil.h: what many unrestsim test programs need and cmocka 1.1 lacks: a double
 * comparison with a stated tolerance, temporary folders and files, and folders
 * compared file by file. (bad_corpus.h, beside it, runs a corpus of bad files.)
 *
 * Include after <cmocka.h> (the helpers fail the running test through it). Paths and
 * buffers the helpers return are malloc'ed; the caller frees them.
 */
#ifndef UNREST_TESTUTIL_H
#define UNREST_TESTUTIL_H

#include <math.h>
#include <stddef.h>

/* |a - b| <= tol, printing both on failure (cmocka 1.1 has no double comparison). */
#define assert_near(a, b, tol)                                                          \
	do {                                                                            \
		double a_ = (a), b_ = (b), tol_ = (tol);                                \
		if (!(fabs(a_ - b_) <= tol_))                                           \
			fail_msg("%s = %.17g, expected %.17g within %.3g", #a, a_, b_,  \
				 tol_);                                                 \
	} while (0)

/* A new empty folder $TMPDIR/PREFIX-XXXXXX (TMPDIR defaults to /tmp). */
char *testutil_temp_dir(const char *prefix);

/* DIR/NAME. */
char *testutil_path(const char *dir, const char *name);

/* Whether DIR/NAME exists. */
int testutil_exists(const char *dir, const char *name);

/* The whole of DIR/NAME, NUL-terminated, its length in *len when len is not NULL;
 * NULL when it cannot be read. */
char *testutil_read_file(const char *dir, const char *name, size_t *len);

/* Removes DIR and everything below it; a missing DIR is no error. */
void testutil_remove_tree(const char *dir);

/* Writes text (a printf format) to DIR/NAME and returns the path. */
__attribute__((format(printf, 3, 4)))
char *testutil_write_file(const char *dir, const char *name, const char *fmt, ...);

/* Fails the test unless each of the n files NAMES is in folders A and B with the same
 * bytes (a name may be a relative path: "gen-00/sweep.csv"). */
void testutil_assert_same_files(const char *a, const char *b, const char *const *names,
				size_t n);

#endif /* UNREST_TESTUTIL_H */
