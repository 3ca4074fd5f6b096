// SPDX-License-Identifier: GPL-2.0
/* Start and stop dmabuf-workload for the tests (see workload.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
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

static char shared_dir[64];

static void remove_shared_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", shared_dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", shared_dir);
}

const char *exe_for_all(const char *name)
{
	static char paths[4][128];
	const char *src = exe_beside(name);
	char cmd[512], *path = NULL;
	int i;

	if (!strchr(src, '/'))
		return src;
	for (i = 0; i < 4 && paths[i][0]; i++) {
		if (!strcmp(strrchr(paths[i], '/') + 1, name))
			return paths[i];
	}
	if (i == 4)
		return src;
	path = paths[i];
	if (!shared_dir[0]) {
		snprintf(shared_dir, sizeof(shared_dir), "/tmp/test-tools.XXXXXX");
		if (!mkdtemp(shared_dir) || chmod(shared_dir, 0755)) {
			shared_dir[0] = '\0';
			return src;
		}
		atexit(remove_shared_dir);
	}
	snprintf(path, sizeof(paths[i]), "%s/%s", shared_dir, name);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 0755 %s", src, path,
		 path);
	if (system(cmd)) {
		path[0] = '\0';
		return exe_beside(name);
	}
	return path;
}

char *run_capture(const char *cmd, int *status)
{
	size_t len = 0, cap = 4096, n;
	char *out = malloc(cap), *tmp;
	FILE *p;
	int st;

	*status = -1;
	fflush(stdout);	/* the child must not repeat our buffered output */
	p = out ? popen(cmd, "r") : NULL;
	if (!p) {
		free(out);
		return NULL;
	}
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len > 1)
			continue;
		tmp = realloc(out, cap * 2);
		if (!tmp)
			break;
		out = tmp;
		cap *= 2;
	}
	out[len] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return out;
}

bool workload_start(struct workload *wl, const char *tag)
{
	return workload_start_args(wl, tag, NULL);
}

bool workload_start_args(struct workload *wl, const char *tag,
			 const char *const *extra)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	const char *argv[32] = {
		"dmabuf-workload", "--hold", "600", "--manifest", wl->manifest,
		"--ready-file", wl->ready,
	};
	int i, n = 7, status;
	char exe[4096];

	for (i = 0; extra && extra[i] && n < 31; i++)
		argv[n++] = extra[i];

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
		execvp(exe, (char *const *)argv);
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

/* Adds pid to b's holders once; its index there, or -1 if full. */
static int add_holder(struct mf_buf *b, pid_t pid)
{
	int i;

	for (i = 0; i < b->nr_holders; i++)
		if (b->holders[i] == pid)
			return i;
	if (b->nr_holders == MF_MAX_HOLDERS)
		return -1;
	b->holders[b->nr_holders] = pid;
	return b->nr_holders++;
}

static struct mf_proc *proc_of(struct manifest *mf, pid_t pid)
{
	int i;

	for (i = 0; i < mf->nr_procs; i++)
		if (mf->procs[i].pid == pid)
			return &mf->procs[i];
	return NULL;
}

/* fd=pid:fd,... and map=pid,...: holders, and fds and maps per process */
static void parse_holders(struct manifest *mf, struct mf_buf *b,
			  const char *list, bool fds)
{
	const char *p = list;
	struct mf_proc *proc;
	char *end;
	long pid;
	int k;

	while (*p && *p != '-') {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		k = add_holder(b, pid);
		if (k >= 0 && fds)
			b->fds[k]++;
		else if (k >= 0)
			b->maps[k]++;
		proc = proc_of(mf, pid);
		if (proc && fds)
			proc->nr_fds++;
		else if (proc)
			proc->nr_maps++;
		p = strchr(end, ',');
		if (!p)
			break;
		p++;
	}
}

int manifest_read(const char *path, struct manifest *mf)
{
	char line[8192], fds[4096], maps[4096], import[1024];
	FILE *f = fopen(path, "r");
	int i, k;

	memset(mf, 0, sizeof(*mf));
	if (!ASSERT_OK_PTR(f, "open the manifest"))
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct mf_proc *p;
		struct mf_buf *b;
		void *grown;
		int pid;

		if (sscanf(line, "leaker pid=%d", &pid) == 1) {
			mf->leaker = pid;
		} else if (!strncmp(line, "process ", 8)) {
			grown = realloc(mf->procs, (mf->nr_procs + 1) *
					sizeof(*mf->procs));
			if (!ASSERT_OK_PTR(grown, "manifest memory"))
				goto fail;
			mf->procs = grown;
			p = &mf->procs[mf->nr_procs];
			memset(p, 0, sizeof(*p));
			if (sscanf(line, "process pid=%d comm=%31s", &p->pid,
				   p->comm) == 2)
				mf->nr_procs++;
		} else if (!strncmp(line, "buffer ", 7)) {
			grown = realloc(mf->bufs, (mf->nr_bufs + 1) *
					sizeof(*mf->bufs));
			if (!ASSERT_OK_PTR(grown, "manifest memory"))
				goto fail;
			mf->bufs = grown;
			b = &mf->bufs[mf->nr_bufs];
			memset(b, 0, sizeof(*b));
			if (!ASSERT_EQ(sscanf(line, "buffer ino=%lu size=%" SCNu64 " source=%15s exp_name=%63s name=%63s fd=%4095s map=%4095s import=%1023s",
					      &b->ino, &b->size, b->source,
					      b->exp_name, b->name, fds, maps,
					      import), 8, "manifest buffer line"))
				continue;
			parse_holders(mf, b, fds, true);
			parse_holders(mf, b, maps, false);
			b->imported = strcmp(import, "-");
			mf->nr_bufs++;
			mf->bytes += b->size;
			if (!b->nr_holders) {
				mf->kernel_only++;
				mf->kernel_only_bytes += b->size;
			}
		}
	}
	fclose(f);
	/* per process: the buffers it holds, once each, and its share */
	for (i = 0; i < mf->nr_bufs; i++) {
		struct mf_buf *b = &mf->bufs[i];

		for (k = 0; k < b->nr_holders; k++) {
			struct mf_proc *p = proc_of(mf, b->holders[k]);

			if (!p)
				continue;
			p->nr_bufs++;
			p->rss += b->size;
			p->pss += b->size / b->nr_holders;
		}
	}
	return 0;
fail:
	fclose(f);
	manifest_free(mf);
	return -ENOMEM;
}

void manifest_free(struct manifest *mf)
{
	free(mf->procs);
	free(mf->bufs);
	memset(mf, 0, sizeof(*mf));
}

const struct mf_proc *manifest_proc(const struct manifest *mf, pid_t pid)
{
	return proc_of((struct manifest *)mf, pid);
}

const struct mf_buf *manifest_buf(const struct manifest *mf,
				  unsigned long ino)
{
	int i;

	for (i = 0; i < mf->nr_bufs; i++)
		if (mf->bufs[i].ino == ino)
			return &mf->bufs[i];
	return NULL;
}
