// SPDX-License-Identifier: GPL-2.0
/*
 * What a snapshot does not carry about processes and cgroups, read from
 * /proc when a row is shown: a process's command line (its comm is cut to
 * 15 bytes) and a cgroup's path. A snapshot of thousands of processes
 * would pay a file read each; shown rows are tens (a screen, -r N), so
 * these cells are filled last, for the rows that are left (REP_LAZY).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "table.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The whole of a small /proc file at buf (NUL-terminated); its length. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	ssize_t n, off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)off + 1 < len) {
		n = read(fd, buf + off, len - 1 - off);
		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	buf[off] = '\0';
	return off;
}

size_t rep_cmdline(uint32_t pid, char *buf, size_t len)
{
	char path[32];
	ssize_t n, i;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/cmdline", pid);
	n = read_small(path, buf, len);
	if (n <= 0) {
		buf[0] = '\0';
		return 0;
	}
	/* arguments are NUL-separated; the last ends with one */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return n;
}

/* The "0::PATH" line of /proc/PID/cgroup text: PATH at *path, its length. */
static size_t cgroup_v2_line(const char *text, const char **path)
{
	const char *p = text, *end;

	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		if (!strncmp(p, "0::", 3)) {
			*path = p + 3;
			return end - (p + 3);
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

bool rep_cgroup_path(uint32_t pid, uint64_t id, char *buf, size_t len)
{
	char path[48], text[4096], dir[4096 + sizeof(CGROUP_ROOT)];
	const char *p = NULL;
	struct stat st;
	size_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/cgroup", pid);
	if (read_small(path, text, sizeof(text)) <= 0)
		return false;
	n = cgroup_v2_line(text, &p);
	if (!n || p[0] != '/' || n >= len)
		return false;
	/* the process may have moved since the snapshot: the id decides */
	snprintf(dir, sizeof(dir), CGROUP_ROOT "%.*s", (int)n, p);
	if (stat(dir, &st) || st.st_ino != id)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}
