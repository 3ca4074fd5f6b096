// SPDX-License-Identifier: GPL-2.0
/*
 * privileges: both tools as a user who is not root.
 *
 *  refusal   uid 65534 with no capabilities: dmabufstat and dmabuf-top -b
 *            each print one line, "PROG: error: ..." naming what is needed,
 *            the same text after the program's name, exit 1, print nothing
 *            on stdout and pin nothing;
 *  procfs    the same user asking for --backend procfs gets a snapshot of
 *            what it may see (exit 0, the backend named);
 *  caps      uid 65534 with CAP_BPF and CAP_PERFMON (ambient, as setpriv
 *            or capsh would give them) loads the BPF backends: the output
 *            names bpf-iter or bpf-task, as root's does;
 *  pin_mode  a pin made with --mode 0640 --group G can be read by a user
 *            in group G and not by a user outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "test_progs.h"
#include "workload.h"

#define NOBODY		65534
#define PIN_GROUP	4321
#define PIN_DIR		"/sys/fs/bpf/priv-test"
#define BPF_FS_MAGIC	0xcafe4a11

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif

struct run {
	int status;		/* exit status; 128 + signal */
	char out[8192];
	char err[65536];
};

/* The tool where another user can run it (workload.h). */
static const char *tool(const char *name)
{
	return exe_for_all(name);
}

static void slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : 0;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(path);
}

/* Gives the calling (child) process exactly caps (0: none), ambient too. */
static int set_caps(unsigned long long caps)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {};
	int c;

	d[0].permitted = d[0].effective = d[0].inheritable = (__u32)caps;
	d[1].permitted = d[1].effective = d[1].inheritable = (__u32)(caps >> 32);
	if (syscall(SYS_capset, &h, d))
		return -errno;
	for (c = 0; c < 64; c++)
		if ((caps >> c) & 1 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			return -errno;
	return 0;
}

/* Runs the shell command cmd as uid/gid with caps; output in r. */
static bool run_as(uid_t uid, gid_t gid, unsigned long long caps,
		   const char *cmd, struct run *r)
{
	char out[] = "/tmp/priv-out.XXXXXX", err[] = "/tmp/priv-err.XXXXXX";
	int ofd = mkstemp(out), efd = mkstemp(err), st;
	pid_t pid;

	if (ofd < 0 || efd < 0)
		return false;
	fchmod(ofd, 0666);
	fchmod(efd, 0666);
	pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
		    setresuid(uid, uid, uid) || set_caps(caps)) {
			dprintf(2, "run_as: cannot become %u: %s\n", uid,
				strerror(errno));
			_exit(126);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(ofd);
	close(efd);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
	return true;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The message after "PROG: error: ", or NULL. */
static const char *after_prefix(const char *err, const char *prog)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s: error: ", prog);
	return strncmp(err, prefix, strlen(prefix)) ? NULL : err + strlen(prefix);
}

static void subtest_refusal(void)
{
	char cmd[512];
	struct run a, b;
	const char *ma, *mb;
	struct stat st;

	snprintf(cmd, sizeof(cmd), "%s", tool("dmabufstat"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, 0, cmd, &a), "run dmabufstat"))
		return;
	snprintf(cmd, sizeof(cmd), "%s -b 0.1 1", tool("dmabuf-top"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, 0, cmd, &b), "run dmabuf-top"))
		return;
	ASSERT_EQ(a.status, 1, "dmabufstat exit status");
	ASSERT_EQ(b.status, 1, "dmabuf-top exit status");
	ASSERT_STREQ(a.out, "", "dmabufstat prints nothing on stdout");
	ASSERT_STREQ(b.out, "", "dmabuf-top prints nothing on stdout");
	ASSERT_EQ(count_lines(a.err), 1, "dmabufstat: one line");
	ASSERT_EQ(count_lines(b.err), 1, "dmabuf-top: one line");
	ma = after_prefix(a.err, "dmabufstat");
	mb = after_prefix(b.err, "dmabuf-top");
	if (!ASSERT_OK_PTR(ma, "dmabufstat: error: prefix") ||
	    !ASSERT_OK_PTR(mb, "dmabuf-top: error: prefix")) {
		printf("dmabufstat said: %sdmabuf-top said: %s", a.err, b.err);
		return;
	}
	ASSERT_STREQ(ma, mb, "the same refusal from both tools");
	ASSERT_HAS_SUBSTR(ma, "CAP_BPF", "names the capabilities");
	ASSERT_HAS_SUBSTR(ma, "procfs", "names the way without BPF");

	/* and pin, refused the same way, pins nothing */
	snprintf(cmd, sizeof(cmd), "%s pin " PIN_DIR, tool("dmabufstat"));
	if (ASSERT_TRUE(run_as(NOBODY, NOBODY, 0, cmd, &a), "run pin")) {
		ASSERT_EQ(a.status, 1, "pin exit status");
		ASSERT_NEQ(stat(PIN_DIR "/buffers", &st), 0, "nothing pinned");
	}
}

