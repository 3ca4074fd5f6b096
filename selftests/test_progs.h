/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_progs: the dmabufstat selftest runner, in the shape of the kernel's
 * tools/testing/selftests/bpf/test_progs.
 *
 * A test is a `void test_NAME(void)` function in prog_tests/NAME.c. It may
 * split itself into subtests:
 *
 *	if (test__start_subtest("udmabuf"))
 *		check_udmabuf();
 *
 * and reports through the ASSERT_*() macros, which return true when the
 * check holds, so a test reads
 *
 *	if (!ASSERT_OK_FD(fd, "open heap"))
 *		goto out;
 *
 * A test that cannot run on this machine calls test__skip_reason() with the
 * reason; the runner always prints it.
 */
#ifndef __TEST_PROGS_H
#define __TEST_PROGS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct test_env {
	int verbosity;		/* number of -v given */
	int test_num;		/* number of the running test, 1-based */
	const char *test_name;
	const char *subtest_name; /* NULL outside of a subtest */
};

extern struct test_env env;

/*
 * Starts subtest @name of the running test. Returns false when the filters
 * deselect it: the caller then skips the block. The previous subtest, if
 * any, ends here.
 */
bool test__start_subtest(const char *name);

/* Marks the running (sub)test skipped; always give a reason if you can. */
void test__skip(void);
void test__skip_reason(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * If err (-errno) says this machine lacks what was tried (ENOENT, ENODEV,
 * EACCES, EPERM), skips with "what: reason" and returns true.
 */
bool test__skip_missing(const char *what, int err);

/* Marks the running (sub)test, and so its test, failed. */
void test__fail(void);

/* True with -v: tests may print extra detail then. */
bool test__verbose(void);

/*
 * Everything below is the machinery of the ASSERT_*() macros.
 *
 * Values are captured with their signedness (via _Generic), so a 64-bit
 * unsigned value prints as itself, and comparisons are mathematical:
 * ASSERT_LT(-1, 0u) holds, which plain C would get wrong. This also keeps
 * -Wsign-compare quiet without casts at every call site.
 */
enum test__val_kind {
	TEST__VAL_S,
	TEST__VAL_U,
	TEST__VAL_F,
	TEST__VAL_P,
};

struct test__val {
	enum test__val_kind kind;
	union {
		long long s;
		unsigned long long u;
		double f;
		const void *p;
	};
};

static inline struct test__val test__val_s(long long v)
{
	return (struct test__val){ .kind = TEST__VAL_S, .s = v };
}

static inline struct test__val test__val_u(unsigned long long v)
{
	return (struct test__val){ .kind = TEST__VAL_U, .u = v };
}

static inline struct test__val test__val_f(double v)
{
	return (struct test__val){ .kind = TEST__VAL_F, .f = v };
}

static inline struct test__val test__val_p(const void *v)
{
	return (struct test__val){ .kind = TEST__VAL_P, .p = v };
}

#define TEST__VAL(x) _Generic((x),					\
	_Bool: test__val_u,						\
	char: test__val_s,						\
	signed char: test__val_s,					\
	short: test__val_s,						\
	int: test__val_s,						\
	long: test__val_s,						\
	long long: test__val_s,						\
	unsigned char: test__val_u,					\
	unsigned short: test__val_u,					\
	unsigned int: test__val_u,					\
	unsigned long: test__val_u,					\
	unsigned long long: test__val_u,				\
	float: test__val_f,						\
	double: test__val_f,						\
	default: test__val_p)(x)

enum test__op {
	TEST__EQ,
	TEST__NE,
	TEST__LT,
	TEST__LE,
	TEST__GT,
	TEST__GE,
};

bool test__assert_cmp(const char *file, int line, const char *name,
		      enum test__op op, struct test__val act,
		      struct test__val exp);
bool test__assert_bool(const char *file, int line, const char *name,
		       bool val, bool want);
bool test__assert_ok(const char *file, int line, const char *name,
		     long long res, int err);
bool test__assert_err(const char *file, int line, const char *name,
		      long long res);
