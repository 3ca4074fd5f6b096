// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's interactive mode driven for real through tmux, as a person
 * would: a shell in a tmux pane starts dmabuf-top; keys switch views, pick
 * and reverse the sort column, filter, group, open details and help; the
 * window is resized down to a tiny size and back; q quits and the shell
 * prompt (not the alternate screen) must be back; a second run is ended by
 * SIGTERM with the same check. Works on any machine with tmux (on the host
 * the views are empty; in the guest tmux must be added with its terminfo).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test_progs.h"

static char sock[64], tmpdir[64];

static int tmux(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int tmux(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	n = snprintf(cmd, sizeof(cmd), "tmux -u -L %s -f /dev/null ", sock);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* The visible pane, or NULL. */
static char *capture(void)
{
	char path[128], cmd[256];
	static char buf[65536];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/pane", tmpdir);
	snprintf(cmd, sizeof(cmd), "capture-pane -p > %s", path);
	if (tmux("%s", cmd))
		return NULL;
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Waits up to 5 s for the pane to show (or, if !want, stop showing) s. */
static bool pane_has(const char *s, bool want)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char *p = NULL;
	int i;

	for (i = 0; i < 100; i++) {
		p = capture();
		if (p && !!strstr(p, s) == want)
			return true;
		nanosleep(&ts, NULL);
	}
	if (p)
		printf("pane, waiting for %s'%s':\n%s\n", want ? "" : "no ", s, p);
	return false;
}

#define EXPECT(s, what) ASSERT_TRUE(pane_has((s), true), (what))
#define EXPECT_NOT(s, what) ASSERT_TRUE(pane_has((s), false), (what))

static const char *top_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	char *slash;

	if (n > 0) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash) {
			strcpy(slash + 1, "dmabuf-top");
			if (!access(path, X_OK))
				return path;
		}
	}
	return "dmabuf-top";
}

static bool start_top(const char *pidfile)
{
	/* the shell prints a marker when dmabuf-top is gone */
	tmux("send-keys -t top \"sh -c 'echo \\$\\$ > %s; exec %s 0.3'; echo TOP-EXIT=\\$?\" Enter",
	     pidfile, top_path());
	return pane_has("1:procs", true);
}

static void subtest_keys(void)
{
	if (!ASSERT_TRUE(start_top("/dev/null"), "dmabuf-top draws"))
		return;
	EXPECT("Buffers ", "header totals");
	EXPECT("sort rss desc", "default sort");
	EXPECT("PID", "procs columns");

	tmux("send-keys -t top 3");
	EXPECT("INODE", "3: buffers view");
	EXPECT("sort size desc", "buffers sort");
	tmux("send-keys -t top '>'");
	EXPECT("sort exporter desc", "> picks the next column");
	tmux("send-keys -t top '<' '<'");
	EXPECT("sort ino desc", "< picks the previous column");
	tmux("send-keys -t top r");
	EXPECT("sort ino asc", "r reverses");
	tmux("send-keys -t top 2");
	EXPECT("EXPORTER", "2: exporters view");
	tmux("send-keys -t top Tab");
	EXPECT("INODE", "Tab: next view");
	tmux("send-keys -t top 4");
	EXPECT("DEVICE", "4: devices");
	tmux("send-keys -t top 5");
	EXPECT("USER", "5: uids");
	tmux("send-keys -t top 6");
	EXPECT("CGROUP", "6: cgroups");
	tmux("send-keys -t top 1");
	EXPECT("COMM", "1: procs");

	tmux("send-keys -t top / z z q");
	EXPECT("/zzq", "filter prompt echoes (q is text here)");
	tmux("send-keys -t top Enter");
	EXPECT("filter 'zzq'", "filter applied");
	EXPECT("no processes match", "filter hides everything");
	tmux("send-keys -t top / Escape");
	EXPECT_NOT("filter 'zzq'", "Esc clears the filter");

	tmux("send-keys -t top H");
	EXPECT("  tree", "H: tree mode");
	tmux("send-keys -t top H d");
	EXPECT("details (d closes)", "d: details pane");
	tmux("send-keys -t top d p");
	EXPECT("p: select a process", "p without a process says why");
	tmux("send-keys -t top '?'");
	EXPECT("dmabuf-top keys", "?: help");
	tmux("send-keys -t top x");
	EXPECT_NOT("dmabuf-top keys", "any key closes help");

	tmux("resize-window -t top -x 40 -y 10");
	EXPECT("1:procs", "40x10 still draws");
	tmux("resize-window -t top -x 12 -y 3");
	EXPECT("dmabuf-top:", "tiny: degrades, no crash");
	tmux("resize-window -t top -x 80 -y 24");
	EXPECT("1:procs", "80x24 again");
	EXPECT("q quit", "80x24: key line");
	EXPECT_NOT("TOP-EXIT", "still running after resizes");

	tmux("send-keys -t top q");
	EXPECT("TOP-EXIT=0", "q exits 0");
	EXPECT_NOT("1:procs", "alternate screen left");
}

static void subtest_sigterm(void)
{
	char pidfile[128];
	FILE *f;
	int pid = 0;

	tmux("send-keys -t top clear Enter");
	EXPECT_NOT("TOP-EXIT", "cleared");
	snprintf(pidfile, sizeof(pidfile), "%s/pid", tmpdir);
	if (!ASSERT_TRUE(start_top(pidfile), "dmabuf-top draws"))
		return;
	f = fopen(pidfile, "r");
	if (!ASSERT_OK_PTR(f, "pid file"))
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (!ASSERT_GT(pid, 1, "pid"))
		return;
	ASSERT_OK(kill(pid, SIGTERM), "SIGTERM");
	EXPECT("TOP-EXIT=0", "SIGTERM: clean exit");
	EXPECT_NOT("1:procs", "SIGTERM: alternate screen left");
}

void test_top_tui(void)
{
	if (access("/usr/bin/tmux", X_OK) && system("command -v tmux >/dev/null 2>&1")) {
		test__skip_reason("no tmux here (tools/vm run --add /usr/bin/tmux --add /lib/terminfo/x/xterm-256color)");
		return;
	}
	if (access(top_path(), X_OK)) {
		test__skip_reason("no dmabuf-top binary");
		return;
	}
	snprintf(sock, sizeof(sock), "dmabuf-top-test-%d", getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/top_tui.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(tmpdir), "mkdtemp"))
		return;
	if (!ASSERT_OK(tmux("new-session -d -s top -x 80 -y 24 -e TERM=xterm-256color sh"),
		       "tmux new-session")) {
		rmdir(tmpdir);
		return;
	}
	if (test__start_subtest("keys"))
		subtest_keys();
	if (test__start_subtest("sigterm"))
		subtest_sigterm();
	tmux("kill-server");
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			printf("could not remove %s\n", tmpdir);
	}
}
