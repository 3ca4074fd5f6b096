// SPDX-License-Identifier: GPL-2.0
/*
 * The dmabufstat CLI, run as a program, as a user would.
 *
 * cli_basic: every view in every format exits 0, the JSON parses (json-c)
 * and names the backend, with as many buffers as debugfs bufinfo lists (or
 * none on a machine without buffer sources); --help of both tools (short,
 * pointing to the man page) and --version; usage errors and the
 * no-privilege error are one line and a non-zero exit.
 *
 * cli_workload (machines with buffer sources: the guest): dmabuf-workload
 * makes its population, and every figure of `dmabufstat VIEW -o json`
 * through each backend the kernel offers is checked against ground truth
 * gathered here from debugfs bufinfo, /proc/<pid>/fd + fdinfo, maps and
 * status, and against the workload's manifest. Then a buffer whose name
 * holds a quote, a newline, a comma and a byte that is not UTF-8 must come
 * back exactly (JSON name_hex, CSV quoting). Both tools sort alike (ids
 * ascending, names naturally, ties by id, --reverse), pad names that are
 * not ASCII by display width, print the same JSON for the same buffer and
 * refuse the same mistakes with the same words.
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
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

/* Runs prog with args (NULL-terminated); as uid 65534 if nobody. */
static bool run_as(struct run *r, bool nobody, const char *prog,
		   const char *const *args)
{
	const char *exe = exe_beside(prog);
	const char *argv[32] = { prog };
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
		printf("%s %s%s%s%s%s: exit %d%s%s", prog,
		       args[0] ?: "", args[0] && args[1] ? " " : "",
		       args[0] && args[1] ? args[1] : "",
		       args[0] && args[1] && args[2] ? " " : "",
		       args[0] && args[1] && args[2] ? args[2] : "",
		       r->status, r->err && *r->err ? ", stderr: " : "\n",
		       r->err && *r->err ? r->err : "");
	return r->out && r->err;
}

/* Runs dmabufstat with args (NULL-terminated); as uid 65534 if nobody. */
static bool run_cli(struct run *r, bool nobody, const char *const *args)
{
	return run_as(r, nobody, "dmabufstat", args);
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
			/* the summary's CSV is several tables, "# KEY" each */
			if (f == 2 && v > 0)
				ASSERT_STRNEQ(r.out, "time,backend,", 13,
					      "csv: the header first");
			if (f == 2) {
				ASSERT_NULL(strchr(r.out, '\r'),
					    "csv: LF line ends");
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

/* dmabuf-top's --help is short too, and points to its man page. */
static void top_help(void)
{
	char cmd[512];
	char *out;
	int st;

	snprintf(cmd, sizeof(cmd), "%s --help", exe_beside("dmabuf-top"));
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, cmd) && ASSERT_EQ(st, 0, "dmabuf-top --help")) {
		ASSERT_HAS_SUBSTR(out, "Usage: dmabuf-top", "top: synopsis");
		ASSERT_HAS_SUBSTR(out, "man dmabuf-top", "top: the man page");
		ASSERT_LE(count_lines(out), 60, "top: --help is short");
	}
	free(out);
}

static void subtest_help(void)
{
	const char *h[] = { "--help", NULL }, *V[] = { "--version", NULL };
	struct run r;

	if (run_cli(&r, false, h)) {
		ASSERT_EQ(r.status, 0, "--help exits 0");
		ASSERT_HAS_SUBSTR(r.out, "Usage: dmabufstat", "synopsis");
		ASSERT_HAS_SUBSTR(r.out, "Commands:", "commands");
		ASSERT_HAS_SUBSTR(r.out, "options:", "options");
		ASSERT_HAS_SUBSTR(r.out, "Exit status:", "exit status");
		ASSERT_HAS_SUBSTR(r.out, "Examples:", "examples");
		/* short: the full reference is the man page */
		ASSERT_HAS_SUBSTR(r.out, "man dmabufstat", "points to the man page");
		ASSERT_LE(count_lines(r.out), 60, "--help fits on a screen or two");
		run_free(&r);
	}
	top_help();
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

/* Runs "PROG ARGS" through the shell, stderr only; exit status in *st. */
static char *stderr_of(const char *prog, const char *args, int *st)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", exe_beside(prog),
		 args);
	return run_capture(cmd, st);
}