bool test__assert_ok_fd(const char *file, int line, const char *name,
			long long fd, int err);
bool test__assert_ptr(const char *file, int line, const char *name,
		      const void *ptr, int err, int want);
bool test__assert_str(const char *file, int line, const char *name,
		      const char *act, const char *exp, size_t len, int want);
bool test__assert_memeq(const char *file, int line, const char *name,
			const void *act, const void *exp, size_t len);

#define TEST__CMP(op, a, b, name)					\
	test__assert_cmp(__FILE__, __LINE__, (name), (op),		\
			 TEST__VAL(a), TEST__VAL(b))

#define ASSERT_EQ(actual, expected, name)				\
	TEST__CMP(TEST__EQ, actual, expected, name)
#define ASSERT_NEQ(actual, expected, name)				\
	TEST__CMP(TEST__NE, actual, expected, name)
#define ASSERT_LT(actual, expected, name)				\
	TEST__CMP(TEST__LT, actual, expected, name)
#define ASSERT_LE(actual, expected, name)				\
	TEST__CMP(TEST__LE, actual, expected, name)
#define ASSERT_GT(actual, expected, name)				\
	TEST__CMP(TEST__GT, actual, expected, name)
#define ASSERT_GE(actual, expected, name)				\
	TEST__CMP(TEST__GE, actual, expected, name)

#define ASSERT_TRUE(actual, name)					\
	test__assert_bool(__FILE__, __LINE__, (name), !!(actual), true)
#define ASSERT_FALSE(actual, name)					\
	test__assert_bool(__FILE__, __LINE__, (name), !!(actual), false)

/*
 * errno is read after the tested expression ran: function arguments are
 * unsequenced, hence the statement expressions.
 */

/* 0 is success; a negative value is printed as -errno. */
#define ASSERT_OK(res, name) ({						\
	long long ___res = (res);					\
	int ___err = errno;						\
	test__assert_ok(__FILE__, __LINE__, (name), ___res, ___err);	\
})

/* Any negative value is the expected error. */
#define ASSERT_ERR(res, name)						\
	test__assert_err(__FILE__, __LINE__, (name), (res))

/* A valid fd is >= 0; -1 means see errno, other negatives are -errno. */
#define ASSERT_OK_FD(fd, name) ({					\
	long long ___fd = (fd);						\
	int ___err = errno;						\
	test__assert_ok_fd(__FILE__, __LINE__, (name), ___fd, ___err);	\
})

/* Fails on NULL and on a libbpf error pointer. */
#define ASSERT_OK_PTR(ptr, name) ({					\
	const void *___ptr = (ptr);					\
	int ___err = errno;						\
	test__assert_ptr(__FILE__, __LINE__, (name), ___ptr, ___err, 0);\
})
/* Holds for NULL or a libbpf error pointer. */
#define ASSERT_ERR_PTR(ptr, name) ({					\
	const void *___ptr = (ptr);					\
	int ___err = errno;						\
	test__assert_ptr(__FILE__, __LINE__, (name), ___ptr, ___err, 1);\
})
#define ASSERT_NULL(ptr, name)						\
	test__assert_ptr(__FILE__, __LINE__, (name), (ptr), 0, 2)

/* Strings are compared whole (len 0) or on their first len bytes. */
#define ASSERT_STREQ(actual, expected, name)				\
	test__assert_str(__FILE__, __LINE__, (name), (actual),		\
			 (expected), 0, 0)
#define ASSERT_STRNEQ(actual, expected, len, name)			\
	test__assert_str(__FILE__, __LINE__, (name), (actual),		\
			 (expected), (len), 0)
#define ASSERT_HAS_SUBSTR(str, substr, name)				\
	test__assert_str(__FILE__, __LINE__, (name), (str),		\
			 (substr), 0, 1)
#define ASSERT_MEMEQ(actual, expected, len, name)			\
	test__assert_memeq(__FILE__, __LINE__, (name), (actual),	\
			   (expected), (len))

#endif /* __TEST_PROGS_H */
