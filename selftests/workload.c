// SPDX-License-Identifier: GPL-2.0
/* Start and stop dmabuf-workload for the tests (see workload.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "test_progs.h"
#include "workload.h"

const char *exe_beside(const char *name)
{
	static char path[4096];
	char *slash;
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);

	if (n > 0) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash) {
			strcpy(slash + 1, name);
			if (!access(path, X_OK))
				return path;
		}
	}
	snprintf(path, sizeof(path), "%s", name);	/* on PATH */
	return path;
}

bool workload_start(struct workload *wl, const char *tag)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char exe[4096];
	int i, status;

	snprintf(exe, sizeof(exe), "%s", exe_beside("dmabuf-workload"));
	snprintf(wl->dir, sizeof(wl->dir), "/tmp/%s.XXXXXX", tag);
	if (!ASSERT_OK_PTR(mkdtemp(wl->dir), "mkdtemp")) {
		wl->dir[0] = '\0';
		return false;
	}
	snprintf(wl->manifest, sizeof(wl->manifest), "%s/manifest", wl->dir);
	snprintf(wl->ready, sizeof(wl->ready), "%s/ready", wl->dir);
	fflush(stdout);
	wl->pid = fork();
	if (wl->pid == 0) {
		execlp(exe, "dmabuf-workload", "--hold", "600", "--manifest",
		       wl->manifest, "--ready-file", wl->ready, (char *)NULL);
		_exit(127);
	}
	if (!ASSERT_GT(wl->pid, 0, "fork workload"))
		return false;
	for (i = 0; i < 1200; i++) {
		if (!access(wl->ready, F_OK))
			return true;
		if (waitpid(wl->pid, &status, WNOHANG) == wl->pid) {
			wl->pid = -1;
			return ASSERT_TRUE(false, "workload stays up until ready");
		}
		nanosleep(&ts, NULL);
	}
	return ASSERT_TRUE(false, "workload ready in time");
}

void workload_stop(struct workload *wl)
{
	if (wl->pid > 0) {
		kill(wl->pid, SIGTERM);
		waitpid(wl->pid, NULL, 0);
	}
	wl->pid = -1;
	if (wl->dir[0]) {
		unlink(wl->manifest);
		unlink(wl->ready);
		rmdir(wl->dir);
		wl->dir[0] = '\0';
	}
}
