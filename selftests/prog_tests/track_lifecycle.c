// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle tracking as a user runs it: `dmabufstat track start` (the CLI
 * exits; tracking goes on), dmabuf-lifecycle allocates in one process,
 * hands buffers to others, exits, and leaves one buffer kept only by a
 * vgem import; every allocator, importer, age ordering and orphan flag is
 * checked against its manifest, a buffer from before the start must say
 * so, and `track stop` must leave no pin, link or map behind. A map too
 * small is counted, never a crash. Where tracing is refused (an
 * unprivileged user; a kernel without tracepoints, fentry or kprobes) the
 * start fails with one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <json-c/json.h>

#include "bufsrc.h"
#include "json_query.h"
#include "libdmabufstat.h"
#include "test_progs.h"
#include "workload.h"

/* `dmabufstat ARGS` as uid (0: as we are); its stderr into err. */
static int run_cli(uid_t uid, const char *const *args, char *err, size_t len)
{
	char path[] = "/tmp/track-err.XXXXXX";
	const char *argv[16] = { "dmabufstat" };
	int fd, st, n = 1, i;
	ssize_t got;
	pid_t pid;

	/* another user may not reach the build folder: a copy it can */
	const char *tool = uid ? exe_for_all("dmabufstat") :
				 exe_beside("dmabufstat");

	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(fd, 2);
		if (uid && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			    setresuid(uid, uid, uid)))
			_exit(126);
		execvp(tool, (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	got = pread(fd, err, len - 1, 0);
	err[got > 0 ? got : 0] = '\0';
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void refused_unprivileged(void)
{
	const char *args[] = { "track", "start", NULL };
	char err[1024];
	int st;

	if (geteuid()) {
		test__skip_reason("not root: cannot switch to another user");
		return;
	}
	st = run_cli(65534, args, err, sizeof(err));
	ASSERT_NEQ(st, 126, "switched to uid 65534");
	ASSERT_EQ(st, 1, "exit status");
	ASSERT_EQ(count_lines(err), 1, "one line on stderr");
	ASSERT_HAS_SUBSTR(err, "dmabufstat: error:", "error line");
	ASSERT_EQ(access(DMABUFSTAT_TRACK_DIR, F_OK), -1, "nothing pinned");
}

/* Not tracking: status says so, in JSON too, with exit status 3. */
static void status_off(void)
{
	char cmd[512], *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s track status -o json",
		 exe_beside("dmabufstat"));
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, cmd)) {
		ASSERT_EQ(st, 3, "status exit: not tracking");
		ASSERT_HAS_SUBSTR(out, "\"tracking\": false", "JSON: off");
	}
	free(out);
}

static void refused_kernel(void)
{
	const char *start[] = { "track", "start", NULL };
	const char *stop[] = { "track", "stop", NULL };
	char err[1024];
	int st;

	if (geteuid()) {
		test__skip_reason("not root");
		return;
	}
	st = run_cli(0, start, err, sizeof(err));
	if (st == 0) {
		run_cli(0, stop, err, sizeof(err));
		test__skip_reason("this kernel allows tracking");
		return;
	}
	ASSERT_EQ(st, 1, "exit status");
	ASSERT_EQ(count_lines(err), 1, "one line on stderr");
	ASSERT_HAS_SUBSTR(err, "track start: ", "names the command");
	ASSERT_EQ(access(DMABUFSTAT_TRACK_DIR, F_OK), -1, "nothing pinned");
	status_off();
}

/*
 * The method is the kernel's best: tracepoints where vmlinux BTF has the
 * dma-buf events (6.12 patched, 7.0+), else fentry or kprobes.
 */