static void subtest_procfs(void)
{
	char cmd[512];
	struct run r;

	snprintf(cmd, sizeof(cmd), "%s --backend procfs -o json",
		 tool("dmabufstat"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, 0, cmd, &r), "run"))
		return;
	if (!ASSERT_EQ(r.status, 0, "--backend procfs as nobody"))
		printf("%s", r.err);
	ASSERT_HAS_SUBSTR(r.out, "procfs", "the backend is named");

	snprintf(cmd, sizeof(cmd), "%s --backend procfs -b -o json 0.1 1",
		 tool("dmabuf-top"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, 0, cmd, &r), "run top"))
		return;
	if (!ASSERT_EQ(r.status, 0, "dmabuf-top --backend procfs as nobody"))
		printf("%s", r.err);
	ASSERT_HAS_SUBSTR(r.out, "procfs", "dmabuf-top names the backend");
}

static void subtest_caps(void)
{
	unsigned long long caps = 1ULL << CAP_BPF | 1ULL << CAP_PERFMON;
	char cmd[512];
	struct run r;

	/*
	 * Without the dma-buf kfuncs in vmlinux (vanilla 6.12, upstream before
	 * 6.16) libbpf looks for the object's weak kfunc externs in module
	 * BTF, and listing module BTF needs CAP_SYS_ADMIN.
	 */
	if (system("grep -q bpf_iter_dmabuf_new /sys/kernel/btf/vmlinux 2>/dev/null")) {
		test__skip_reason("no dma-buf kfuncs in this kernel: with CAP_BPF alone libbpf cannot search module BTF for them (CAP_SYS_ADMIN)");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s -v -o json", tool("dmabufstat"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, caps, cmd, &r), "run"))
		return;
	if (r.status == 126) {
		test__skip_reason("cannot raise ambient CAP_BPF/CAP_PERFMON here: %s",
				  r.err);
		return;
	}
	if (!ASSERT_EQ(r.status, 0, "CAP_BPF + CAP_PERFMON, not root"))
		printf("%s", r.err);
	if (!ASSERT_HAS_SUBSTR(r.out, "bpf-task", "the BPF process walk"))
		printf("%s", r.err);

	snprintf(cmd, sizeof(cmd), "%s -b -o json 0.1 1", tool("dmabuf-top"));
	if (!ASSERT_TRUE(run_as(NOBODY, NOBODY, caps, cmd, &r), "run top"))
		return;
	if (!ASSERT_EQ(r.status, 0, "dmabuf-top with CAP_BPF + CAP_PERFMON"))
		printf("%s", r.err);
	ASSERT_HAS_SUBSTR(r.out, "bpf-task", "dmabuf-top: the BPF process walk");
}

static bool have_iter(void)
{
	return !system("grep -q bpf_iter__dmabuf /sys/kernel/btf/vmlinux 2>/dev/null");
}

static void subtest_pin_mode(void)
{
	struct statfs sfs;
	struct stat st;
	char cmd[512];
	struct run r;

	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		test__skip_reason("no bpffs at /sys/fs/bpf");
		return;
	}
	if (!have_iter()) {
		test__skip_reason("kernel has no dma-buf iterator to pin");
		return;
	}
	if (stat("/sys/fs/bpf", &st) || !(st.st_mode & S_IXOTH)) {
		test__skip_reason("/sys/fs/bpf is mode %o (systemd mounts it 0700): only root gets to any pin below it",
				  st.st_mode & 07777);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s pin %s --mode 0640 --group %d",
		 tool("dmabufstat"), PIN_DIR, PIN_GROUP);
	if (!ASSERT_EQ(system(cmd), 0, "pin --mode 0640 --group"))
		return;
	/* the folder must let others through to the file */
	chmod(PIN_DIR, 0755);
	if (ASSERT_TRUE(run_as(NOBODY, PIN_GROUP, 0,
			       "cat " PIN_DIR "/buffers >/dev/null && echo read",
			       &r), "read as a member of the group"))
		ASSERT_STREQ(r.out, "read\n", "a member of the group reads the pin");
	if (ASSERT_TRUE(run_as(NOBODY, NOBODY, 0,
			       "cat " PIN_DIR "/buffers >/dev/null && echo read",
			       &r), "read as someone else")) {
		ASSERT_STREQ(r.out, "", "someone outside the group cannot");
		ASSERT_HAS_SUBSTR(r.err, "ermission denied", "EACCES");
	}
	snprintf(cmd, sizeof(cmd), "%s unpin %s", tool("dmabufstat"),
		 PIN_DIR);
	ASSERT_EQ(system(cmd), 0, "unpin");
	rmdir(PIN_DIR);
}

void test_privileges(void)
{
	if (geteuid() != 0) {
		test__skip_reason("needs root to become other users");
		return;
	}
	if (test__start_subtest("refusal"))
		subtest_refusal();
	if (test__start_subtest("procfs"))
		subtest_procfs();
	if (test__start_subtest("caps"))
		subtest_caps();
	if (test__start_subtest("pin_mode"))
		subtest_pin_mode();
}
