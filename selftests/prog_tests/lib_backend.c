// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat's backend choice: the --backend words and names agree,
 * and without BPF privileges AUTO refuses (DMABUFSTAT_E_PERM, saying what
 * is needed) instead of quietly showing the caller's own processes only,
 * while a backend named without BPF still runs.
 *
 * The unprivileged runs fork, drop to uid/gid 65534 (which clears every
 * capability) and call the library there; the machine must allow BPF to
 * root, so that privilege is the only thing missing.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "test_progs.h"
#include "libdmabufstat.h"

static void subtest_words(void)
{
	static const struct {
		const char *word;
		enum dmabufstat_buf_backend buf;
		enum dmabufstat_proc_backend proc;
	} words[] = {
		{ "auto", DMABUFSTAT_BUF_AUTO, DMABUFSTAT_PROC_AUTO },
		{ "bpf", DMABUFSTAT_BUF_BPF_ITER, DMABUFSTAT_PROC_BPF_TASK },
		{ "fallback", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_AUTO },
		{ "procfs", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_PROCFS },
		{ "proc", DMABUFSTAT_BUF_FALLBACK, DMABUFSTAT_PROC_PROCFS },
		{ "bufinfo", DMABUFSTAT_BUF_BUFINFO, DMABUFSTAT_PROC_AUTO },
		{ "sysfs", DMABUFSTAT_BUF_SYSFS, DMABUFSTAT_PROC_AUTO },
	};
	static const char *const bad[] = {
		"", "+", "bpf-iter", "procs", "none", "auto+", "+auto",
		"bpf-iter+", "bpf-task+procfs", "sysfs+fallback", "BPF",
	};
	enum dmabufstat_buf_backend b;
	enum dmabufstat_proc_backend p;
	char spec[64];
	size_t i;
	int bi, pi;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!ASSERT_OK(dmabufstat_parse_backend(words[i].word, &b, &p),
			       words[i].word))
			continue;
		ASSERT_EQ(b, words[i].buf, words[i].word);
		ASSERT_EQ(p, words[i].proc, words[i].word);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ASSERT_EQ(dmabufstat_parse_backend(bad[i], &b, &p), -EINVAL,
			  bad[i]);
	/* every pair of names parses back to itself */
	for (bi = DMABUFSTAT_BUF_AUTO; bi <= DMABUFSTAT_BUF_FALLBACK; bi++)
		for (pi = DMABUFSTAT_PROC_AUTO; pi <= DMABUFSTAT_PROC_NONE;
		     pi++) {
			snprintf(spec, sizeof(spec), "%s+%s",
				 dmabufstat_buf_backend_name(bi),
				 dmabufstat_proc_backend_name(pi));
			if (!ASSERT_OK(dmabufstat_parse_backend(spec, &b, &p),
				       spec))
				continue;
			ASSERT_EQ(b, bi, spec);
			ASSERT_EQ(p, pi, spec);
		}
	ASSERT_STREQ(dmabufstat_buf_backend_name(99), "unknown", "bad buf");
	ASSERT_STREQ(dmabufstat_proc_backend_name(99), "unknown", "bad proc");
}

/* What the library said in the unprivileged child. */
struct unpriv {
	int setup;		/* 0, or the step that failed */
	int err;
	int errclass;
	unsigned long long cap_eff;
	char backend[48];
	char msg[512];
	char skip[128];		/* why the child could not test */
};

/* The effective capabilities, from the kernel (~0 if it will not say). */
static unsigned long long cap_eff(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return ~0ULL;
	return data[0].effective | (unsigned long long)data[1].effective << 32;
}

static void child(const char *spec, struct unpriv *u)
{
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	struct dmabufstat_snapshot *snap = NULL;
	struct dmabufstat *ds;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		u->setup = 1;
		return;
	}
	u->cap_eff = cap_eff();
	/* e.g. a guest whose / is 0700: then there is nothing to test */
	if (access("/proc/self/fd", R_OK | X_OK) ||
	    (!access("/sys/kernel/btf", F_OK) &&
	     access("/sys/kernel/btf", R_OK | X_OK))) {
		snprintf(u->skip, sizeof(u->skip),
			 "uid 65534 cannot read /proc or /sys here: %s",
			 strerror(errno));
		return;
	}
	if (dmabufstat_parse_backend(spec, &opts.buf_backend,
				     &opts.proc_backend)) {
		u->setup = 2;
		return;
	}
	ds = dmabufstat_new(&opts);
	if (!ds) {
		u->setup = 3;
		return;
	}
	u->err = dmabufstat_snapshot(ds, &snap);
	u->errclass = dmabufstat_errclass(ds);
	snprintf(u->msg, sizeof(u->msg), "%s", dmabufstat_errmsg(ds));
	snprintf(u->backend, sizeof(u->backend), "%s",
		 dmabufstat_backend_name(ds));
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
}

