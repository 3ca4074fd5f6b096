// SPDX-License-Identifier: GPL-2.0
/*
 * prometheus_export: `dmabufstat export --prometheus --textfile DIR` read
 * by a real Debian prometheus-node-exporter (textfile collector only, on
 * 127.0.0.1), scraped with curl; `promtool check metrics` on our output.
 * SKIPs, with the reason, when the packages are not installed.
 * prometheus_export/groups (guest): the per-uid and per-cgroup series
 * against the uids and cgroups views, and --top N's process series.
 */
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
#include "bufsrc.h"

#define NODE_EXPORTER "/usr/bin/prometheus-node-exporter"
#define PROMTOOL "/usr/bin/promtool"
#define CURL "/usr/bin/curl"

/* Runs a shell command, returns its stdout (malloc'd) and exit status. */
static const char *const families[] = {
	"dmabufstat_info", "dmabuf_total_bytes", "dmabuf_total_buffers",
	"dmabuf_kernel_only_bytes", "dmabuf_kernel_only_buffers",
	"dmabuf_userspace_bytes", "dmabuf_userspace_rss_bytes",
	"dmabuf_userspace_pss_bytes", "dmabuf_processes",
	"dmabuf_exporter_bytes", "dmabuf_exporter_buffers",
	"dmabuf_device_bytes", "dmabuf_device_buffers",
	"dmabuf_uid_rss_bytes", "dmabuf_uid_pss_bytes",
	"dmabuf_cgroup_rss_bytes", "dmabuf_cgroup_pss_bytes",
	"dmabuf_process_rss_bytes", "dmabuf_process_pss_bytes",
};

/*
 * The value of the sample "NAME{LABELS...}" in text, whose labels start
 * with LABELS; -1 if there is none.
 */
static long long sample(const char *text, const char *name, const char *labels)
{
	char key[512];
	const char *p;

	snprintf(key, sizeof(key), "\n%s{%s", name, labels);
	p = strstr(text, key);
	p = p ? strstr(p, "} ") : NULL;
	return p ? strtoll(p + 2, NULL, 10) : -1;
}

static int count_samples(const char *text, const char *name)
{
	char key[256];
	const char *p = text;
	int n = 0;

	snprintf(key, sizeof(key), "\n%s{", name);
	while ((p = strstr(p, key))) {
		n++;
		p += strlen(key);
	}
	return n;
}

/* A group's figure in `dmabufstat -o json VIEW`, the row whose key is id. */
static long long view_figure(const char *view, const char *arr,
			     const char *key, const char *id,
			     const char *figure)
{
	char cmd[512], pat[128];
	long long v = -1;
	char *out, *p;
	int st;

	/* one row per line: -o json is pretty, so look at the row's text */
	snprintf(cmd, sizeof(cmd), "%s -o json %s | tr -d ' \n'",
		 exe_beside("dmabufstat"), view);
	out = run_capture(cmd, &st);
	if (!out || st)
		goto out;
	snprintf(pat, sizeof(pat), "\"%s\":%s,", key, id);
	p = strstr(out, arr);
	p = p ? strstr(p, pat) : NULL;
	if (!p)
		goto out;
	snprintf(pat, sizeof(pat), "\"%s\":", figure);
	p = strstr(p, pat);
	if (p)
		v = strtoll(p + strlen(pat), NULL, 10);
out:
	free(out);
	return v;
}

/*
 * (guest) Per uid and per cgroup: root's and the root cgroup's rss and pss
 * are the uids and cgroups views'; --top N keeps N process series.
 */
static void check_groups(void)
{
	struct workload wl = WORKLOAD_INIT;
	char cmd[512];
	char *out;
	int st;

	if (!have_buffer_source()) {
		test__skip_reason("no dma-buf sources here: run in the guest");
		return;
	}
	if (!workload_start(&wl, "prometheus_export"))
		return;
	snprintf(cmd, sizeof(cmd), "%s export --prometheus --top 2",
		 exe_beside("dmabufstat"));
	out = run_capture(cmd, &st);
	if (!ASSERT_OK_PTR(out, cmd) || !ASSERT_EQ(st, 0, cmd))
		goto out;
	ASSERT_EQ(sample(out, "dmabuf_uid_rss_bytes", "uid=\"0\","),
		  view_figure("uids", "\"uids\":", "uid", "0", "rss"),
		  "uid 0's rss");
	ASSERT_EQ(sample(out, "dmabuf_uid_pss_bytes", "uid=\"0\","),
		  view_figure("uids", "\"uids\":", "uid", "0", "pss"),
		  "uid 0's pss");
	ASSERT_GT(sample(out, "dmabuf_uid_rss_bytes", "uid=\"0\","),
		  0, "uid 0 holds buffers");
	ASSERT_EQ(sample(out, "dmabuf_cgroup_rss_bytes", "cgroup=\"/\"}"),
		  view_figure("cgroups", "\"cgroups\":", "cgroup_id", "1", "rss"),
		  "the root cgroup's rss, labelled by its path");
	ASSERT_EQ(sample(out, "dmabuf_cgroup_pss_bytes", "cgroup=\"/\"}"),
		  view_figure("cgroups", "\"cgroups\":", "cgroup_id", "1", "pss"),
		  "the root cgroup's pss");
	ASSERT_EQ(count_samples(out, "dmabuf_process_rss_bytes"), 2,
		  "--top 2: two process series");
out:
	free(out);
	workload_stop(&wl);
}

