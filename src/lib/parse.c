// SPDX-License-Identifier: GPL-2.0
/*
 * libdmabufstat: the parsers of kernel text, apart from the reading of it
 * (see parse.h). The kernel's formats are those of 6.12 .. 6.18.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "readfile.h"

/* Ends line at its newline; *next: the line after, NULL after the last. */
static void cut_line(char *line, char **next)
{
	*next = strchr(line, '\n');
	if (*next)
		*(*next)++ = '\0';
}

/*
 * One buffer's line, as dma_buf_debug_show() prints it:
 * "%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s\n": size, f_flags, f_mode, file
 * count, exp_name, inode, name ("<none>" if unset). The name comes last and
 * may hold any byte, tabs and newlines included.
 */
static bool parse_buf_line(char *line, struct dmabufstat_buffer *b)
{
	char *field[6], *p = line, *end;
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = p;
		p = strchr(p, '\t');
		if (!p)
			return false;
		*p++ = '\0';
	}
	errno = 0;
	b->size = strtoull(field[0], &end, 10);
	if (*end || end == field[0])
		return false;
	b->file_count = strtoll(field[3], &end, 10);
	if (*end || end == field[3])
		return false;
	copy_str(b->exporter, sizeof(b->exporter), field[4], strlen(field[4]));
	b->ino = strtoull(field[5], &end, 10);
	if (*end || end == field[5] || errno)
		return false;
	if (strcmp(p, "<none>")) {
		b->flags |= DMABUFSTAT_BUF_HAS_NAME;
		copy_str(b->name, sizeof(b->name), p, strlen(p));
	}
	return true;
}

/* "Total %d devices attached", which ends a buffer's part of the text */
static bool is_total_line(const char *line)
{
	char *end;

	if (strncmp(line, "Total ", 6) || line[6] < '0' || line[6] > '9')
		return false;
	strtoul(line + 6, &end, 10);
	return !strcmp(end, " devices attached");
}

/*
 * After each buffer line: the fences of its reservation object ("\t..."),
 * "\tAttached Devices:", one "\tDEVICE" per attachment, "Total %d devices
 * attached" and a blank line. A line without a tab before the attachments
 * is the rest of a name that held a newline.
 *
 * A name (up to 31 bytes of anything) can hold "\n\tAttached Devices:",
 * but not that and a whole "Total" line: so only a "Total" line ends a
 * buffer's part (no buffer line can be made up by a name), and the real
 * "\tAttached Devices:" coming after one in a name restarts the list.
 */
int parse_bufinfo(char *text, struct collect *c)
{
	enum { BEFORE, FENCES, ATTACHED } part = BEFORE;
	struct dmabufstat_buffer *cur = NULL;
	char *line, *next;
	size_t len;

	for (line = text; line; line = next) {
		cut_line(line, &next);
		if (part == ATTACHED && is_total_line(line)) {
			part = BEFORE;
			continue;
		}
		if (part == ATTACHED && !strcmp(line, "\tAttached Devices:")) {
			cur->nr_attach = 0;
			cur->nr_attach_names = 0;
			cur->flags &= ~DMABUFSTAT_BUF_NAMES_TRUNC;
			memset(cur->attach, 0, sizeof(cur->attach));
			continue;
		}
		if (part == ATTACHED && line[0] == '\t') {
			if (cur->nr_attach < DMABUFSTAT_ATTACH_NAMES) {
				copy_str(cur->attach[cur->nr_attach],
					 sizeof(cur->attach[0]), line + 1,
					 strlen(line + 1));
				cur->nr_attach_names++;
			} else {
				cur->flags |= DMABUFSTAT_BUF_NAMES_TRUNC;
			}
			cur->nr_attach++;
			continue;
		}
		if (part == ATTACHED)
			continue;	/* what a name left after its fake header */
		if (part == FENCES && !strcmp(line, "\tAttached Devices:")) {
			part = ATTACHED;
			continue;
		}
		if (part == FENCES && line[0] == '\t')
			continue;	/* a fence of the reservation object */
		if (part == FENCES) {
			/* a newline inside the name: keep what fits */
			if (!(cur->flags & DMABUFSTAT_BUF_HAS_NAME)) {
				/* not unset after all: named "<none>\n..." */
				cur->flags |= DMABUFSTAT_BUF_HAS_NAME;
				strcpy(cur->name, "<none>");
			}
			len = strlen(cur->name);
			if (len + 1 < sizeof(cur->name)) {
				cur->name[len] = '\n';
				copy_str(cur->name + len + 1,
					 sizeof(cur->name) - len - 1, line,
					 strlen(line));
			}
			continue;
		}
		if (!*line || line[0] < '0' || line[0] > '9')
			continue;	/* title, header, totals */
		cur = collect_add_buf(c);
		if (!cur)
			return -ENOMEM;
		if (!parse_buf_line(line, cur))
			return -EPROTO;
		part = FENCES;
	}
	return 0;
}