/* Runs the library with spec as uid 65534 without capabilities. */
static bool run_unprivileged(const char *spec, struct unpriv *u)
{
	int pfd[2], st;
	ssize_t n;
	pid_t pid;

	memset(u, 0, sizeof(*u));
	if (!ASSERT_OK(pipe(pfd), "pipe"))
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		child(spec, u);
		n = write(pfd[1], u, sizeof(*u));
		_exit(n == sizeof(*u) ? 0 : 1);
	}
	close(pfd[1]);
	if (!ASSERT_GT(pid, 0, "fork")) {
		close(pfd[0]);
		return false;
	}
	n = read(pfd[0], u, sizeof(*u));
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (!ASSERT_EQ(n, (ssize_t)sizeof(*u), "child's report") ||
	    !ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st), "child exits 0") ||
	    !ASSERT_EQ(u->setup, 0, "drop to uid 65534"))
		return false;
	if (u->skip[0]) {
		test__skip_reason("%s", u->skip);
		return false;
	}
	printf("as uid 65534, --backend %s: %d (class %d) backend %s: %s\n",
	       spec, u->err, u->errclass, u->backend, u->msg);
	return ASSERT_EQ(u->cap_eff, 0, "no capabilities left");
}

/* BPF loads as root here, so the child lacks nothing but privilege. */
static bool bpf_works_as_root(void)
{
	struct dmabufstat_opts opts = { .sz = sizeof(opts) };
	struct dmabufstat *ds;
	bool ok;

	opts.buf_backend = DMABUFSTAT_BUF_FALLBACK;
	opts.proc_backend = DMABUFSTAT_PROC_BPF_TASK;
	ds = dmabufstat_new(&opts);
	if (!ASSERT_OK_PTR(ds, "new"))
		return false;
	ok = !dmabufstat_probe(ds);
	if (!ok)
		test__skip_reason("BPF does not load as root here: %s",
				  dmabufstat_errmsg(ds));
	dmabufstat_free(ds);
	return ok;
}

static void check_refusal(const char *spec)
{
	struct unpriv u;

	if (!bpf_works_as_root() || !run_unprivileged(spec, &u))
		return;
	ASSERT_EQ(u.err, -EPERM, "refused with -EPERM");
	ASSERT_EQ(u.errclass, DMABUFSTAT_E_PERM, "DMABUFSTAT_E_PERM");
	ASSERT_STREQ(u.backend, "auto", "no backend chosen");
	ASSERT_HAS_SUBSTR(u.msg, "root", "says root");
	ASSERT_HAS_SUBSTR(u.msg, "CAP_BPF", "says CAP_BPF");
	ASSERT_HAS_SUBSTR(u.msg, "CAP_PERFMON", "says CAP_PERFMON");
	ASSERT_NULL(strchr(u.msg, '\n'), "one line");
	if (!strncmp(spec, "auto", 4) || !strcmp(spec, "fallback"))
		ASSERT_HAS_SUBSTR(u.msg, "--backend procfs",
				  "says how to see one's own processes");
}

/* procfs, named, needs no privilege: the caller's own processes */
static void subtest_unprivileged_procfs(void)
{
	struct unpriv u;

	if (!run_unprivileged("procfs", &u))
		return;
	ASSERT_OK(u.err, "snapshot");
	ASSERT_EQ(u.errclass, DMABUFSTAT_E_NONE, "no error");
	ASSERT_HAS_SUBSTR(u.backend, "+procfs", "procfs backend");
}

void test_lib_backend(void)
{
	if (test__start_subtest("words"))
		subtest_words();
	if (geteuid() != 0) {
		test__skip_reason("needs root to drop to another uid");
		return;
	}
	if (test__start_subtest("unprivileged_auto"))
		check_refusal("auto");
	if (test__start_subtest("unprivileged_fallback"))
		check_refusal("fallback");
	/* named BPF (task iterators: they load with or without the
	 * dma-buf iterator) fails as it always did */
	if (test__start_subtest("unprivileged_named_bpf"))
		check_refusal("procs+bpf-task");
	if (test__start_subtest("unprivileged_procfs"))
		subtest_unprivileged_procfs();
}