void test_prometheus_export(void)
{
	char dir[] = "/tmp/prometheus_export.XXXXXX", cmd[8192], file[128];
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	const char *exe = exe_beside("dmabufstat");
	char *out = NULL, *ours, line[256];
	pid_t ne = -1;
	int st, i, port;
	size_t f;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(file, sizeof(file), "%s/dmabufstat.prom", dir);

	if (test__start_subtest("textfile")) {
		snprintf(cmd, sizeof(cmd), "%s export --prometheus --textfile %s --top 3",
			 exe, dir);
		free(run_capture(cmd, &st));
		ASSERT_EQ(st, 0, "export exit");
		ASSERT_OK(access(file, R_OK), "dmabufstat.prom written");
		snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
		out = run_capture(cmd, &st);
		ASSERT_STREQ(out ?: "", "1\n", "no temporary file left");
		free(out);
		out = NULL;
	}
	if (test__start_subtest("promtool")) {
		if (access(PROMTOOL, X_OK)) {
			test__skip_reason("no " PROMTOOL " (Debian package prometheus not installed)");
		} else {
			snprintf(cmd, sizeof(cmd), "%s check metrics < %s 2>&1",
				 PROMTOOL, file);
			out = run_capture(cmd, &st);
			if (!ASSERT_EQ(st, 0, "promtool check metrics"))
				printf("%s", out ?: "");
			free(out);
			out = NULL;
		}
	}
	if (test__start_subtest("groups"))
		check_groups();
	if (test__start_subtest("node_exporter")) {
		if (access(NODE_EXPORTER, X_OK) || access(CURL, X_OK)) {
			test__skip_reason("no " NODE_EXPORTER " or " CURL " (Debian packages prometheus-node-exporter, curl)");
			goto out;
		}
		port = 20000 + getpid() % 20000;
		snprintf(line, sizeof(line), "--web.listen-address=127.0.0.1:%d", port);
		snprintf(cmd, sizeof(cmd), "--collector.textfile.directory=%s", dir);
		fflush(stdout);
		ne = fork();
		if (ne == 0) {
			freopen("/dev/null", "w", stderr);
			execl(NODE_EXPORTER, "prometheus-node-exporter",
			      "--collector.disable-defaults",
			      "--collector.textfile", cmd, line, (char *)NULL);
			_exit(127);
		}
		snprintf(cmd, sizeof(cmd), "%s -sf http://127.0.0.1:%d/metrics",
			 CURL, port);
		for (i = 0; i < 100; i++) {
			free(out);
			out = run_capture(cmd, &st);
			if (!st)
				break;
			nanosleep(&ts, NULL);
		}
		if (!ASSERT_EQ(st, 0, "scrape node_exporter"))
			goto out;
		snprintf(cmd, sizeof(cmd), "cat %s", file);
		ours = run_capture(cmd, &st);
		for (f = 0; ours && f < sizeof(families) / sizeof(families[0]);
		     f++) {
			/* every family is in our file; node_exporter serves
			 * those that have samples (no process on the host) */
			snprintf(line, sizeof(line), "# TYPE %s gauge\n",
				 families[f]);
			ASSERT_HAS_SUBSTR(ours, line, families[f]);
			snprintf(line, sizeof(line), "\n%s{", families[f]);
			if (!strstr(ours, line)) {
				snprintf(line, sizeof(line), "\n%s ",
					 families[f]);
				if (!strstr(ours, line))
					continue;
			}
			snprintf(line, sizeof(line), "# TYPE %s gauge\n",
				 families[f]);
			ASSERT_HAS_SUBSTR(out, line, families[f]);
		}
		free(ours);
		ASSERT_HAS_SUBSTR(out, "dmabuf_total_bytes ", "total served");
		/* the collector read the file without error */
		ASSERT_HAS_SUBSTR(out, "node_textfile_scrape_error 0",
				  "textfile collector: no error");
	}
out:
	free(out);
	if (ne > 0) {
		kill(ne, SIGTERM);
		waitpid(ne, NULL, 0);
	}
	unlink(file);
	rmdir(dir);
}
