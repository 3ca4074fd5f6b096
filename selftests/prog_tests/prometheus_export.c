// SPDX-License-Identifier: GPL-2.0
/*
 * prometheus_export: `dmabufstat export --prometheus --textfile DIR` read
 * by a real Debian prometheus-node-exporter (textfile collector only, on
 * 127.0.0.1), scraped with curl; `promtool check metrics` on our output.
 * SKIPs, with the reason, when the packages are not installed.
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
	"dmabuf_process_rss_bytes", "dmabuf_process_pss_bytes",
};

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