/*
 * fs/proc/fd.c prints pos, flags, mnt_id and ino, then
 * dma_buf_show_fdinfo() size, count, exp_name and last the name, raw, then
 * come the file's locks ("lock:\t..."). So the lines after "name:" are the
 * rest of a name that held a newline, up to a lock, and never a field: a
 * name "x\nino:\t7" must not make the fd hold buffer 7.
 */
bool parse_fdinfo(char *text, struct raw_ref *r, struct ref_buf *b)
{
	char *line, *next, *val;
	bool have_exp = false, in_name = false;
	size_t len;

	for (line = text; line; line = next) {
		cut_line(line, &next);
		if (in_name && (!strncmp(line, "lock:", 5) || (!next && !*line)))
			break;	/* a lock, or after the last newline */
		if (in_name) {
			/* keep what fits */
			len = strlen(b->name);
			if (len + 1 < sizeof(b->name)) {
				b->name[len] = '\n';
				copy_str(b->name + len + 1,
					 sizeof(b->name) - len - 1, line,
					 strlen(line));
			}
			continue;
		}
		val = strchr(line, ':');
		if (!val)
			continue;
		*val++ = '\0';
		if (*val == '\t')	/* exactly one: names may start blank */
			val++;
		if (!strcmp(line, "ino")) {
			b->ino = strtoull(val, NULL, 10);
		} else if (!strcmp(line, "flags")) {
			r->ref.f_flags = strtoul(val, NULL, 8);
		} else if (!strcmp(line, "size")) {
			b->size = strtoull(val, NULL, 10);
		} else if (!strcmp(line, "count")) {
			b->file_count = strtoll(val, NULL, 10);
		} else if (!strcmp(line, "exp_name")) {
			copy_str(b->exporter, sizeof(b->exporter), val,
				 strlen(val));
			have_exp = true;
		} else if (!strcmp(line, "name")) {
			copy_str(b->name, sizeof(b->name), val, strlen(val));
			b->flags |= DMABUFSTAT_BUF_HAS_NAME;
			in_name = true;
		}
	}
	r->ref.ino = b->ino;
	return have_exp && b->ino;
}

/*
 * The name in a maps line ("/dmabuf:NAME"): seq_file_path() escapes '\n'
 * as "\012" (and a backslash is printed as is, so this is best effort).
 * An empty name cannot be told from an unset one: only a non-empty name
 * counts as set.
 */
static void map_name(const char *s, struct maps_dmabuf *m)
{
	size_t n = 0;

	while (*s && n + 1 < sizeof(m->name)) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			m->name[n++] = (s[1] - '0') * 64 + (s[2] - '0') * 8 +
				       (s[3] - '0');
			s += 4;
		} else {
			m->name[n++] = *s++;
		}
	}
	m->name[n] = '\0';
	m->has_name = n;
}

/*
 * "start-end perms offset dev inode", spaces, then the path. The path must
 * start with "/dmabuf:" where the path starts: a file of any user can be
 * called "/tmp/x /dmabuf:y", and its line is not a dma-buf's.
 */
bool parse_maps_line(const char *line, struct maps_dmabuf *m)
{
	unsigned long long start, end, off, ino;
	int path = -1;

	if (!strstr(line, " /dmabuf:"))
		return false;	/* most lines: no need to scan them */
	if (sscanf(line, "%llx-%llx %*s %llx %*s %llu %n", &start, &end, &off,
		   &ino, &path) != 4 || path < 0 ||
	    strncmp(line + path, "/dmabuf:", 8))
		return false;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->ino = ino;
	map_name(line + path + 8, m);
	return true;
}

bool parse_status_uid(const char *text, uint32_t *uid)
{
	const char *p = strstr(text, "\nUid:");

	if (!p)
		return false;
	*uid = strtoul(p + 5, NULL, 10);
	return true;
}

/* the "0::" line, wherever it is: a v1 path before it may hold "0::" */
const char *parse_cgroup_v2(const char *text, size_t *len)
{
	const char *p = text;

	while (strncmp(p, "0::", 3)) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	*len = strcspn(p + 3, "\n");
	return p + 3;
}

void parse_sysfs_buffer(const char *size, const char *exporter,
			struct dmabufstat_buffer *b)
{
	size_t len = strlen(exporter);

	b->size = strtoull(size, NULL, 10);
	if (len && exporter[len - 1] == '\n')
		len--;
	copy_str(b->exporter, sizeof(b->exporter), exporter, len);
}
