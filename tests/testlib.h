/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test runner in the spirit of the kernel's test_progs: test cases
 * register themselves, ASSERT_* print actual vs expected with file:line and
 * return false so a test can `goto cleanup`, and the runner ends with
 * "N passed, N failed, N skipped".
 */
#ifndef MT_TESTLIB_H
#define MT_TESTLIB_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* What a runner may know of a test before it runs it (mt_test_set_gate). */
enum mt_test_flags {
	/* does the same whatever the attach mode: one mode a kernel is enough */
	MT_TEST_MODE_INDEPENDENT = 1 << 0,
};

struct mt_test {
	const char *name;
	void (*fn)(void);
	struct mt_test *next;
	unsigned int flags;	/* enum mt_test_flags */
};

void mt_test_register(struct mt_test *t);
/* Before each test: a gate that returns a reason SKIPs it unrun. */
void mt_test_set_gate(const char *(*gate)(const struct mt_test *t));
/* After each test: a note for its result line (after its time), or "". */
void mt_test_set_note(void (*note)(char *buf, size_t len));

/* Mark the running test failed / skipped (with a reason, printf-style). */
void mt_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void mt_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note printed under the test only when it fails or with -v. */
void mt_test_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool mt_test_failed(void);
/* CLOCK_MONOTONIC in seconds, for timing what a test waits on. */
double mt_now_s(void);

/* Run every registered test whose name matches one of the filters (all if
 * none). Returns the process exit code. */
int mt_test_main(int argc, char **argv);

#define TEST(tname) TEST_FLAGS(tname, 0)

#define TEST_FLAGS(tname, tflags)                                            \
	static void tname(void);                                             \
	static struct mt_test mt_test_##tname = { #tname, tname, NULL, tflags }; \
	__attribute__((constructor)) static void mt_register_##tname(void)   \
	{                                                                    \
		mt_test_register(&mt_test_##tname);                          \
	}                                                                    \
	static void tname(void)

#define ASSERT_TRUE(cond, what)                                              \
	({ bool ok_ = !!(cond);                                              \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__, "%s: is false", what); \
	   ok_; })

#define ASSERT_FALSE(cond, what)                                             \
	({ bool ok_ = !(cond);                                               \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__, "%s: is true", what);  \
	   ok_; })

#define ASSERT_EQ(actual, expected, what)                                    \
	({ long long a_ = (long long)(actual), e_ = (long long)(expected);   \
	   bool ok_ = a_ == e_;                                              \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__,                        \
				  "%s: actual %lld != expected %lld",        \
				  what, a_, e_);                             \
	   ok_; })

#define ASSERT_NEQ(actual, unexpected, what)                                 \
	({ long long a_ = (long long)(actual), e_ = (long long)(unexpected); \
	   bool ok_ = a_ != e_;                                              \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__,                        \
				  "%s: actual %lld == %lld", what, a_, e_);  \
	   ok_; })

#define ASSERT_GT(actual, bound, what)                                       \
	({ long long a_ = (long long)(actual), b_ = (long long)(bound);      \
	   bool ok_ = a_ > b_;                                               \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__,                        \
				  "%s: actual %lld <= %lld", what, a_, b_);  \
	   ok_; })

#define ASSERT_STREQ(actual, expected, what)                                 \
	({ const char *a_ = (actual), *e_ = (expected);                      \
	   bool ok_ = a_ && e_ && strcmp(a_, e_) == 0;                       \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__,                        \
				  "%s: actual \"%s\" != expected \"%s\"",    \
				  what, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
	   ok_; })

#define ASSERT_OK(err, what)                                                 \
	({ long long r_ = (long long)(err);                                  \
	   bool ok_ = r_ >= 0;                                               \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__, "%s: failed: %lld (%s)", \
				  what, r_, strerror(r_ < -4095 ? 0 : (int)-r_)); \
	   ok_; })

#define ASSERT_ERR(err, what)                                                \
	({ long long r_ = (long long)(err);                                  \
	   bool ok_ = r_ < 0;                                                \
	   if (!ok_) mt_test_fail(__FILE__, __LINE__,                        \
				  "%s: unexpected success (%lld)", what, r_); \
	   ok_; })

#endif /* MT_TESTLIB_H */
