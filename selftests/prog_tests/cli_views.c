// SPDX-License-Identifier: GPL-2.0
/*
 * The dmabufstat CLI, run as a program, as a user would.
 *
 * cli_basic: every view in every format exits 0, the JSON parses (json-c)
 * and names the backend, with as many buffers as debugfs bufinfo lists (or
 * none on a machine without buffer sources); --help and --version; usage
 * errors and the no-privilege error are one line and a non-zero exit.
 *
 * cli_workload (machines with buffer sources: the guest): dmabuf-workload
 * makes its population, and every figure of `dmabufstat VIEW -o json`
 * through each backend the kernel offers is checked against ground truth
 * gathered here from debugfs bufinfo, /proc/<pid>/fd + fdinfo, maps and
 * status, and against the workload's manifest. Then a buffer whose name
 * holds a quote, a newline, a comma and a byte that is not UTF-8 must come
 * back exactly (JSON name_hex, CSV quoting).
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "json_query.h"
#include "workload.h"
#include "bufsrc.h"

/* ------------------------------------------------------------------ */
/* Running the binary                                                 */

struct run {
	int status;		/* exit code, or 128 + signal */
	char *out, *err;
	size_t out_len;
};

static char *slurp(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	lseek(fd, 0, SEEK_SET);
	while (buf && (r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += r;
		if (cap - n < 2) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				return NULL;
			}
			buf = b;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Runs dmabufstat with args (NULL-terminated); as uid 65534 if nobody. */
static bool run_cli(struct run *r, bool nobody, const char *const *args)
{
	const char *exe = exe_beside("dmabufstat");
	const char *argv[32] = { "dmabufstat" };
	int ofd, efd, st, i;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	ofd = memfd_create("cli-out", 0);
	efd = memfd_create("cli-err", 0);
	if (!ASSERT_OK_FD(ofd, "memfd") || !ASSERT_OK_FD(efd, "memfd"))
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (nobody && (setgroups(0, NULL), setgid(65534) || setuid(65534)))
			_exit(126);
		if (nobody && access(exe, X_OK))
			_exit(125);	/* not reachable by nobody here */
		execvp(exe, (char **)argv);
		_exit(127);
	}
	if (!ASSERT_GT(pid, 0, "fork"))
		return false;
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = slurp(ofd, &r->out_len);
	r->err = slurp(efd, NULL);
	close(ofd);
	close(efd);
	if (test__verbose() || r->status)
		printf("dmabufstat %s%s%s%s%s: exit %d%s%s",
		       args[0] ?: "", args[0] && args[1] ? " " : "",
		       args[0] && args[1] ? args[1] : "",
		       args[0] && args[1] && args[2] ? " " : "",
		       args[0] && args[1] && args[2] ? args[2] : "",
		       r->status, r->err && *r->err ? ", stderr: " : "\n",
		       r->err && *r->err ? r->err : "");
	return r->out && r->err;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* An error: non-zero exit, nothing on stdout, one line on stderr. */
static void check_one_line_error(const struct run *r, int want_status,
				 const char *what)
{
	ASSERT_EQ(r->status, want_status, what);
	ASSERT_EQ(r->out_len, 0, "nothing on stdout");
	ASSERT_EQ(count_lines(r->err), 1, "one line on stderr");
	ASSERT_STRNEQ(r->err, "dmabufstat: error: ", 19, "error prefix");
}

/* Runs a view as JSON and parses it; NULL (after failing) if it cannot. */
static json_object *run_json(const char *backend, const char *view,
			     int *status)
{
	const char *args[8] = { view, "-o", "json" };
	json_object *root;
	struct run r;

	if (backend) {
		args[3] = "--backend";
		args[4] = backend;
	}
	if (!run_cli(&r, false, args))
		return NULL;
	*status = r.status;
	if (r.status) {
		run_free(&r);
		return NULL;
	}
	root = json_tokener_parse(r.out);
	ASSERT_OK_PTR(root, "output parses as JSON");
	run_free(&r);
	return root;
}

/* ------------------------------------------------------------------ */
/* cli_basic                                                          */

static const char *const view_names[] = {
	"summary", "buffers", "exporters", "procs", "devices", "uids",
	"cgroups",
};

static const char *const view_keys[] = {
	"processes", "buffers", "exporters", "processes", "devices", "uids",
	"cgroups",
};

static void subtest_views(void)
{
	const char *fmts[] = { "table", "json", "csv" };
	struct bufinfo bi = { 0 };
	long want = -1;
	size_t v, f;

	if (!bufinfo_read(&bi)) {
		want = bi.nr;
		bufinfo_free(&bi);
	} else if (!have_buffer_source()) {
		want = 0;
	}
	for (v = 0; v < sizeof(view_names) / sizeof(view_names[0]); v++) {
		for (f = 0; f < 3; f++) {
			const char *args[] = { view_names[v], "-o", fmts[f], NULL };
			json_object *root, *tot, *arr;
			struct run r;

			if (!run_cli(&r, false, args))
				continue;
			ASSERT_EQ(r.status, 0, "view exits 0");
			if (f == 0)
				ASSERT_STRNEQ(r.out, "Backend: ", 9,
					      "table: backend line");
			if (f == 2) {
				ASSERT_STRNEQ(r.out, "# dmabufstat ", 13,
					      "csv: comment line");
				ASSERT_HAS_SUBSTR(r.out, " backend=",
						  "csv: backend");
			}
			if (f != 1) {
				run_free(&r);
				continue;
			}
			root = json_tokener_parse(r.out);
			if (ASSERT_OK_PTR(root, "JSON parses")) {
				ASSERT_GT(strlen(js(root, "backend")), 4,
					  "JSON backend");
				ASSERT_STREQ(js(root, "view"), view_names[v],
					     "JSON view");
				tot = jget(root, "totals");
				arr = jget(root, view_keys[v]);
				ASSERT_OK_PTR(tot, "JSON totals");
				ASSERT_TRUE(json_object_is_type(arr,
							json_type_array),
					    "JSON view array");
				if (want >= 0 && tot)
					ASSERT_EQ(ju(tot, "count"),
						  (uint64_t)want,
						  "buffer count = bufinfo's");
				if (!want && v == 1)
					ASSERT_EQ(json_object_array_length(arr),
						  0, "no buffers");
				json_object_put(root);
			}
			run_free(&r);
		}
	}
}

static void subtest_help(void)
{
	const char *h[] = { "--help", NULL }, *V[] = { "--version", NULL };
	struct run r;

	if (run_cli(&r, false, h)) {
		ASSERT_EQ(r.status, 0, "--help exits 0");
		ASSERT_HAS_SUBSTR(r.out, "Usage: dmabufstat", "synopsis");
		ASSERT_HAS_SUBSTR(r.out, "Commands:", "commands");
		ASSERT_HAS_SUBSTR(r.out, "Options:", "options");
		ASSERT_HAS_SUBSTR(r.out, "Exit status:", "exit status");
		ASSERT_HAS_SUBSTR(r.out, "Examples:", "examples");
		ASSERT_HAS_SUBSTR(r.out, "name_hex", "json schema");
		run_free(&r);
	}
	if (run_cli(&r, false, V)) {
		ASSERT_EQ(r.status, 0, "--version exits 0");
		ASSERT_STRNEQ(r.out, "dmabufstat ", 11, "--version line");
		run_free(&r);
	}
}

static void subtest_usage_errors(void)
{
	static const char *const cases[][5] = {
		{ "frobnicate", NULL },
		{ "-o", "xml", NULL },
		{ "buffers", "-s", "nosuchfield", NULL },
		{ "--backend", "nonsense", NULL },
		{ "-r", "many", NULL },
		{ "--no-such-option", NULL },
		{ "procs", "notapid", NULL },
		{ "buffers", "extra", NULL },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!run_cli(&r, false, cases[i]))
			continue;
		check_one_line_error(&r, 2, cases[i][0]);
		run_free(&r);
	}
}

static void subtest_nonroot(void)
{
	const char *args[] = { "buffers", NULL };
	const char *procfs[] = { "--backend", "procfs", "-o", "json", NULL };
	struct run r;

	if (geteuid() != 0) {
		test__skip_reason("not root: cannot switch to nobody");
		return;
	}
	if (run_cli(&r, true, args) && r.status == 125) {
		test__skip_reason("dmabufstat is not executable by nobody here");
		run_free(&r);
		return;
	}
	if (r.out) {
		check_one_line_error(&r, 1, "nobody: error");
		ASSERT_HAS_SUBSTR(r.err, "root", "says root");
		ASSERT_HAS_SUBSTR(r.err, "CAP_BPF", "says CAP_BPF");
		run_free(&r);
	}
	/* asked by name, the /proc backend works unprivileged */
	if (run_cli(&r, true, procfs)) {
		json_object *root = json_tokener_parse(r.out);

		ASSERT_EQ(r.status, 0, "nobody: --backend procfs");
		if (ASSERT_OK_PTR(root, "nobody: JSON parses")) {
			ASSERT_HAS_SUBSTR(js(root, "backend"), "procfs",
					  "nobody: procfs backend");
			json_object_put(root);
		}
		run_free(&r);
	}
}

void test_cli_basic(void)
{
	if (access(exe_beside("dmabufstat"), X_OK) &&
	    access("/proc/self/exe", F_OK)) {
		test__skip_reason("no dmabufstat binary");
		return;
	}
	if (test__start_subtest("views"))
		subtest_views();
	if (test__start_subtest("help"))
		subtest_help();
	if (test__start_subtest("usage_errors"))
		subtest_usage_errors();
	if (test__start_subtest("nonroot"))
		subtest_nonroot();
}

/* ------------------------------------------------------------------ */
/* cli_workload: ground truth                                         */

#define GT_MAX 1024

struct gt_proc {
	pid_t pid;
	unsigned int uid;
	char comm[16];
	unsigned long inos[64];	/* distinct buffers held */
	int nr_inos, nr_fds, nr_maps;
};

static struct {
	struct bufinfo bi;
	struct gt_proc procs[GT_MAX];
	int nr;
} gt;

static void gt_hold(struct gt_proc *p, unsigned long ino)
{
	int i;

	for (i = 0; i < p->nr_inos; i++)
		if (p->inos[i] == ino)
			return;
	if (p->nr_inos < 64)
		p->inos[p->nr_inos++] = ino;
}

/* Every process's dma-buf fds (fdinfo) and mappings (maps' inode column). */
static bool gt_collect(void)
{
	struct dirent *de, *fe;
	DIR *proc, *fds;
	char path[128], line[512];
	FILE *f;

	memset(&gt.procs, 0, sizeof(gt.procs));
	gt.nr = 0;
	if (!ASSERT_OK(bufinfo_read(&gt.bi), "read bufinfo"))
		return false;
	proc = opendir("/proc");
	if (!ASSERT_OK_PTR(proc, "opendir /proc"))
		return false;
	while ((de = readdir(proc)) && gt.nr < GT_MAX) {
		struct gt_proc *p = &gt.procs[gt.nr];
		struct dmabuf_fdinfo fi;
		pid_t pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && (fe = readdir(fds))) {
			if (fe->d_name[0] == '.')
				continue;
			if (fdinfo_read(pid, atoi(fe->d_name), &fi))
				continue;
			p->nr_fds++;
			gt_hold(p, fi.ino);
		}
		if (fds)
			closedir(fds);
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long ino;

			if (!strstr(line, "/dmabuf:") ||
			    sscanf(line, "%*s %*s %*s %*s %lu", &ino) != 1)
				continue;
			p->nr_maps++;
			gt_hold(p, ino);
		}
		if (f)
			fclose(f);
		if (!p->nr_inos)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %u", &p->uid);
			if (!strncmp(line, "Name:\t", 6)) {
				line[strcspn(line, "\n")] = '\0';
				memcpy(p->comm, line + 6,
				       strnlen(line + 6, sizeof(p->comm) - 1));
			}
		}
		if (f)
			fclose(f);
		gt.nr++;
	}
	closedir(proc);
	return true;
}