/* The same mistake, the same refusal from both tools (but the name). */
static void subtest_same_refusal(void)
{
	static const char *const cases[] = {
		"-o xml", "-r many", "--uid no-such-user-here",
		"--cgroup /no/such/cgroup", "--backend nonsense", "-s nosuchfield",
		"--no-such-option", "-p notapid", "--interval 0", "--count 0",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *a, *b, *ta, *tb;
		int sa, sb;

		a = stderr_of("dmabufstat", cases[i], &sa);
		b = stderr_of("dmabuf-top", cases[i], &sb);
		if (ASSERT_OK_PTR(a, "dmabufstat") && ASSERT_OK_PTR(b, "dmabuf-top")) {
			ASSERT_EQ(sa, 2, cases[i]);
			ASSERT_EQ(sb, 2, cases[i]);
			/* "PROG: error: ... (see PROG --help)" */
			ta = strstr(a, ": error: ");
			tb = strstr(b, ": error: ");
			if (ASSERT_OK_PTR(ta, "dmabufstat: error") &&
			    ASSERT_OK_PTR(tb, "dmabuf-top: error")) {
				*strstr(ta, " (see ") = '\0';
				*strstr(tb, " (see ") = '\0';
				/* top's views have its growth columns too */
				if (strstr(ta, "; columns: "))
					*strstr(ta, "; columns: ") = '\0';
				if (strstr(tb, "; columns: "))
					*strstr(tb, "; columns: ") = '\0';
				ASSERT_STREQ(ta, tb, cases[i]);
			}
		}
		free(a);
		free(b);
	}
}