static void method(void)
{
	const char *start[] = { "track", "start", NULL };
	const char *stop[] = { "track", "stop", NULL };
	struct dmabufstat_track_status st;
	struct dmabufstat *ds = NULL;
	struct btf *btf;
	bool have_tp;
	char err[1024];

	btf = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(btf, "vmlinux BTF"))
		return;
	have_tp = btf__find_by_name_kind(btf, "btf_trace_dma_buf_export",
					 BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	run_cli(0, stop, err, sizeof(err));
	if (run_cli(0, start, err, sizeof(err))) {
		ASSERT_FALSE(have_tp, "tracepoints there, yet refused");
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	ds = dmabufstat_new(NULL);
	if (ASSERT_OK_PTR(ds, "context") &&
	    ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status")) {
		if (have_tp)
			ASSERT_EQ(st.method, DMABUFSTAT_TRACK_TRACEPOINTS,
				  "tracepoints where the kernel has them");
		else
			ASSERT_NEQ(st.method, DMABUFSTAT_TRACK_TRACEPOINTS,
				   "no tracepoints where the kernel lacks them");
		if (test__verbose())
			printf("method %s, releases %s\n",
			       dmabufstat_track_method_name(st.method),
			       st.sees_release ? "seen" : "not seen");
	}
	dmabufstat_free(ds);
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
}

/* The pinned links' and the entries map's ids, for after the stop. */
struct track_ids {
	__u32 links[16];
	int nr_links;
	__u32 map;
};

static bool read_ids(struct track_ids *ids)
{
	struct bpf_link_info li;
	struct bpf_map_info mi;
	char path[512];
	struct dirent *de;
	__u32 len;
	DIR *d;
	int fd;

	memset(ids, 0, sizeof(*ids));
	d = opendir(DMABUFSTAT_TRACK_DIR);
	if (!ASSERT_OK_PTR(d, "track dir"))
		return false;
	while ((de = readdir(d)) && ids->nr_links < 16) {
		bool link = !strncmp(de->d_name, DMABUFSTAT_TRACK_PIN_LINK,
				     strlen(DMABUFSTAT_TRACK_PIN_LINK));

		if (!link && strcmp(de->d_name, DMABUFSTAT_TRACK_PIN_BUFS))
			continue;
		snprintf(path, sizeof(path), "%s/%s", DMABUFSTAT_TRACK_DIR,
			 de->d_name);
		fd = bpf_obj_get(path);
		if (!ASSERT_OK_FD(fd, path))
			continue;
		memset(&li, 0, sizeof(li));
		memset(&mi, 0, sizeof(mi));
		len = link ? sizeof(li) : sizeof(mi);
		if (ASSERT_OK(bpf_obj_get_info_by_fd(fd, link ? (void *)&li :
						     (void *)&mi, &len),
			      "info")) {
			if (link)
				ids->links[ids->nr_links++] = li.id;
			else
				ids->map = mi.id;
		}
		close(fd);
	}
	closedir(d);
	return ASSERT_GE(ids->nr_links, 5, "links pinned") &&
	       ASSERT_NEQ(ids->map, 0, "entries map pinned");
}

/* Is link id still in the kernel's list? */
static bool link_listed(__u32 id)
{
	__u32 cur = 0;

	while (!bpf_link_get_next_id(cur, &cur))
		if (cur == id)
			return true;
	return false;
}

/* After track stop: no pin, and (freed asynchronously) no link, no map. */
static void check_stopped(const struct track_ids *ids)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	bool gone = false;
	int i, k, fd;

	ASSERT_EQ(access(DMABUFSTAT_TRACK_DIR, F_OK), -1, "track dir gone");
	for (k = 0; k < 50 && !gone; k++) {
		gone = true;
		for (i = 0; i < ids->nr_links; i++)
			gone &= !link_listed(ids->links[i]);
		fd = bpf_map_get_fd_by_id(ids->map);
		if (fd >= 0) {
			close(fd);
			gone = false;
		}
		if (!gone)
			nanosleep(&ts, NULL);
	}
	for (i = 0; i < ids->nr_links; i++)
		ASSERT_FALSE(link_listed(ids->links[i]), "link detached");
	fd = bpf_map_get_fd_by_id(ids->map);
	ASSERT_LT(fd, 0, "entries map freed");
	if (fd >= 0)
		close(fd);
}

/* dmabuf-lifecycle's manifest. */
struct lc_buf {
	char name[32];
	unsigned long ino;
	int order;
	pid_t alloc, holder, keeper;
	bool orphan;
};

struct lc_manifest {
	struct lc_buf bufs[8];
	int nr;
	pid_t exited[4];	/* allocators that exited */
	int nr_exited;
};

