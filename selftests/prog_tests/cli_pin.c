// SPDX-License-Identifier: GPL-2.0
/*
 * `dmabufstat pin` and `unpin` as a user runs them: the file mode and group
 * of the pin (--mode, --group), an existing pin refused without --force and
 * replaced with it, unpin removing it, and clear errors for a bad mode and
 * a folder outside bpffs. On a kernel without the dma-buf iterator, pin
 * must fail with the advice to use a kernel that has it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "test_progs.h"
#include "workload.h"

#define BPF_FS_MAGIC	0xcafe4a11

static char dir[96], err_path[128];

/* `dmabufstat ARGS` with stderr kept in err_path; its exit status. */
static int pin_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int pin_cmd(const char *fmt, ...)
{
	char args[256], cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>%s",
		 exe_beside("dmabufstat"), args, err_path);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The error line the last command printed. */
static const char *err_text(void)
{
	static char buf[1024];
	FILE *f = fopen(err_path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static bool have_iter(void)
{
	/* the kernel's BTF names the iterator's context when it has it */
	return !system("grep -q bpf_iter__dmabuf /sys/kernel/btf/vmlinux 2>/dev/null");
}

static void subtest_pin(void)
{
	char file[160];
	struct stat st;

	snprintf(file, sizeof(file), "%s/buffers", dir);
	if (!ASSERT_EQ(pin_cmd("pin %s --mode 0640 --group 1234", dir), 0,
		       "pin --mode --group")) {
		printf("%s", err_text());
		return;
	}
	if (ASSERT_OK(stat(file, &st), "the pin is there")) {
		ASSERT_EQ(st.st_mode & 07777, 0640, "--mode 0640");
		ASSERT_EQ(st.st_gid, 1234, "--group 1234");
	}
	ASSERT_EQ(pin_cmd("pin %s", dir), 1, "pinned already: refused");
	ASSERT_HAS_SUBSTR(err_text(), "force", "the error says --force");
	ASSERT_NULL(strstr(strstr(err_text(), "force") + 1, "force"),
		    "and says it once");
	ASSERT_EQ(pin_cmd("pin %s --force --mode 0600", dir), 0, "--force");
	if (ASSERT_OK(stat(file, &st), "the pin is there"))
		ASSERT_EQ(st.st_mode & 07777, 0600, "replaced: mode 0600");
	ASSERT_EQ(pin_cmd("unpin %s", dir), 0, "unpin");
	ASSERT_ERR(access(file, F_OK), "unpinned: gone");
}

static void subtest_errors(void)
{
	ASSERT_EQ(pin_cmd("pin %s --mode 999", dir), 2, "--mode 999: usage");
	ASSERT_HAS_SUBSTR(err_text(), "not an octal file mode", "says why");
	if (!have_iter())
		return;	/* pin stops at the missing iterator first */
	ASSERT_EQ(pin_cmd("pin /tmp"), 1, "not bpffs");
	ASSERT_HAS_SUBSTR(err_text(), "not on bpffs", "says why");
	ASSERT_HAS_SUBSTR(err_text(), "mount -t bpf", "and what to do");
}

void test_cli_pin(void)
{
	struct statfs fs;

	if (geteuid()) {
		test__skip_reason("pinning needs root");
		return;
	}
	if (statfs("/sys/fs/bpf", &fs) || fs.f_type != BPF_FS_MAGIC) {
		test__skip_reason("no bpffs at /sys/fs/bpf");
		return;
	}
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/dmabufstat-test-%d", getpid());
	snprintf(err_path, sizeof(err_path), "/tmp/cli_pin-%d.err", getpid());
	if (!have_iter()) {
		if (test__start_subtest("no_iterator")) {
			ASSERT_EQ(pin_cmd("pin %s", dir), 1, "pin fails");
			ASSERT_HAS_SUBSTR(err_text(), "dma-buf BPF iterator",
					  "and says what is missing");
			ASSERT_HAS_SUBSTR(err_text(), "kernel-patches/",
					  "and where to get it");
		}
	} else if (test__start_subtest("pin")) {
		subtest_pin();
	}
	if (test__start_subtest("errors"))
		subtest_errors();
	pin_cmd("unpin %s", dir);
	rmdir(dir);
	unlink(err_path);
}