/* dmabuf-top as nobody: the same line as dmabufstat's (refusal). */
static void nonroot_top(const char *refusal)
{
	const char *args[] = { "-b", "0.1", "1", NULL };
	struct run r;

	if (!run_as(&r, true, "dmabuf-top", args))
		return;
	ASSERT_EQ(r.status, 1, "dmabuf-top: nobody: exit 1");
	ASSERT_EQ(r.out_len, 0, "dmabuf-top: nothing on stdout");
	ASSERT_STRNEQ(r.err, "dmabuf-top", 10, "dmabuf-top: its name");
	ASSERT_STREQ(r.err + 10, refusal, "dmabuf-top: the same refusal");
	run_free(&r);
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
		nonroot_top(r.err + strlen("dmabufstat"));
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
	if (test__start_subtest("same_refusal"))
		subtest_same_refusal();
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

/* Our own named buffers: n of them, fds in fd[] (-1 when not made). */
static bool make_named(const char *const *names, const size_t *sizes,
		       int *fd, unsigned long *ino, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fd[i] = -1;
	for (i = 0; i < n; i++) {
		fd[i] = udmabuf_create(sizes[i]);
		if (fd[i] == -ENOENT)
			fd[i] = heap_alloc("system", sizes[i]);
		if (!ASSERT_GE(fd[i], 0, "a buffer") ||
		    !ASSERT_OK(dmabuf_set_name(fd[i], names[i]), "set name"))
			return false;
		ino[i] = ino_of_fd(fd[i]);
	}
	return true;
}

static void close_all(int *fd, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* stdout of "PROG ARGS" (through the shell) parsed as one JSON document. */
static json_object *json_of(const char *prog, const char *args)
{
	char cmd[512], *out;
	json_object *o = NULL;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s", exe_beside(prog), args);
	out = run_capture(cmd, &st);
	if (ASSERT_OK_PTR(out, cmd) && ASSERT_EQ(st, 0, cmd))
		o = json_tokener_parse(out);
	ASSERT_OK_PTR(o, "JSON parses");
	free(out);
	return o;
}

/* The names of a buffers array, in order, joined by ' '. */
static void names_of(json_object *arr, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < json_object_array_length(arr) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "",
				js(json_object_array_get_idx(arr, i), "name"));
}

/*
 * Sorting, both tools alike: names naturally (leak-2 before leak-10),
 * sizes largest first with ties by inode, pids ascending, --reverse.
 */
static void subtest_sort(void)
{
	static const char *const names[] = { "leak-10", "leak-2", "big",
					     "leak-1" };
	static const size_t sizes[] = { 4096, 4096, 8192, 4096 };
	unsigned long ino[4];
	char args[128], got[256], want[256];
	json_object *o, *arr;
	int fd[4], i;
	size_t k;

	if (!make_named(names, sizes, fd, ino, 4))
		goto out;
	snprintf(args, sizeof(args), "buffers -o json -p %d -s name", getpid());
	o = json_of("dmabufstat", args);
	if (o) {
		names_of(jget(o, "buffers"), got, sizeof(got));
		ASSERT_STREQ(got, "big leak-1 leak-2 leak-10", "names: natural order");
		json_object_put(o);
	}
	snprintf(args, sizeof(args), "-b -j -v buffers -p %d -s name 0.1 1",
		 getpid());
	o = json_of("dmabuf-top", args);
	if (o) {
		names_of(jget(o, "buffers"), got, sizeof(got));
		ASSERT_STREQ(got, "big leak-1 leak-2 leak-10", "top: natural order");
		json_object_put(o);
	}
	snprintf(args, sizeof(args), "buffers -o json -p %d -s name --reverse",
		 getpid());
	o = json_of("dmabufstat", args);
	if (o) {
		names_of(jget(o, "buffers"), got, sizeof(got));
		ASSERT_STREQ(got, "leak-10 leak-2 leak-1 big", "--reverse");
		json_object_put(o);
	}
	/* sizes largest first; equal sizes by inode, ascending */
	snprintf(args, sizeof(args), "buffers -o json -p %d -s size", getpid());
	o = json_of("dmabufstat", args);
	if (o) {
		unsigned long sorted[3] = { ino[0], ino[1], ino[3] }, t;
		int a, b;

		for (a = 0; a < 3; a++)
			for (b = a + 1; b < 3; b++)
				if (sorted[b] < sorted[a]) {
					t = sorted[a];
					sorted[a] = sorted[b];
					sorted[b] = t;
				}
		snprintf(want, sizeof(want), "%lu %lu %lu %lu", ino[2],
			 sorted[0], sorted[1], sorted[2]);
		arr = jget(o, "buffers");
		got[0] = '\0';
		for (k = 0; k < json_object_array_length(arr); k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 "%s%" PRIu64, k ? " " : "",
				 ju(json_object_array_get_idx(arr, k), "ino"));
		ASSERT_STREQ(got, want, "size largest first, ties by inode");
		json_object_put(o);
	}
	/* identifiers ascending, --reverse descending */
	for (i = 0; i < 2; i++) {
		o = json_of("dmabufstat", i ? "procs -o json -s pid --reverse" :
					      "procs -o json -s pid");
		if (!o)
			continue;
		arr = jget(o, "processes");
		ASSERT_GE(json_object_array_length(arr), 1, "processes");
		for (k = 1; k < json_object_array_length(arr); k++) {
			uint64_t p = ju(json_object_array_get_idx(arr, k - 1), "pid");
			uint64_t q = ju(json_object_array_get_idx(arr, k), "pid");

			ASSERT_TRUE(i ? p > q : p < q, i ? "pids descending" :
				    "pids ascending");
		}
		json_object_put(o);
	}
out:
	close_all(fd, 4);
}

/* The same JSON object for the same buffer, from both tools. */
static void subtest_same_json(void)
{
	static const char *const names[] = { "same-json", "bad\xff\"name" };
	static const size_t sizes[] = { 4096, 8192 };
	json_object *a = NULL, *b = NULL, *ra, *rb;
	unsigned long ino[2];
	char args[128];
	int fd[2];
	size_t i;

	if (!make_named(names, sizes, fd, ino, 2))
		goto out;
	snprintf(args, sizeof(args), "buffers -o json -p %d", getpid());
	a = json_of("dmabufstat", args);
	snprintf(args, sizeof(args), "-b -o json -v buffers -p %d 0.1 1",
		 getpid());
	b = json_of("dmabuf-top", args);
	if (!a || !b)
		goto out;
	for (i = 0; i < 2; i++) {
		ra = jfind(jget(a, "buffers"), "ino", ino[i]);
		rb = jfind(jget(b, "buffers"), "ino", ino[i]);
		if (!ASSERT_OK_PTR(ra, "dmabufstat lists it") ||
		    !ASSERT_OK_PTR(rb, "dmabuf-top lists it"))
			continue;
		json_object_object_foreach(ra, key, val) {
			json_object *v = jget(rb, key);

			if (!ASSERT_OK_PTR(v, key))
				continue;
			ASSERT_STREQ(json_object_to_json_string(v),
				     json_object_to_json_string(val), key);
		}
	}
	ASSERT_STREQ(json_object_to_json_string(jget(a, "totals")),
		     json_object_to_json_string(jget(b, "totals")),
		     "the same totals");
out:
	json_object_put(a);
	json_object_put(b);
	close_all(fd, 2);
}

/*
 * Display columns taken by the first n bytes of line (UTF-8), as a
 * terminal shows them; -1 if they do not decode.
 */
static int columns(const char *line, size_t n)
{
	wchar_t w[512];
	char buf[1024];
	size_t k;

	snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
	k = mbstowcs(w, buf, 511);
	if (k == (size_t)-1)
		return -1;
	w[k] = 0;
	return wcswidth(w, k);
}

/* Where (display column) the n-th blank-separated field of line ends. */
static int field_end(const char *line, int n)
{
	const char *p = line;
	int i;

	for (i = 0; i < n; i++) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
	}
	return columns(line, p - line);
}