static bool read_manifest(const char *path, struct lc_manifest *m)
{
	char line[256], role[32], comm[32];
	FILE *f = fopen(path, "r");
	int pid, exited;

	memset(m, 0, sizeof(*m));
	if (!ASSERT_OK_PTR(f, "manifest"))
		return false;
	while (fgets(line, sizeof(line), f)) {
		struct lc_buf *b = &m->bufs[m->nr];

		if (sscanf(line, "proc %31s %d %31s %d", role, &pid, comm,
			   &exited) == 4 && exited && m->nr_exited < 4)
			m->exited[m->nr_exited++] = pid;
		if (m->nr < 8 &&
		    sscanf(line, "buf %31s %lu %d alloc=%d holders=%d", b->name,
			   &b->ino, &b->order, &b->alloc, &b->holder) >= 4) {
			char *k = strstr(line, "keeper="), *o = strstr(line, "orphan=");

			if (!strstr(line, "holders=") ||
			    strstr(line, "holders= "))
				b->holder = 0;
			b->keeper = k ? atoi(k + 7) : 0;
			b->orphan = o && o[7] == '1';
			m->nr++;
		}
	}
	fclose(f);
	return ASSERT_GE(m->nr, 3, "manifest buffers");
}

static bool exited(const struct lc_manifest *m, pid_t pid)
{
	int i;

	for (i = 0; i < m->nr_exited; i++)
		if (m->exited[i] == pid)
			return true;
	return false;
}

/* `dmabufstat ARGS -o json`, parsed (json_object_put() it). */
static json_object *cli_json(const char *args)
{
	char cmd[512];
	json_object *o;
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s -o json", exe_beside("dmabufstat"),
		 args);
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
		free(out);
		return NULL;
	}
	o = json_tokener_parse(out);
	free(out);
	ASSERT_OK_PTR(o, "JSON");
	return o;
}

static bool u64_in(json_object *arr, uint64_t v)
{
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	for (i = 0; i < n; i++)
		if ((uint64_t)json_object_get_int64(
				json_object_array_get_idx(arr, i)) == v)
			return true;
	return false;
}

static void check_buffer(json_object *bufs, const struct lc_manifest *m,
			 const struct lc_buf *b)
{
	json_object *o = jfind(bufs, "ino", b->ino), *pids;
	bool alive = !exited(m, b->alloc);

	if (!ASSERT_OK_PTR(o, b->name))
		return;
	if (test__verbose())
		printf("%s: %s\n", b->name,
		       json_object_to_json_string(o));
	ASSERT_STREQ(js(o, "tracked"), "export", "seen at export");
	ASSERT_EQ(ju(o, "alloc_pid"), (uint64_t)b->alloc, "allocator");
	ASSERT_EQ(json_object_get_boolean(jget(o, "alloc_alive")), alive,
		  "allocator alive");
	ASSERT_EQ(json_object_get_boolean(jget(o, "orphan")), b->orphan,
		  "orphan flag");
	ASSERT_EQ(ju(o, "keeper_pid"), (uint64_t)b->keeper, "kept by");
	pids = jget(o, "pids");
	if (b->holder)
		ASSERT_TRUE(u64_in(pids, b->holder), "holder");
	else
		ASSERT_EQ(json_object_array_length(pids), 0, "no holder");
	if (b->keeper)
		ASSERT_TRUE(u64_in(jget(o, "importer_pids"), b->keeper),
			    "importer listed");
}

/* The dmabuf_allocated_bytes series of a scrape: how many, the largest. */
static int allocated_series(const char *out, unsigned long long *max)
{
	static const char name[] = "\ndmabuf_allocated_bytes{";
	const char *p = out, *v;
	int n = 0;

	*max = 0;
	while ((p = strstr(p, name))) {
		p += strlen(name);
		v = strchr(p, '}');
		if (!v)
			break;
		n++;
		if (strtoull(v + 1, NULL, 10) > *max)
			*max = strtoull(v + 1, NULL, 10);
	}
	return n;
}

/*
 * export --prometheus: the orphans the manifest has, tracking named; the
 * allocators' series bounded by --top like the processes' (the largest
 * first).
 */