static int gt_holders(unsigned long ino, uint64_t *pids)
{
	int i, j, n = 0;

	for (i = 0; i < gt.nr; i++)
		for (j = 0; j < gt.procs[i].nr_inos; j++)
			if (gt.procs[i].inos[j] == ino) {
				if (pids)
					pids[n] = gt.procs[i].pid;
				n++;
			}
	return n;
}

static int cmp_u64p(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static json_object *jfind_str(json_object *arr, const char *key,
			      const char *s)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if (!strcmp(js(o, key), s))
			return o;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The workload and its manifest                                      */

static struct workload wl = WORKLOAD_INIT;

/* Adds each pid of "pid:x,pid:y" or "pid,pid" (or "-") to a sorted set. */
static int mf_pids(const char *list, uint64_t *pids, int n)
{
	const char *p = list;
	int i;

	while (*p && *p != '-') {
		uint64_t pid = strtoull(p, NULL, 10);

		for (i = 0; i < n; i++)
			if (pids[i] == pid)
				break;
		if (i == n && n < 16)
			pids[n++] = pid;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return n;
}

/* Manifest buffers against the buffers view. */
static void check_manifest(json_object *bufs)
{
	char line[1024], exp_name[64], name[64], fds[256], maps[256];
	unsigned long long ino, size;
	FILE *f = fopen(wl.manifest, "r");
	int nr = 0;

	if (!ASSERT_OK_PTR(f, "open manifest"))
		return;
	while (fgets(line, sizeof(line), f)) {
		uint64_t want[16], got[16];
		json_object *b, *pids;
		int n, i;

		if (sscanf(line, "buffer ino=%llu size=%llu source=%*s exp_name=%63s name=%63s fd=%255s map=%255s",
			   &ino, &size, exp_name, name, fds, maps) != 6)
			continue;
		nr++;
		b = jfind(bufs, "ino", ino);
		if (!ASSERT_OK_PTR(b, "manifest buffer listed"))
			continue;
		ASSERT_EQ(ju(b, "size"), (uint64_t)size, "manifest size");
		ASSERT_STREQ(js(b, "exp_name"), exp_name, "manifest exp_name");
		ASSERT_STREQ(js(b, "name"), name, "manifest name");
		n = mf_pids(fds, want, 0);
		n = mf_pids(maps, want, n);
		qsort(want, n, sizeof(want[0]), cmp_u64p);
		pids = jget(b, "pids");
		ASSERT_EQ(json_object_array_length(pids), (size_t)n,
			  "manifest holders");
		for (i = 0; i < n && i < 16 &&
			    (size_t)i < json_object_array_length(pids); i++) {
			got[i] = json_object_get_uint64(
					json_object_array_get_idx(pids, i));
			ASSERT_EQ(got[i], want[i], "manifest holder pid");
		}
		ASSERT_EQ(json_object_get_boolean(jget(b, "kernel_only")),
			  n == 0, "manifest kernel-only");
	}
	fclose(f);
	ASSERT_GT(nr, 0, "manifest lists buffers");
}

/* Every figure of every view against gt, for one --backend. */
static void check_backend(const char *backend, bool vanilla)
{
	json_object *root[5] = { 0 }, *bufs, *procs, *exps, *devs, *tot;
	uint64_t bytes = 0, kbytes = 0, kcount = 0, rss_sum = 0, pss_sum = 0;
	const char *names[5] = { "buffers", "procs", "exporters", "devices",
				 "summary" };
	int i, j, k, st = 0;

	for (i = 0; i < 5; i++) {
		root[i] = run_json(backend, names[i], &st);
		if (!root[i]) {
			if (vanilla && backend && !strcmp(backend, "bpf")) {
				/* no iterator: forced BPF must fail, clearly */
				ASSERT_EQ(st, 1, "vanilla: --backend bpf fails");
				goto out;
			}
			ASSERT_OK_PTR(root[i], names[i]);
			goto out;
		}
	}
	if (vanilla && backend && !strcmp(backend, "bpf")) {
		ASSERT_TRUE(false, "vanilla: --backend bpf must fail");
		goto out;
	}
	if (!gt_collect())
		goto out;
	printf("backend %s: %s, %d buffers, %d processes\n", backend ?: "auto",
	       js(root[0], "backend"), gt.bi.nr, gt.nr);
	bufs = jget(root[0], "buffers");
	procs = jget(root[1], "processes");
	exps = jget(root[2], "exporters");
	devs = jget(root[3], "devices");
	tot = jget(root[4], "totals");

	/* buffers vs bufinfo and /proc */
	ASSERT_EQ(json_object_array_length(bufs), (size_t)gt.bi.nr,
		  "buffers: count");
	for (i = 0; i < gt.bi.nr; i++) {
		const struct bufinfo_buf *g = &gt.bi.bufs[i];
		uint64_t pids[GT_MAX];
		json_object *b = jfind(bufs, "ino", g->ino), *a;
		int n = gt_holders(g->ino, pids);

		bytes += g->size;
		if (!n) {
			kbytes += g->size;
			kcount++;
		}
		if (!ASSERT_OK_PTR(b, "bufinfo buffer listed"))
			continue;
		ASSERT_EQ(ju(b, "size"), g->size, "buffer size");
		ASSERT_STREQ(js(b, "exp_name"), g->exp_name, "buffer exp_name");
		if (g->has_name)
			ASSERT_STREQ(js(b, "name"), g->name, "buffer name");
		ASSERT_EQ(ju(b, "procs"), (uint64_t)n, "buffer holders");
		ASSERT_EQ(json_object_get_boolean(jget(b, "kernel_only")),
			  n == 0, "buffer kernel-only");
		qsort(pids, n, sizeof(pids[0]), cmp_u64p);
		a = jget(b, "pids");
		for (j = 0; j < n && (size_t)j < json_object_array_length(a); j++)
			ASSERT_EQ(json_object_get_uint64(
					json_object_array_get_idx(a, j)),
				  pids[j], "buffer holder pid");
		a = jget(b, "devices");
		ASSERT_EQ(json_object_array_length(a), (size_t)g->nr_attached,
			  "buffer devices");
		for (j = 0; j < g->nr_attached &&
			    (size_t)j < json_object_array_length(a); j++)
			ASSERT_STREQ(json_object_get_string(
					json_object_array_get_idx(a, j)),
				     g->attached[j], "buffer device name");
	}
	check_manifest(bufs);

	/* processes: rss, pss (floored per buffer), fds, maps, uid, comm */
	ASSERT_EQ(json_object_array_length(procs), (size_t)gt.nr,
		  "procs: count");
	for (i = 0; i < gt.nr; i++) {
		const struct gt_proc *p = &gt.procs[i];
		json_object *o = jfind(procs, "pid", p->pid);
		uint64_t rss = 0, pss = 0;

		for (j = 0; j < p->nr_inos; j++) {
			const struct bufinfo_buf *g;

			g = bufinfo_find(&gt.bi, p->inos[j]);
			if (!ASSERT_OK_PTR(g, "held buffer in bufinfo"))
				continue;
			rss += g->size;
			pss += g->size / gt_holders(p->inos[j], NULL);
		}
		rss_sum += rss;
		pss_sum += pss;
		if (!ASSERT_OK_PTR(o, "process listed"))
			continue;
		ASSERT_EQ(ju(o, "rss"), rss, "process rss");
		ASSERT_EQ(ju(o, "pss"), pss, "process pss");
		ASSERT_EQ(ju(o, "bufs"), (uint64_t)p->nr_inos, "process bufs");
		ASSERT_EQ(ju(o, "fds"), (uint64_t)p->nr_fds, "process fds");
		ASSERT_EQ(ju(o, "maps"), (uint64_t)p->nr_maps, "process maps");
		ASSERT_EQ(ju(o, "uid"), (uint64_t)p->uid, "process uid");
		ASSERT_STREQ(js(o, "comm"), p->comm, "process comm");
	}

	/* exporters and devices, summed from bufinfo by kernel name */
	for (i = 0; i < gt.bi.nr; i++) {
		const struct bufinfo_buf *g = &gt.bi.bufs[i];
		uint64_t cnt = 0, sum = 0, jc = 0, jb = 0;
		size_t e;

		for (k = 0; k < gt.bi.nr; k++)
			if (!strcmp(gt.bi.bufs[k].exp_name, g->exp_name)) {
				cnt++;
				sum += gt.bi.bufs[k].size;
			}
		for (e = 0; e < json_object_array_length(exps); e++) {
			json_object *o = json_object_array_get_idx(exps, e);

			if (!strcmp(js(o, "exp_name"), g->exp_name)) {
				jc += ju(o, "count");
				jb += ju(o, "bytes");
			}
		}
		ASSERT_EQ(jc, cnt, "exporter count");
		ASSERT_EQ(jb, sum, "exporter bytes");
		for (j = 0; j < g->nr_attached; j++) {
			json_object *d = jfind_str(devs, "name", g->attached[j]);

			cnt = sum = 0;
			for (k = 0; k < gt.bi.nr; k++) {
				int m;

				for (m = 0; m < gt.bi.bufs[k].nr_attached; m++)
					if (!strcmp(gt.bi.bufs[k].attached[m],
						    g->attached[j])) {
						cnt++;
						sum += gt.bi.bufs[k].size;
						break;
					}
			}
			if (!ASSERT_OK_PTR(d, "device listed"))
				continue;
			ASSERT_EQ(ju(d, "count"), cnt, "device count");
			ASSERT_EQ(ju(d, "bytes"), sum, "device bytes");
		}
	}

	/* totals */
	ASSERT_EQ(ju(tot, "count"), (uint64_t)gt.bi.nr, "totals count");
	ASSERT_EQ(ju(tot, "bytes"), bytes, "totals bytes");
	ASSERT_EQ(ju(tot, "bytes"), gt.bi.total_bytes, "totals = bufinfo's");
	ASSERT_EQ(ju(tot, "kernel_count"), kcount, "totals kernel-only");
	ASSERT_EQ(ju(tot, "kernel_bytes"), kbytes, "totals kernel bytes");
	ASSERT_EQ(ju(tot, "userspace_rss"), rss_sum, "totals userspace rss");
	ASSERT_EQ(ju(tot, "userspace_pss"), pss_sum, "totals userspace pss");
	ASSERT_EQ(ju(tot, "processes"), (uint64_t)gt.nr, "totals processes");
	bufinfo_free(&gt.bi);
out:
	for (i = 0; i < 5; i++)
		json_object_put(root[i]);
}

static bool is_vanilla(void)
{
	return access("/sys/kernel/btf/vmlinux", F_OK) == 0 &&
	       system("grep -q bpf_iter__dmabuf /sys/kernel/btf/vmlinux") != 0;
}

/* A name with a quote, a newline, a comma and a non-UTF-8 byte. */
static void subtest_odd_name(void)
{
	static const char odd[] = "q\"x\ny,\xff\xfe";
	char pid[16], *hex = NULL;
	const char *args[] = { "buffers", "-o", "json", "-p", pid, NULL };
	const char *csv[] = { "buffers", "-o", "csv", "-p", pid, NULL };
	json_object *root, *b;
	unsigned long ino;
	struct run r;
	size_t i;
	int fd;

	fd = udmabuf_create(4096);
	if (fd == -ENOENT)
		fd = heap_alloc("system", 4096);
	if (fd < 0) {
		test__skip_reason("no udmabuf nor system heap");
		return;
	}
	if (!ASSERT_OK(dmabuf_set_name(fd, odd), "set name"))
		goto out;
	ino = ino_of_fd(fd);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (run_cli(&r, false, args)) {
		ASSERT_EQ(r.status, 0, "json exit");
		root = json_tokener_parse(r.out);
		if (ASSERT_OK_PTR(root, "JSON parses")) {
			b = jfind(jget(root, "buffers"), "ino", ino);
			if (ASSERT_OK_PTR(b, "buffer listed")) {
				hex = calloc(1, 2 * sizeof(odd) + 1);
				for (i = 0; hex && i < sizeof(odd) - 1; i++)
					sprintf(hex + 2 * i, "%02x",
						(unsigned char)odd[i]);
				ASSERT_STREQ(js(b, "name_hex"), hex ?: "",
					     "raw bytes recoverable");
				ASSERT_STREQ(js(b, "name"),
					     "q\"x\ny,\xef\xbf\xbd\xef\xbf\xbd",
					     "name with U+FFFD");
			}
			json_object_put(root);
		}
		run_free(&r);
	}
	if (run_cli(&r, false, csv)) {
		ASSERT_EQ(r.status, 0, "csv exit");
		ASSERT_HAS_SUBSTR(r.out, "\"q\"\"x\ny,\xff\xfe\"",
				  "CSV quoted per RFC 4180");
		run_free(&r);
	}
out:
	free(hex);
	close(fd);
}

void test_cli_workload(void)
{
	bool vanilla;

	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here (udmabuf, dma-heap, vgem): run in the guest");
		return;
	}
	if (access(BUFINFO_PATH, R_OK)) {
		test__skip_reason("no debugfs bufinfo for ground truth");
		return;
	}
	vanilla = is_vanilla();
	if (test__start_subtest("odd_name"))
		subtest_odd_name();
	if (!workload_start(&wl, "cli_views"))
		goto out;
	if (test__start_subtest("auto"))
		check_backend(NULL, vanilla);
	if (test__start_subtest("bpf"))
		check_backend("bpf", vanilla);
	if (test__start_subtest("fallback"))
		check_backend("fallback", vanilla);
	if (test__start_subtest("procfs"))
		check_backend("procfs", vanilla);
out:
	workload_stop(&wl);
}
