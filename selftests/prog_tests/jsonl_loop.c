// SPDX-License-Identifier: GPL-2.0
/*
 * jsonl_loop: `dmabufstat -o json --interval S --count N` writes one JSON
 * document per line, and a SIGTERM mid-way ends it cleanly: exit 0, no
 * partial line, every line parses. As a table, each sample comes under a
 * line with its time and number.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "test_progs.h"
#include "workload.h"

/* Runs the loop; kills it with sig after wait_ms (0: never). */
static int run_loop(const char *interval, const char *count, int sig,
		    int wait_ms, char **out, size_t *len)
{
	struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
	const char *exe = exe_beside("dmabufstat");
	int fd = memfd_create("jsonl", 0), st;
	pid_t pid;

	*out = NULL;
	if (!ASSERT_OK_FD(fd, "memfd"))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		if (count)
			execl(exe, "dmabufstat", "-o", "json", "--interval",
			      interval, "--count", count, "summary",
			      (char *)NULL);
		else
			execl(exe, "dmabufstat", "-o", "json", "--interval",
			      interval, "summary", (char *)NULL);
		_exit(127);
	}
	if (sig) {
		nanosleep(&ts, NULL);
		kill(pid, sig);
	}
	waitpid(pid, &st, 0);
	*len = lseek(fd, 0, SEEK_END);
	*out = calloc(1, *len + 1);
	if (*out)
		pread(fd, *out, *len, 0);
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Every line parses as one JSON object; returns the number of lines. */
static int check_lines(char *out, size_t len)
{
	char *p = out, *nl;
	int n = 0;

	if (len && !ASSERT_EQ(out[len - 1], '\n', "ends with a full line"))
		return -1;
	while ((nl = strchr(p, '\n'))) {
		json_object *o;

		*nl = '\0';
		o = json_tokener_parse(p);
		if (!ASSERT_OK_PTR(o, "line parses"))
			return -1;
		ASSERT_TRUE(json_object_is_type(o, json_type_object),
			    "line is an object");
		ASSERT_TRUE(json_object_object_get_ex(o, "totals", NULL),
			    "line has totals");
		json_object_put(o);
		n++;
		p = nl + 1;
	}
	return n;
}

void test_jsonl_loop(void)
{
	size_t len;
	char *out;
	int st, n;

	if (test__start_subtest("count")) {
		st = run_loop("0.1", "3", 0, 0, &out, &len);
		ASSERT_EQ(st, 0, "exit 0");
		if (out) {
			n = check_lines(out, len);
			ASSERT_EQ(n, 3, "three lines");
		}
		free(out);
	}
	if (test__start_subtest("sigterm")) {
		st = run_loop("0.05", NULL, SIGTERM, 1500, &out, &len);
		ASSERT_EQ(st, 0, "SIGTERM: exit 0");
		if (out) {
			n = check_lines(out, len);
			ASSERT_GE(n, 1, "some lines before SIGTERM");
		}
		free(out);
	}
	if (test__start_subtest("table")) {
		char cmd[512], line[1024];
		int samples = 0, banners = 0;
		FILE *p;

		snprintf(cmd, sizeof(cmd), "%s --interval 0.1 --count 3 exporters",
			 exe_beside("dmabufstat"));
		p = popen(cmd, "r");
		if (ASSERT_OK_PTR(p, "popen")) {
			while (fgets(line, sizeof(line), p)) {
				char want[32];

				snprintf(want, sizeof(want), "  sample %d\n",
					 samples + 1);
				samples += strstr(line, want) != NULL;
				banners += !strncmp(line, "Backend: ", 9);
			}
			ASSERT_EQ(pclose(p), 0, "exit 0");
			ASSERT_EQ(samples, 3, "samples 1, 2, 3 in order");
			ASSERT_EQ(banners, 3, "a table each");
		}
		/* CSV samples: one header, then rows that carry their time */
		snprintf(cmd, sizeof(cmd), "%s -o csv --interval 0.1 --count 3 exporters",
			 exe_beside("dmabufstat"));
		p = popen(cmd, "r");
		if (ASSERT_OK_PTR(p, "popen csv")) {
			int headers = 0, lines = 0;

			while (fgets(line, sizeof(line), p)) {
				headers += !strncmp(line, "time,backend,", 13);
				lines++;
			}
			ASSERT_EQ(pclose(p), 0, "csv --interval: exit 0");
			ASSERT_EQ(headers, 1, "csv --interval: one header");
			ASSERT_GE(lines, 1, "csv --interval: the header");
		}
	}
	if (test__start_subtest("sigint")) {
		st = run_loop("0.05", "1000", SIGINT, 1000, &out, &len);
		ASSERT_EQ(st, 0, "SIGINT: exit 0");
		if (out)
			ASSERT_GE(check_lines(out, len), 1, "lines before SIGINT");
		free(out);
	}
}