static void check_prometheus(const struct lc_manifest *m)
{
	char cmd[512], *out, *line;
	unsigned long long max_all, max_one;
	int st, i, want = 0, all;

	for (i = 0; i < m->nr; i++)
		want += m->bufs[i].orphan;
	snprintf(cmd, sizeof(cmd), "%s export --prometheus",
		 exe_beside("dmabufstat"));
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, "export status"))
		goto out;
	ASSERT_HAS_SUBSTR(out, "dmabufstat_tracking_info{method=", "method");
	line = strstr(out, "\ndmabuf_orphan_buffers ");
	if (ASSERT_OK_PTR(line, "dmabuf_orphan_buffers"))
		ASSERT_EQ(atoi(line + strlen("\ndmabuf_orphan_buffers ")), want,
			  "orphans exported");
	all = allocated_series(out, &max_all);
	ASSERT_GT(all, 1, "allocators exported (default --top 10)");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s export --prometheus --top 1",
		 exe_beside("dmabufstat"));
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, "export --top 1"))
		goto out;
	ASSERT_EQ(allocated_series(out, &max_one), 1, "--top 1: one allocator");
	ASSERT_EQ(max_one, max_all, "--top 1: the largest allocator");
out:
	free(out);
}

/* dmabuf-top's leaks view, batch JSON: the same buffers as --orphans. */
static void check_top(const struct lc_manifest *m)
{
	char cmd[512], *out;
	json_object *o, *bufs;
	int st, i, want = 0;

	snprintf(cmd, sizeof(cmd), "%s -b -o json --orphans -s age 0.1 1",
		 exe_beside("dmabuf-top"));
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, "dmabuf-top status")) {
		free(out);
		return;
	}
	o = json_tokener_parse(out);
	free(out);
	bufs = o ? jget(o, "buffers") : NULL;
	if (ASSERT_OK_PTR(bufs, "dmabuf-top buffers")) {
		for (i = 0; i < m->nr; i++) {
			bool leak = m->bufs[i].orphan || m->bufs[i].keeper;

			want += leak;
			ASSERT_EQ(jfind(bufs, "ino", m->bufs[i].ino) != NULL,
				  leak, "dmabuf-top leaks view");
		}
		ASSERT_EQ((int)json_object_array_length(bufs), want,
			  "dmabuf-top leaks listed");
	}
	if (o)
		json_object_put(o);
}