/*
 * Names that are not ASCII, under a UTF-8 locale: shown as they are and
 * padded by display width, so that the columns after NAME (PROCS, the 5th
 * field, right-aligned) line up under their title, in both tools.
 */
static void subtest_display_width(void)
{
	static const char *const names[] = {
		"\xe3\x82\xab\xe3\x83\xa1\xe3\x83\xa9-\xe3\x83\x97\xe3\x83\xac\xe3\x83\x93\xe3\x83\xa5\xe3\x83\xbc",
		"plain-name",
	};
	static const size_t sizes[] = { 4096, 4096 };
	const char *progs[] = { "dmabufstat", "dmabuf-top" };
	char *old = setlocale(LC_CTYPE, NULL), saved[64];
	unsigned long ino[2];
	int fd[2], p;

	snprintf(saved, sizeof(saved), "%s", old ?: "C");
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		test__skip_reason("no C.UTF-8 locale here");
		return;
	}
	if (!make_named(names, sizes, fd, ino, 2))
		goto out;
	for (p = 0; p < 2; p++) {
		char cmd[512], *out, *l, *save = NULL, num[32];
		int st, title = -1, rows = 0;

		snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 %s %s -p %d%s",
			 exe_beside(progs[p]), p ? "-b -v buffers" : "buffers",
			 getpid(), p ? " 0.1 1" : "");
		out = run_capture(cmd, &st);
		if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd)) {
			free(out);
			continue;
		}
		ASSERT_HAS_SUBSTR(out, names[0], "the name as it is");
		for (l = strtok_r(out, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			const char *f = l + strspn(l, " ");

			if (!strncmp(f, "INODE", 5) && strstr(l, " PROCS"))
				title = columns(l, strstr(l, " PROCS") + 6 - l);
			snprintf(num, sizeof(num), "%lu ", ino[0]);
			if (strstr(f, num) == f || (snprintf(num, sizeof(num),
			    "%lu ", ino[1]), strstr(f, num) == f)) {
				ASSERT_EQ(field_end(l, 5), title,
					  "PROCS lines up under its title");
				rows++;
			}
		}
		ASSERT_GT(title, 0, "a PROCS title");
		ASSERT_EQ(rows, 2, "both rows");
		free(out);
	}
out:
	close_all(fd, 2);
	setlocale(LC_CTYPE, saved);
}

/* dmabufstat totals: bufinfo's count and bytes, through each backend. */
static void subtest_totals(bool vanilla)
{
	/* named bpf has no dma-buf iterator to walk on vanilla 6.12 */
	static const char *const backends[] = { "auto", "fallback", "bpf" };
	uint64_t bytes = 0;
	json_object *o;
	char args[64];
	size_t i;
	int k;

	if (!gt_collect())
		return;
	for (k = 0; k < gt.bi.nr; k++)
		bytes += gt.bi.bufs[k].size;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]) - vanilla; i++) {
		snprintf(args, sizeof(args), "--backend %s totals -o json",
			 backends[i]);
		o = json_of("dmabufstat", args);
		if (!o)
			continue;
		printf("%s: path %s\n", backends[i], js(o, "path"));
		ASSERT_STREQ(js(o, "view"), "totals", "view");
		ASSERT_EQ(ju(o, "count"), (uint64_t)gt.bi.nr, "count as bufinfo");
		ASSERT_EQ(ju(o, "bytes"), bytes, "bytes as bufinfo");
		json_object_put(o);
	}
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
	if (test__start_subtest("sort"))
		subtest_sort();
	if (test__start_subtest("same_json"))
		subtest_same_json();
	if (test__start_subtest("display_width"))
		subtest_display_width();
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
	if (test__start_subtest("totals"))
		subtest_totals(vanilla);
out:
	workload_stop(&wl);
}