static pid_t start_lifecycle(char *dir, size_t len, char *manifest)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	char ready[128], exe[4096];
	int i, st;
	pid_t pid;

	snprintf(dir, len, "/tmp/lifecycle.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return -1;
	snprintf(manifest, 128, "%s/manifest", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	snprintf(exe, sizeof(exe), "%s", exe_beside("dmabuf-lifecycle"));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp(exe, "dmabuf-lifecycle", "--manifest", manifest,
		       "--ready-file", ready, (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 1200; i++) {
		if (!access(ready, F_OK))
			return pid;
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		nanosleep(&ts, NULL);
	}
	ASSERT_TRUE(false, "dmabuf-lifecycle ready");
	return -1;
}

static int make_buffer(void)
{
	int fd = heap_alloc("system", 4096);

	return fd >= 0 ? fd : udmabuf_create(4096);
}

/* track status -o json: what the library's status says. */
static void check_status_json(void)
{
	struct dmabufstat_track_status st;
	struct dmabufstat *ds = dmabufstat_new(NULL);
	json_object *o = cli_json("track status");

	if (ASSERT_OK_PTR(ds, "dmabufstat_new") && ASSERT_OK_PTR(o, "status JSON") &&
	    ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status")) {
		ASSERT_TRUE(json_object_get_boolean(jget(o, "tracking")),
			    "JSON: tracking");
		ASSERT_STREQ(js(o, "method"),
			     dmabufstat_track_method_name(st.method),
			     "JSON: method");
		ASSERT_EQ(ju(o, "max_entries"), st.max_entries,
			  "JSON: max_entries");
		ASSERT_EQ(ju(o, "dropped"), st.dropped, "JSON: dropped");
		ASSERT_LE(ju(o, "exports"), st.exports, "JSON: exports");
		ASSERT_EQ(json_object_get_boolean(jget(o, "sees_release")),
			  st.sees_release, "JSON: sees_release");
	}
	json_object_put(o);
	dmabufstat_free(ds);
}

static void lifecycle(void)
{
	const char *start[] = { "track", "start", NULL };
	const char *stop[] = { "track", "stop", NULL };
	const char *status[] = { "track", "status", NULL };
	char err[1024], dir[64] = "", manifest[128];
	json_object *doc = NULL, *leaks = NULL, *procs = NULL, *bufs, *o;
	struct lc_manifest m;
	struct track_ids ids;
	unsigned long before_ino;
	pid_t lc = -1;
	int before, i, j, st;

	before = make_buffer();
	if (before < 0) {
		test__skip_reason("no buffer source (system heap, udmabuf)");
		return;
	}
	before_ino = ino_of_fd(before);
	run_cli(0, stop, err, sizeof(err));
	st = run_cli(0, start, err, sizeof(err));
	if (st) {
		close(before);
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	/* the CLI that started it has exited: tracking must go on */
	ASSERT_EQ(run_cli(0, status, err, sizeof(err)), 0, "status: on");
	check_status_json();
	if (!read_ids(&ids))
		goto out;
	lc = start_lifecycle(dir, sizeof(dir), manifest);
	if (lc < 0 || !read_manifest(manifest, &m))
		goto out;

	doc = cli_json("buffers");
	bufs = doc ? jget(doc, "buffers") : NULL;
	if (!ASSERT_OK_PTR(bufs, "buffers") ||
	    !ASSERT_OK_PTR(jget(doc, "tracking"), "tracking in JSON"))
		goto out;
	for (i = 0; i < m.nr; i++)
		check_buffer(bufs, &m, &m.bufs[i]);
	/* older first in allocation order: ages strictly decreasing */
	for (i = 0; i < m.nr; i++)
		for (j = 0; j < m.nr; j++) {
			json_object *a = jfind(bufs, "ino", m.bufs[i].ino);
			json_object *b = jfind(bufs, "ino", m.bufs[j].ino);

			if (a && b && m.bufs[i].order < m.bufs[j].order)
				ASSERT_GT(json_object_get_int64(jget(a, "age_ns")),
					  json_object_get_int64(jget(b, "age_ns")),
					  "age ordering");
		}
	o = jfind(bufs, "ino", before_ino);
	if (ASSERT_OK_PTR(o, "buffer from before tracking")) {
		ASSERT_STREQ(js(o, "tracked"), "before", "before: tracked");
		ASSERT_STREQ(js(o, "allocator"), "before tracking",
			     "before: allocator");
		ASSERT_EQ(json_object_get_int64(jget(o, "age_ns")), -1,
			  "before: no age");
		ASSERT_FALSE(json_object_get_boolean(jget(o, "orphan")),
			     "before: never an orphan");
	}

	/* --orphans: exactly the manifest's orphans and kept buffers */
	leaks = cli_json("buffers --orphans");
	bufs = leaks ? jget(leaks, "buffers") : NULL;
	if (ASSERT_OK_PTR(bufs, "orphans")) {
		int want = 0;

		for (i = 0; i < m.nr; i++) {
			bool leak = m.bufs[i].orphan || m.bufs[i].keeper;

			want += leak;
			ASSERT_EQ(jfind(bufs, "ino", m.bufs[i].ino) != NULL,
				  leak, m.bufs[i].name);
		}
		ASSERT_EQ((int)json_object_array_length(bufs), want,
			  "orphans listed");
	}

	/* allocated against held: the server allocated two, holds one */
	procs = cli_json("procs");
	bufs = procs ? jget(procs, "processes") : NULL;
	for (i = 0; bufs && i < m.nr; i++) {
		uint64_t alloc = 0;

		if (exited(&m, m.bufs[i].alloc))
			continue;
		for (j = 0; j < m.nr; j++)
			if (m.bufs[j].alloc == m.bufs[i].alloc)
				alloc += 4096;
		o = jfind(bufs, "pid", m.bufs[i].alloc);
		if (ASSERT_OK_PTR(o, "allocator in procs"))
			ASSERT_EQ(ju(o, "allocated"), alloc, "allocated");
	}
	check_prometheus(&m);
	check_top(&m);
	kill(lc, SIGTERM);
	waitpid(lc, NULL, 0);
	lc = -1;
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
	check_stopped(&ids);
out:
	if (lc > 0) {
		kill(lc, SIGTERM);
		waitpid(lc, NULL, 0);
	}
	if (doc)
		json_object_put(doc);
	if (leaks)
		json_object_put(leaks);
	if (procs)
		json_object_put(procs);
	run_cli(0, stop, err, sizeof(err));
	if (dir[0] == '/') {
		snprintf(err, sizeof(err), "%s/manifest", dir);
		unlink(err);
		snprintf(err, sizeof(err), "%s/ready", dir);
		unlink(err);
		rmdir(dir);
	}
	close(before);
}

/* A map of 4 entries under 12 new buffers: dropped, counted, no crash. */
static void overflow(void)
{
	const char *start[] = { "track", "start", "--entries", "4", NULL };
	const char *stop[] = { "track", "stop", NULL };
	struct dmabufstat_track_status st;
	struct dmabufstat_snapshot *snap = NULL;
	const struct dmabufstat_buffer_track *t;
	int fds[12], i, nr = 0, mine = 0, unknown = 0;
	struct dmabufstat *ds = NULL;
	char err[1024];
	size_t k;

	if (!have_buffer_source()) {
		test__skip_reason("no buffer source");
		return;
	}
	run_cli(0, stop, err, sizeof(err));
	if (run_cli(0, start, err, sizeof(err))) {
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	for (i = 0; i < 12; i++) {
		fds[nr] = make_buffer();
		if (fds[nr] >= 0)
			nr++;
	}
	if (!ASSERT_EQ(nr, 12, "buffers made"))
		goto out;
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "context") ||
	    !ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status"))
		goto out;
	ASSERT_EQ(st.max_entries, 4, "max entries");
	ASSERT_LE(st.entries, 4, "entries within the map");
	ASSERT_EQ(st.exports, 4, "exports the map took");
	ASSERT_GE(st.dropped, (uint64_t)nr - 4, "dropped counted");
	if (!ASSERT_OK(dmabufstat_snapshot(ds, &snap), "snapshot"))
		goto out;
	for (i = 0; i < nr; i++) {
		if (!dmabufstat_find_buffer(snap, ino_of_fd(fds[i]), &k))
			continue;
		t = dmabufstat_buffer_track(snap, k);
		if (!ASSERT_OK_PTR(t, "tracking joined"))
			break;
		mine += (t->flags & DMABUFSTAT_TRK_EXPORT) &&
			t->alloc_pid == (uint32_t)getpid();
		unknown += !!(t->flags & DMABUFSTAT_TRK_UNKNOWN);
	}
	ASSERT_EQ(mine, 4, "tracked buffers attributed");
	ASSERT_EQ(unknown, nr - 4, "the others unknown, not guessed");
out:
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
	for (i = 0; i < nr; i++)
		close(fds[i]);
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
}

/*
 * dmabuf-workload's kernel-only buffers, from its manifest: each listed
 * by --orphans, kept by the process of its vgem import, or with none, by
 * the process whose vgem handle it was exported from; none an orphan (the
 * workload's processes all run).
 */
static void workload_keepers(void)
{
	const char *start[] = { "track", "start", NULL };
	const char *stop[] = { "track", "stop", NULL };
	struct workload wl = WORKLOAD_INIT;
	json_object *leaks = NULL, *bufs, *o;
	char err[1024], line[1024];
	int kernel_only = 0;
	FILE *f = NULL;

	if (!have_buffer_source()) {
		test__skip_reason("no buffer source");
		return;
	}
	run_cli(0, stop, err, sizeof(err));
	if (run_cli(0, start, err, sizeof(err))) {
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	if (!workload_start(&wl, "track-wl"))
		goto out;
	leaks = cli_json("buffers --orphans");
	bufs = leaks ? jget(leaks, "buffers") : NULL;
	f = fopen(wl.manifest, "r");
	if (!ASSERT_OK_PTR(bufs, "orphans") || !ASSERT_OK_PTR(f, "manifest"))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char fds[256], maps[256], imp[256], handle[256];
		unsigned long ino;
		int keeper = 0;

		if (sscanf(line, "buffer ino=%lu %*s %*s %*s %*s fd=%255s map=%255s import=%255s handle=%255s",
			   &ino, fds, maps, imp, handle) != 5 ||
		    strcmp(fds, "-") || strcmp(maps, "-"))
			continue;
		kernel_only++;
		/* pid:handle,...: the first import, else the handle */
		keeper = atoi(strcmp(imp, "-") ? imp : handle);
		o = jfind(bufs, "ino", ino);
		if (!ASSERT_OK_PTR(o, "kernel-only buffer listed"))
			continue;
		ASSERT_EQ(ju(o, "keeper_pid"), (uint64_t)keeper, "kept by");
		ASSERT_FALSE(json_object_get_boolean(jget(o, "orphan")),
			     "allocator runs: no orphan");
	}
	ASSERT_GT(kernel_only, 0, "the workload has kernel-only buffers");
	ASSERT_EQ((int)json_object_array_length(bufs), kernel_only,
		  "only those listed");
out:
	if (f)
		fclose(f);
	if (leaks)
		json_object_put(leaks);
	workload_stop(&wl);
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
}

/* --no-release: a freed buffer's entry stays until a snapshot drops it. */
static void prune(void)
{
	const char *start[] = { "track", "start", "--no-release", NULL };
	const char *stop[] = { "track", "stop", NULL };
	struct dmabufstat_snapshot *snap = NULL;
	const struct dmabufstat_buffer_track *t;
	struct dmabufstat_track_status st;
	struct dmabufstat *ds = NULL;
	int freed, kept = -1;
	char err[1024];
	size_t k;

	if (!have_buffer_source()) {
		test__skip_reason("no buffer source");
		return;
	}
	run_cli(0, stop, err, sizeof(err));
	if (run_cli(0, start, err, sizeof(err))) {
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	ds = dmabufstat_new(NULL);
	if (!ASSERT_OK_PTR(ds, "context") ||
	    !ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status"))
		goto out;
	ASSERT_FALSE(st.sees_release, "no release hook");
	freed = make_buffer();
	kept = make_buffer();
	if (!ASSERT_OK_FD(freed, "buffer") || !ASSERT_OK_FD(kept, "buffer"))
		goto out;
	close(freed);
	if (!ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status"))
		goto out;
	ASSERT_EQ(st.entries, 2, "the freed buffer's entry stays");
	if (!ASSERT_OK(dmabufstat_snapshot(ds, &snap), "snapshot"))
		goto out;
	if (ASSERT_OK_PTR(dmabufstat_find_buffer(snap, ino_of_fd(kept), &k),
			  "kept buffer")) {
		t = dmabufstat_buffer_track(snap, k);
		if (ASSERT_OK_PTR(t, "joined"))
			ASSERT_EQ(t->alloc_pid, (uint32_t)getpid(), "allocator");
	}
	if (ASSERT_OK(dmabufstat_track_status(ds, NULL, &st), "status"))
		ASSERT_EQ(st.entries, 1, "the snapshot pruned the freed one");
out:
	if (kept >= 0)
		close(kept);
	dmabufstat_snapshot_free(snap);
	dmabufstat_free(ds);
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
}

/* --stacks: the export's user stack, symbolised: our ioctl() into libc. */
static void stacks(void)
{
	const char *start[] = { "track", "start", "--stacks", NULL };
	const char *stop[] = { "track", "stop", NULL };
	char err[1024], cmd[512], *out;
	int fd, st;

	if (!have_buffer_source()) {
		test__skip_reason("no buffer source");
		return;
	}
	run_cli(0, stop, err, sizeof(err));
	if (run_cli(0, start, err, sizeof(err))) {
		test__skip_reason("tracking refused: %s", err);
		return;
	}
	fd = make_buffer();
	if (!ASSERT_OK_FD(fd, "buffer"))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s track stack %lu",
		 exe_beside("dmabufstat"), ino_of_fd(fd));
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, cmd) && ASSERT_EQ(st, 0, "track stack")) {
		if (test__verbose())
			printf("%s", out);
		ASSERT_HAS_SUBSTR(out, "allocated by ", "allocator line");
		/* the innermost frame: the ioctl() that allocated it */
		ASSERT_HAS_SUBSTR(out, "#0 ", "a frame");
		ASSERT_HAS_SUBSTR(out, "(ioctl+0x", "symbolised in libc");
	}
	free(out);
	close(fd);
out:
	ASSERT_EQ(run_cli(0, stop, err, sizeof(err)), 0, "track stop");
}

void test_track_lifecycle(void)
{
	if (test__start_subtest("refused_unprivileged"))
		refused_unprivileged();
	if (test__start_subtest("refused_kernel"))
		refused_kernel();
	if (test__start_subtest("method"))
		method();
	if (test__start_subtest("lifecycle"))
		lifecycle();
	if (test__start_subtest("overflow"))
		overflow();
	if (test__start_subtest("stacks"))
		stacks();
	if (test__start_subtest("prune"))
		prune();
	if (test__start_subtest("workload_keepers"))
		workload_keepers();
}
