// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-top's interactive mode driven for real through tmux, as a person
 * would: a shell in an 80x24 tmux pane starts dmabuf-top, send-keys types,
 * capture-pane reads the screen back.
 *
 * keys        (anywhere) views, sort column and order, filter prompt, tree,
 *             details, help, resizes down to a tiny window and back, q
 * truth       (guest) with dmabuf-workload running: every view shows the
 *             workload's numbers (its manifest) and the kernel's (debugfs
 *             bufinfo), exact with --bytes
 * sort        (guest) the rows really are in the order the header says
 * filter      (guest) '/' leaves exactly the matching rows
 * selection   (guest) the highlighted process stays the same through a
 *             reversed sort, a filter, refreshes and a view switch
 * leak        (guest) a process that grows at every refresh is marked,
 *             and its details show its rss rising since it was selected
 * quit        q, SIGTERM and Ctrl-C: exit status 0, the shell's screen is
 *             back (the alternate screen is left)
 * esc         Esc closes the details, the help and the filter prompt and
 *             never quits; an arrow key split over 100 ms is one key
 * fkeys       F3 filter, F5 tree, F6 sort menu, F10 quit
 * mouse       a click on a header sorts; mouse_rows (guest) a click on a
 *             row selects it
 * narrow      at 60x15 no header title is cut over an empty column
 * details_line (guest) at 80x24 a process's details line is whole, and
 *             its command line is shown
 * goto        (guest) i, an inode, Enter: the buffers view with that
 *             buffer selected (a filter hiding it cleared; no such buffer
 *             said); Esc closes the prompt
 * batch_tty   -b on a terminal: reports scroll, no escape sequences
 * error       (guest) a snapshot failing under the screen (debugfs taken
 *             away from the bufinfo backend): exit 1, one error line, the
 *             shell's screen back
 */
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "test_progs.h"
#include "workload.h"
#include "bufsrc.h"

static char sock[64], tmpdir[64];

static int tmux(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int tmux(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	n = snprintf(cmd, sizeof(cmd), "tmux -u -L %s -f /dev/null ", sock);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* The visible pane (with -e: its escape sequences too), or NULL. */
static char *capture(bool esc)
{
	static char buf[1 << 17];
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/pane", tmpdir);
	if (tmux("capture-pane -p %s -t top > %s", esc ? "-e" : "", path))
		return NULL;
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Waits up to 10 s (TCG is slow) for the pane to show, or not, s. */
static bool pane_has(const char *s, bool want)
{
	char *p = NULL;
	int i;

	for (i = 0; i < 200; i++) {
		p = capture(false);
		if (p && !!strstr(p, s) == want)
			return true;
		pause_ms(50);
	}
	if (p)
		printf("pane, waiting for %s'%s':\n%s\n", want ? "" : "no ", s, p);
	return false;
}

#define EXPECT(s, what) ASSERT_TRUE(pane_has((s), true), (what))
#define EXPECT_NOT(s, what) ASSERT_TRUE(pane_has((s), false), (what))

/* ------------------------------------------------------------------ */
/* The table on the screen                                            */

#define MAX_ROWS	64
#define MAX_CELLS	16

struct screen {
	char text[1 << 17];
	int ncols;
	char *title[MAX_CELLS];
	int nrows;
	int ncells[MAX_ROWS];
	char *cell[MAX_ROWS][MAX_CELLS];
};

static int split(char *line, char **out, int max)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok && n < max;
	     tok = strtok_r(NULL, " ", &save))
		out[n++] = tok;
	return n;
}

/*
 * Reads the table whose header line starts with first (a column title):
 * titles lose the sort mark (v or ^), rows are the lines below up to a
 * blank one, the details pane or the key line. Cells are split at blanks,
 * which the workload's names do not contain.
 */
static bool read_table(struct screen *sc, const char *first)
{
	char *line, *save = NULL, *pane = capture(false);
	bool in = false;
	int k;

	memset(sc, 0, sizeof(*sc));
	if (!pane)
		return false;
	snprintf(sc->text, sizeof(sc->text), "%s", pane);
	for (line = strtok_r(sc->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (!in) {
			size_t n = strlen(first);

			if (strncmp(p, first, n) || !strchr(" v^", p[n]))
				continue;
			sc->ncols = split(p, sc->title, MAX_CELLS);
			for (k = 0; k < sc->ncols; k++) {
				size_t n = strlen(sc->title[k]);

				if (n > 1 && (sc->title[k][n - 1] == 'v' ||
					      sc->title[k][n - 1] == '^'))
					sc->title[k][n - 1] = '\0';
			}
			in = true;
			continue;
		}
		if (!*p || !strncmp(p, "details", 7) ||
		    !strncmp(p, "q:quit", 6) || sc->nrows == MAX_ROWS)
			break;
		sc->ncells[sc->nrows] = split(p, sc->cell[sc->nrows], MAX_CELLS);
		sc->nrows++;
	}
	return in;
}

/* Waits for the table of a view; false if it never shows. */
static bool wait_table(struct screen *sc, const char *first)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (read_table(sc, first))
			return true;
		pause_ms(50);
	}
	printf("no table headed %s on:\n%s\n", first, capture(false));
	return false;
}

static int col_of(const struct screen *sc, const char *title)
{
	int k;

	for (k = 0; k < sc->ncols; k++)
		if (!strcmp(sc->title[k], title))
			return k;
	return -1;
}

/* The cell of row r under title, or "" (hidden column, empty cell). */
static const char *cell(const struct screen *sc, int r, const char *title)
{
	int k = col_of(sc, title);

	return k >= 0 && k < sc->ncells[r] ? sc->cell[r][k] : "";
}

static unsigned long long num(const struct screen *sc, int r,
			      const char *title)
{
	return strtoull(cell(sc, r, title), NULL, 10);
}

/* The row whose column title reads val, or -1. */
static int row_where(const struct screen *sc, const char *title,
		     const char *val)
{
	int r;

	for (r = 0; r < sc->nrows; r++)
		if (!strcmp(cell(sc, r, title), val))
			return r;
	return -1;
}

static int row_where_num(const struct screen *sc, const char *title,
			 unsigned long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", val);
	return row_where(sc, title, buf);
}

/* The figure after label in the header ("Buffers 13"), or -1. */
static long long header_num(const char *label)
{
	char *pane = capture(false), *p;

	p = pane ? strstr(pane, label) : NULL;
	return p ? strtoll(p + strlen(label), NULL, 10) : -1;
}

/* Does the SGR sequence at p ("ESC[0;7m", "ESC[7m", ...) set reverse? */
static bool sgr_reverse(const char *p, const char *end)
{
	for (p += 2; p < end; p++)
		if (*p == '7' && (p[-1] == '[' || p[-1] == ';') &&
		    (p[1] == ';' || p[1] == 'm'))
			return true;
	return false;
}

/*
 * The first cell of the highlighted (reverse video) table row: capture -e
 * starts such a line with SGR sequences that set reverse (7); of those
 * lines, the header bar, the tab of the view and the details title do not
 * start with a number.
 */
static long selected_id(void)
{
	char *pane = capture(true), *line, *save = NULL;

	if (!pane)
		return -1;
	for (line = strtok_r(pane, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool reverse = false;
		char *p = line, *q;

		while (p[0] == '\033' && p[1] == '[') {
			q = strchr(p, 'm');
			if (!q)
				break;
			reverse |= sgr_reverse(p, q);
			p = q + 1;
		}
		if (!reverse)
			continue;
		while (*p == ' ')
			p++;
		/* a row's first cell; not the tab " 1:procs " */
		if (isdigit((unsigned char)*p)) {
			long id = strtol(p, &q, 10);

			if (*q == ' ')
				return id;
		}
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Running dmabuf-top in the pane                                     */

static bool start_top(const char *args, const char *pidfile)
{
	/* the shell prints the exit status once dmabuf-top is gone */
	tmux("send-keys -t top \"sh -c 'echo \\$\\$ > %s; exec %s %s'; echo TOP-EXIT=\\$?\" Enter",
	     pidfile ?: "/dev/null", exe_beside("dmabuf-top"), args);
	return pane_has("1:procs", true);
}

/* q, then the shell is back: exit 0 and no dmabuf-top screen. */
static void quit_top(void)
{
	tmux("send-keys -t top q");
	EXPECT("TOP-EXIT=0", "q exits 0");
	EXPECT_NOT("1:procs", "the alternate screen is left");
	tmux("send-keys -t top clear Enter");
	EXPECT_NOT("TOP-EXIT", "cleared");
}

static void subtest_keys(void)
{
	if (!ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws"))
		return;
	EXPECT("Buffers ", "header totals");
	EXPECT("sort rss desc", "default sort");
	EXPECT("PID", "procs columns");

	tmux("send-keys -t top 3");
	EXPECT("INODE", "3: buffers view");
	EXPECT("sort size desc", "buffers sort");
	/* names and identifiers sort ascending, other numbers descending */
	tmux("send-keys -t top '>'");
	EXPECT("sort exporter asc", "> picks the next column");
	tmux("send-keys -t top '<' '<'");
	EXPECT("sort ino asc", "< picks the previous column");
	tmux("send-keys -t top r");
	EXPECT("sort ino desc", "r reverses");
	tmux("send-keys -t top 2");
	EXPECT("EXP_NAME", "2: exporters view");
	tmux("send-keys -t top Tab");
	EXPECT("INODE", "Tab: next view");
	tmux("send-keys -t top 4");
	EXPECT("DEVICE ", "4: devices");
	tmux("send-keys -t top 5");
	EXPECT("USER", "5: uids");
	tmux("send-keys -t top 6");
	EXPECT("CGROUP", "6: cgroups");
	tmux("send-keys -t top 1");
	EXPECT("COMM", "1: procs");

	tmux("send-keys -t top / z z q");
	EXPECT("/zzq", "filter prompt echoes (q is text here)");
	tmux("send-keys -t top Enter");
	EXPECT("filter 'zzq'", "filter applied");
	EXPECT("no processes match", "filter hides everything");
	tmux("send-keys -t top / Escape");
	EXPECT_NOT("filter 'zzq'", "Esc clears the filter");

	tmux("send-keys -t top H");
	EXPECT("grouped (H)", "H: tree mode");
	tmux("send-keys -t top H d");
	EXPECT("details (d closes)", "d: details pane");
	tmux("send-keys -t top d '?'");
	EXPECT("dmabuf-top keys", "?: help");
	tmux("send-keys -t top x");
	EXPECT_NOT("dmabuf-top keys", "any key closes help");

	/* 80x24 hides the least needed columns; a wide screen has them all */
	EXPECT_NOT(" UID ", "80x24: no UID column");
	EXPECT("GROW/s L", "80x24: the leak column stays");
	tmux("resize-window -t top -x 160 -y 40");
	EXPECT(" UID ", "160x40: UID column");
	EXPECT("AVG/s", "160x40: AVG/s column");
	tmux("resize-window -t top -x 40 -y 10");
	EXPECT("1:procs", "40x10 still draws");
	tmux("resize-window -t top -x 12 -y 3");
	EXPECT("dmabuf-top:", "tiny: degrades, no crash");
	tmux("resize-window -t top -x 80 -y 24");
	EXPECT("1:procs", "80x24 again");
	EXPECT("q:quit", "80x24: key line");
	EXPECT_NOT("TOP-EXIT", "still running after resizes");
	quit_top();
}

/* How a process holds its buffers, by the manifest and by bufinfo. */
static void check_procs(const struct manifest *mf)
{
	struct screen sc;
	int i, r;

	tmux("send-keys -t top 1");
	if (!ASSERT_TRUE(wait_table(&sc, "PID"), "procs table"))
		return;
	ASSERT_EQ(sc.nrows, mf->nr_procs, "a row per workload process");
	for (i = 0; i < mf->nr_procs; i++) {
		const struct mf_proc *p = &mf->procs[i];

		r = row_where_num(&sc, "PID", p->pid);
		if (!ASSERT_GE(r, 0, "process row"))
			continue;
		ASSERT_STRNEQ(cell(&sc, r, "COMM"), p->comm, 15, "COMM");
		ASSERT_EQ(num(&sc, r, "RSS"), p->rss, "RSS");
		ASSERT_EQ(num(&sc, r, "PSS"), p->pss, "PSS");
		ASSERT_EQ(num(&sc, r, "BUFS"), p->nr_bufs, "BUFS");
		ASSERT_EQ(num(&sc, r, "FDS"), p->nr_fds, "FDS");
		ASSERT_EQ(num(&sc, r, "MAPS"), p->nr_maps, "MAPS");
		ASSERT_STREQ(cell(&sc, r, "DELTA"), "0", "steady: DELTA 0");
	}
}

/*
 * Per exp_name, the rows add up to bufinfo's count and bytes. One exp_name
 * can have several rows: "drm" buffers are shown under their driver when
 * the backend can tell it, else under "drm".
 */
static void check_exporters(const struct bufinfo *bi)
{
	struct screen sc;
	int i, j, r, seen = 0;

	tmux("send-keys -t top 2");
	if (!ASSERT_TRUE(wait_table(&sc, "EXPORTER"), "exporters table"))
		return;
	for (i = 0; i < bi->nr; i++) {
		unsigned long long bytes = 0, count = 0, rbytes = 0, rcount = 0;
		const char *exp = bi->bufs[i].exp_name;

		for (j = 0; j < i; j++)
			if (!strcmp(bi->bufs[j].exp_name, exp))
				break;
		if (j < i)
			continue;	/* counted already */
		for (j = i; j < bi->nr; j++)
			if (!strcmp(bi->bufs[j].exp_name, exp)) {
				bytes += bi->bufs[j].size;
				count++;
			}
		for (r = 0; r < sc.nrows; r++)
			if (!strcmp(cell(&sc, r, "EXP_NAME"), exp)) {
				rcount += num(&sc, r, "COUNT");
				rbytes += num(&sc, r, "BYTES");
				seen++;
			}
		ASSERT_EQ(rcount, count, "COUNT = bufinfo's");
		ASSERT_EQ(rbytes, bytes, "BYTES = bufinfo's");
	}
	ASSERT_EQ(sc.nrows, seen, "every row is some exp_name's");
}

/* "47,49" holds the same pids as the manifest says, in any order. */
static bool same_pids(const char *list, const struct mf_buf *b)
{
	char copy[256], *tok, *save = NULL;
	int n = 0, k;

	if (!b->nr_holders)
		return !strcmp(list, "-");
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < b->nr_holders; k++)
			if (b->holders[k] == atoi(tok))
				break;
		if (k == b->nr_holders)
			return false;
		n++;
	}
	return n == b->nr_holders;
}

static void check_buffers(const struct manifest *mf, const struct bufinfo *bi)
{
	struct screen sc;
	int i, r;

	tmux("send-keys -t top 3");
	if (!ASSERT_TRUE(wait_table(&sc, "INODE"), "buffers table"))
		return;
	ASSERT_EQ(sc.nrows, bi->nr, "a row per buffer of bufinfo");
	for (i = 0; i < mf->nr_bufs; i++) {
		const struct mf_buf *b = &mf->bufs[i];
		const struct bufinfo_buf *g = bufinfo_find(bi, b->ino);

		r = row_where_num(&sc, "INODE", b->ino);
		if (!ASSERT_GE(r, 0, "buffer row") || !ASSERT_OK_PTR(g, "in bufinfo"))
			continue;
		ASSERT_EQ(num(&sc, r, "SIZE"), b->size, "SIZE");
		ASSERT_STREQ(cell(&sc, r, "NAME"), b->name, "NAME");
		if (strcmp(b->exp_name, "drm"))	/* DRM: the driver's name */
			ASSERT_STREQ(cell(&sc, r, "EXPORTER"), b->exp_name,
				     "EXPORTER");
		ASSERT_TRUE(same_pids(cell(&sc, r, "HOLDERS"), b), "HOLDERS");
		if (g->nr_attached)
			ASSERT_STREQ(cell(&sc, r, "DEVICES"), g->attached[0],
				     "DEVICES = bufinfo's attachment");
		else
			ASSERT_STREQ(cell(&sc, r, "DEVICES"), "-", "no device");
	}
}

static void check_devices(const struct bufinfo *bi)
{
	unsigned long long bytes = 0, count = 0;
	const char *dev = NULL;
	struct screen sc;
	int i, r;

	tmux("send-keys -t top 4");
	if (!ASSERT_TRUE(wait_table(&sc, "DEVICE"), "devices table"))
		return;
	for (i = 0; i < bi->nr; i++)
		if (bi->bufs[i].nr_attached) {
			dev = bi->bufs[i].attached[0];
			bytes += bi->bufs[i].size;
			count++;
		}
	if (!dev) {
		ASSERT_EQ(sc.nrows, 0, "no device, no row");
		return;
	}
	r = row_where(&sc, "DEVICE", dev);
	if (!ASSERT_GE(r, 0, "device row"))
		return;
	ASSERT_EQ(num(&sc, r, "COUNT"), count, "COUNT = bufinfo's");
	ASSERT_EQ(num(&sc, r, "BYTES"), bytes, "BYTES = bufinfo's");
}

/* uids and cgroups: every process is root's, in one cgroup here. */
static void check_groups(const struct manifest *mf, const char *key,
			 const char *first)
{
	unsigned long long rss = 0, pss = 0, bufs = 0;
	struct screen sc;
	int i;

	for (i = 0; i < mf->nr_bufs; i++)
		if (mf->bufs[i].nr_holders) {
			rss += mf->bufs[i].size;
			bufs++;
		}
	for (i = 0; i < mf->nr_procs; i++)
		pss += mf->procs[i].pss;
	tmux("send-keys -t top %s", key);
	if (!ASSERT_TRUE(wait_table(&sc, first), "groups table") ||
	    !ASSERT_EQ(sc.nrows, 1, "one group"))
		return;
	ASSERT_EQ(num(&sc, 0, "PROCS"), mf->nr_procs, "PROCS");
	ASSERT_EQ(num(&sc, 0, "BUFS"), bufs, "BUFS: distinct buffers");
	ASSERT_EQ(num(&sc, 0, "RSS"), rss, "RSS: distinct buffers' bytes");
	ASSERT_EQ(num(&sc, 0, "PSS"), pss, "PSS: the processes' sum");
}

static void subtest_truth(const struct manifest *mf)
{
	struct bufinfo bi = { 0 };

	if (!ASSERT_OK(bufinfo_read(&bi), "bufinfo") ||
	    !ASSERT_TRUE(start_top("--bytes 0.5", NULL), "dmabuf-top draws"))
		goto out;
	ASSERT_EQ(header_num("Buffers "), bi.nr, "header: buffers");
	ASSERT_EQ(header_num("exported "), (long long)bi.total_bytes,
		  "header: exported bytes");
	ASSERT_EQ(header_num("kernel-only "), (long long)mf->kernel_only_bytes,
		  "header: kernel-only bytes");
	ASSERT_EQ(header_num("procs "), mf->nr_procs, "header: processes");
	check_procs(mf);
	check_exporters(&bi);
	check_buffers(mf, &bi);
	check_devices(&bi);
	check_groups(mf, "5", "UID");
	check_groups(mf, "6", "CGROUP");
	quit_top();
out:
	bufinfo_free(&bi);
}

/* The column's numbers (or texts) are in order; desc: largest first. */
static bool in_order(const struct screen *sc, const char *title, bool desc,
		     bool text)
{
	int r, c;

	for (r = 1; r < sc->nrows; r++) {
		if (text)
			c = strverscmp(cell(sc, r - 1, title),
				       cell(sc, r, title));
		else
			c = num(sc, r - 1, title) < num(sc, r, title) ? -1 :
			    num(sc, r - 1, title) > num(sc, r, title);
		/* text sorts A-Z (naturally) when numbers sort largest first */
		if (text ? (desc ? c > 0 : c < 0) : (desc ? c < 0 : c > 0)) {
			printf("%s out of order at row %d\n", title, r);
			return false;
		}
	}
	return sc->nrows > 1;
}

static void subtest_sort(void)
{
	struct screen sc;

	if (!ASSERT_TRUE(start_top("--bytes 0.5", NULL), "dmabuf-top draws"))
		return;
	EXPECT("sort rss desc", "default: rss");
	if (wait_table(&sc, "PID"))
		ASSERT_TRUE(in_order(&sc, "RSS", true, false), "RSS descending");
	tmux("send-keys -t top '>'");
	EXPECT("sort pss desc", "> : pss");
	if (wait_table(&sc, "PID"))
		ASSERT_TRUE(in_order(&sc, "PSS", true, false), "PSS descending");
	tmux("send-keys -t top r");
	EXPECT("sort pss asc", "r: ascending");
	if (wait_table(&sc, "PID"))
		ASSERT_TRUE(in_order(&sc, "PSS", false, false), "PSS ascending");
	tmux("send-keys -t top r '<' '<'");
	EXPECT("sort comm asc", "< <: comm");
	if (wait_table(&sc, "PID"))
		ASSERT_TRUE(in_order(&sc, "COMM", true, true), "COMM A-Z");
	tmux("send-keys -t top 3");
	EXPECT("sort size desc", "buffers: size");
	if (wait_table(&sc, "INODE"))
		ASSERT_TRUE(in_order(&sc, "SIZE", true, false), "SIZE descending");
	quit_top();
}

static void subtest_filter(const struct manifest *mf)
{
	struct screen sc;
	int i, cams = 0;

	for (i = 0; i < mf->nr_bufs; i++)
		cams += !strncmp(mf->bufs[i].name, "cam-", 4);
	if (!ASSERT_TRUE(start_top("--bytes 0.5", NULL), "dmabuf-top draws"))
		return;
	tmux("send-keys -t top / w l - g p u Enter");
	EXPECT("filter 'wl-gpu'", "filter shown");
	if (wait_table(&sc, "PID")) {
		ASSERT_EQ(sc.nrows, 1, "one process matches wl-gpu");
		ASSERT_STREQ(cell(&sc, 0, "COMM"), "wl-gpu", "it is wl-gpu");
	}
	tmux("send-keys -t top / Escape 3 / c a m - Enter");
	EXPECT("filter 'cam-'", "filter shown");
	if (wait_table(&sc, "INODE")) {
		ASSERT_EQ(sc.nrows, cams, "the cam- buffers, no others");
		for (i = 0; i < sc.nrows; i++)
			ASSERT_STRNEQ(cell(&sc, i, "NAME"), "cam-", 4,
				      "a cam- buffer");
	}
	tmux("send-keys -t top / Escape");
	EXPECT_NOT("filter 'cam-'", "Esc clears");
	if (wait_table(&sc, "INODE"))
		ASSERT_GT(sc.nrows, cams, "every buffer again");
	quit_top();
}

/* Waits (up to 10 s) for the highlight to be on row id. */
static bool wait_selected(long want)
{
	int k;

	for (k = 0; k < 200; k++) {
		if (selected_id() == want)
			return true;
		pause_ms(50);
	}
	printf("selected %ld, not %ld, on:\n%s\n", selected_id(), want,
	       capture(false));
	return false;
}

/*
 * (guest) 'i' then an inode and Enter: the buffers view with that buffer
 * selected, scrolled to if need be (the last row by size); a text filter
 * that hides it is cleared, and said so; an inode of no buffer is said;
 * Esc closes the prompt without quitting.
 */
static void subtest_goto(const struct manifest *mf)
{
	const struct mf_buf *last = NULL;
	int i;

	/* sorted by size, largest first, ties by inode: the last row */
	for (i = 0; i < mf->nr_bufs; i++)
		if (!last || mf->bufs[i].size < last->size ||
		    (mf->bufs[i].size == last->size &&
		     mf->bufs[i].ino > last->ino))
			last = &mf->bufs[i];
	if (!ASSERT_OK_PTR(last, "a workload buffer") ||
	    !ASSERT_TRUE(start_top("0.5", NULL), "dmabuf-top draws"))
		return;
	tmux("send-keys -t top i");
	EXPECT("inode:", "i: the inode prompt");
	tmux("send-keys -t top -l %lu", last->ino);
	tmux("send-keys -t top Enter");
	EXPECT("INODE", "the buffers view");
	ASSERT_TRUE(wait_selected(last->ino), "that buffer is selected");

	/* hidden by a filter: cleared */
	tmux("send-keys -t top 1 / z z q Enter");
	EXPECT("filter 'zzq'", "a filter that hides every row");
	tmux("send-keys -t top i");
	EXPECT("inode:", "the prompt again");
	tmux("send-keys -t top -l %lu", last->ino);
	tmux("send-keys -t top Enter");
	EXPECT("were cleared", "the filter was cleared, and it says so");
	EXPECT_NOT("filter 'zzq'", "no filter any more");
	ASSERT_TRUE(wait_selected(last->ino), "the buffer is selected");

	tmux("send-keys -t top i 9 9 9 9 9 9 9 9 Enter");
	EXPECT("no buffer with inode 99999999", "an inode of no buffer");
	tmux("send-keys -t top i 1 Escape");
	EXPECT_NOT("inode: 1", "Esc closes the prompt");
	EXPECT("3:buffers", "and dmabuf-top is still there");
	quit_top();
}

/* Waits (up to 5 s) for the highlight to be on a row other than not. */
static long wait_selected_not(long not)
{
	long id = -1;
	int k;

	for (k = 0; k < 100; k++) {
		id = selected_id();
		if (id >= 0 && id != not)
			break;
		pause_ms(50);
	}
	return id;
}

/*
 * Home, then Down until the highlight is on pid; each key is given time to
 * show (TCG under load is slow), so no row is skipped. False if pid is not
 * among the first nrows + 1 rows.
 */
static bool select_pid(pid_t pid, int nrows)
{
	struct screen sc;
	long id, first;
	int i, k;

	if (!wait_table(&sc, "PID") || !sc.nrows)
		return false;
	first = strtol(sc.cell[0][0], NULL, 10);
	tmux("send-keys -t top Home");
	for (k = 0; k < 100 && selected_id() != first; k++)
		pause_ms(50);
	id = selected_id();
	for (i = 0; i <= nrows && id >= 0; i++) {
		if (id == pid)
			return true;
		tmux("send-keys -t top Down");
		id = wait_selected_not(id);
	}
	return id == pid;
}

static void subtest_selection(const struct manifest *mf)
{
	const struct mf_proc *npu = NULL;
	char line[96];
	int i;

	for (i = 0; i < mf->nr_procs; i++)
		if (!strcmp(mf->procs[i].comm, "wl-npu"))
			npu = &mf->procs[i];
	if (!ASSERT_OK_PTR(npu, "wl-npu in the manifest") ||
	    !ASSERT_TRUE(start_top("--bytes 0.3", NULL), "dmabuf-top draws"))
		return;
	if (!ASSERT_TRUE(select_pid(npu->pid, mf->nr_procs), "select wl-npu"))
		goto out;
	snprintf(line, sizeof(line), "process %d wl-npu", npu->pid);
	tmux("send-keys -t top d");
	EXPECT(line, "details of the selection");
	tmux("send-keys -t top r");
	EXPECT("sort rss asc", "order reversed");
	ASSERT_EQ(selected_id(), npu->pid, "reversed: still wl-npu");
	EXPECT(line, "reversed: details still of wl-npu");
	pause_ms(1500);	/* several refreshes */
	ASSERT_EQ(selected_id(), npu->pid, "refreshed: still wl-npu");
	tmux("send-keys -t top / w l - Enter");
	EXPECT("filter 'wl-'", "filter");
	ASSERT_EQ(selected_id(), npu->pid, "filtered: still wl-npu");
	tmux("send-keys -t top 3 1");
	EXPECT("COMM", "back to procs");
	ASSERT_EQ(selected_id(), npu->pid, "after a view switch: still wl-npu");
	tmux("send-keys -t top p");
	snprintf(line, sizeof(line), "follow %d", npu->pid);
	EXPECT(line, "p follows the selection");
out:
	quit_top();
}

static void subtest_leak(void)
{
	const char *const args[] = { "--leak", "0.1", NULL };
	struct workload wl = WORKLOAD_INIT;
	struct manifest mf = { 0 };
	struct screen sc;
	char *trend;
	int i, r = -1;

	if (!workload_start_args(&wl, "top_tui_leak", args) ||
	    manifest_read(wl.manifest, &mf) ||
	    !ASSERT_GT(mf.leaker, 0, "the manifest names the leaker"))
		goto out;
	/* -K 3 at 0.5 s: the leaker grows 5 pages between refreshes */
	if (!ASSERT_TRUE(start_top("-K 3 0.5", NULL), "dmabuf-top draws"))
		goto out;
	for (i = 0; i < 100; i++) {
		if (wait_table(&sc, "PID")) {
			r = row_where_num(&sc, "PID", mf.leaker);
			if (r >= 0 && !strcmp(cell(&sc, r, "L"), "!"))
				break;
		}
		pause_ms(100);
	}
	if (ASSERT_GE(r, 0, "leaker row") &&
	    ASSERT_STREQ(cell(&sc, r, "L"), "!", "the leaker is marked")) {
		ASSERT_EQ(cell(&sc, r, "DELTA")[0], '+', "DELTA grows");
		for (i = 0; i < sc.nrows; i++)
			if (i != r)
				ASSERT_STREQ(cell(&sc, i, "L"), "",
					     "steady processes are not marked");
	}
	/* its details carry a sparkline of its rss since selected: rising */
	/* (it climbs the rss order: filtered, it is the one row) */
	tmux("send-keys -t top / w l - l e a k e r Enter");
	if (ASSERT_TRUE(select_pid(mf.leaker, 1), "select the leaker")) {
		tmux("send-keys -t top d");
		EXPECT("since selected: ", "details: the selection's trend");
		pause_ms(1500);
		trend = strstr(capture(false) ?: "", "since selected: ");
		ASSERT_OK_PTR(trend, "trend shown");
		ASSERT_TRUE(trend && strstr(trend, "\u2588"),
			    "the trend rises to a full block");
	}
	quit_top();
out:
	workload_stop(&wl);
	manifest_free(&mf);
}

static pid_t read_pid(const char *pidfile)
{
	FILE *f = fopen(pidfile, "r");
	int pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

static void subtest_quit(void)
{
	char pidfile[128];
	pid_t pid;

	/* q, with the details pane open */
	if (ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws")) {
		tmux("send-keys -t top d");
		quit_top();
	}
	snprintf(pidfile, sizeof(pidfile), "%s/pid", tmpdir);
	if (ASSERT_TRUE(start_top("0.3", pidfile), "dmabuf-top draws")) {
		pid = read_pid(pidfile);
		if (ASSERT_GT(pid, 1, "pid") &&
		    ASSERT_OK(kill(pid, SIGTERM), "SIGTERM")) {
			EXPECT("TOP-EXIT=0", "SIGTERM: clean exit");
			EXPECT_NOT("1:procs", "SIGTERM: alternate screen left");
		}
		tmux("send-keys -t top clear Enter");
		EXPECT_NOT("TOP-EXIT", "cleared");
	}
	if (ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws")) {
		tmux("send-keys -t top C-c");
		EXPECT("TOP-EXIT=0", "Ctrl-C: clean exit");
		EXPECT_NOT("1:procs", "Ctrl-C: alternate screen left");
	}
}

/*
 * ESC, then rest 100 ms later, typed into the pane's terminal with
 * TIOCSTI (root may, even where legacy TIOCSTI is off), so the gap is the
 * sleep and not the start of a tmux client on a loaded machine; else
 * through tmux, run-shell holding its command queue for the gap.
 */
static void split_key(const char *rest)
{
	char path[128], tty[64] = "";
	const char *p;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/tty", tmpdir);
	if (!tmux("display-message -p -t top '#{pane_tty}' > %s", path) &&
	    (f = fopen(path, "r"))) {
		if (!fgets(tty, sizeof(tty), f))
			tty[0] = '\0';
		tty[strcspn(tty, "\n")] = '\0';
		fclose(f);
	}
	fd = tty[0] ? open(tty, O_RDWR | O_NOCTTY) : -1;
	if (fd >= 0 && !ioctl(fd, TIOCSTI, "\033")) {
		pause_ms(100);
		for (p = rest; *p; p++)
			ioctl(fd, TIOCSTI, p);
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	tmux("send-keys -t top Escape \\; run-shell 'sleep 0.1' \\; send-keys -t top -l '%s'",
	     rest);
}

/*
 * Esc backs out (details, filter prompt, help, sort menu) and never
 * quits. An arrow key whose bytes come apart (ESC, then "[C" 100 ms
 * later, as over a slow serial or adb link) is still one key: it neither
 * quits nor leaves "[C" behind (split_key() makes the gap).
 */
static void subtest_esc(void)
{
	if (!ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws"))
		return;
	tmux("send-keys -t top d");
	EXPECT("details (d closes)", "d: details pane");
	tmux("send-keys -t top Escape");
	EXPECT_NOT("details (d closes)", "Esc closes the details");
	tmux("send-keys -t top Escape");
	EXPECT("q or F10 quits", "a second Esc (none open) says how to quit");
	EXPECT_NOT("TOP-EXIT", "Esc did not quit");

	tmux("send-keys -t top '?'");
	EXPECT("dmabuf-top keys", "?: help");
	tmux("send-keys -t top Escape");
	EXPECT_NOT("dmabuf-top keys", "Esc closes the help");
	tmux("send-keys -t top / z z");
	EXPECT("/zz", "filter prompt");
	tmux("send-keys -t top Escape");
	EXPECT_NOT("/zz", "Esc closes the prompt");
	EXPECT_NOT("filter 'zz'", "no filter applied");

	/* a Right arrow in two pieces: the next view, nothing quits */
	split_key("[C");
	EXPECT("EXP_NAME", "split ESC [C: Right, the exporters view");
	split_key("[D");
	EXPECT("COMM", "split ESC [D: Left, back to procs");
	pause_ms(500);
	EXPECT_NOT("TOP-EXIT", "split arrows did not quit");
	EXPECT_NOT("[C", "no [C left on the screen");
	EXPECT_NOT("[D", "no [D left on the screen");
	quit_top();
	/* and on the shell's line nothing was typed after dmabuf-top left */
	EXPECT_NOT("[C", "no [C in the shell");
}

/* htop's and nvtop's keys: F3 search, F5 tree, F6 sort menu, F10 quit. */
static void subtest_fkeys(void)
{
	if (!ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws"))
		return;
	EXPECT("sort rss desc", "default sort");
	tmux("send-keys -t top F6");
	EXPECT("Sort by", "F6: the sort menu");
	tmux("send-keys -t top Down Enter");
	EXPECT("sort pss desc", "menu: Down, Enter picks the next key");
	EXPECT_NOT("Sort by", "Enter closes the menu");
	tmux("send-keys -t top F6 Down Down Escape");
	EXPECT_NOT("Sort by", "Esc closes the menu");
	EXPECT("sort pss desc", "Esc keeps the sort");
	tmux("send-keys -t top F3 z z q Enter");
	EXPECT("filter 'zzq'", "F3: the filter prompt, as /");
	tmux("send-keys -t top / Escape");
	EXPECT_NOT("filter 'zzq'", "filter cleared");
	tmux("send-keys -t top F5");
	EXPECT("grouped (H)", "F5: tree, as H");
	tmux("send-keys -t top F5");
	EXPECT_NOT("grouped (H)", "F5 again: flat");
	EXPECT_NOT("TOP-EXIT", "still running");
	tmux("send-keys -t top F10");
	EXPECT("TOP-EXIT=0", "F10 quits, exit 0");
	EXPECT_NOT("1:procs", "the alternate screen is left");
	tmux("send-keys -t top clear Enter");
	EXPECT_NOT("TOP-EXIT", "cleared");
}

/* The pane's line holding s (0-based) and s's column in it; -1 if none. */
static int line_of(const char *s, int *x)
{
	char *pane = capture(false), *line, *nl, *p;
	int y;

	if (!pane)
		return -1;
	/* line by line, empty ones counted (strtok would skip them) */
	for (line = pane, y = 0; *line; line = nl + 1, y++) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		p = strstr(line, s);
		if (p && p < nl) {
			*x = (int)(p - line);
			return y;
		}
		if (!*nl)
			break;
	}
	return -1;
}

/* An SGR (1006) mouse press and release of button 1 at 0-based (x, y). */
static void click(int x, int y)
{
	tmux("send-keys -t top -l \"$(printf '\\033[<0;%d;%dM\\033[<0;%d;%dm')\"",
	     x + 1, y + 1, x + 1, y + 1);
}

/*
 * The mouse, as tmux passes it on (SGR reports): a click on a column
 * header sorts by it (again: reversed); in the guest, where there are
 * rows, a click on a row selects that row.
 */
static void subtest_mouse(bool rows)
{
	struct screen sc;
	int x, y, r;
	long pid;

	if (!ASSERT_TRUE(start_top("--bytes 0.5", NULL), "dmabuf-top draws"))
		return;
	EXPECT("sort rss desc", "default sort");
	y = line_of(" PSS", &x);
	if (!ASSERT_GE(y, 0, "PSS header on screen"))
		goto out;
	click(x + 2, y);
	EXPECT("sort pss desc", "a click on PSS sorts by it");
	click(x + 2, y);
	EXPECT("sort pss asc", "a second click reverses");
	if (!rows)
		goto out;
	tmux("send-keys -t top r");
	EXPECT("sort pss desc", "r: back to descending");
	if (!wait_table(&sc, "PID") || !ASSERT_GE(sc.nrows, 3, "3 rows"))
		goto out;
	y = line_of("PID ", &x);
	if (!ASSERT_GE(y, 0, "header line"))
		goto out;
	for (r = 2; r >= 0; r--) {
		click(3, y + 1 + r);
		pid = strtol(cell(&sc, r, "PID"), NULL, 10);
		pause_ms(300);
		ASSERT_EQ(selected_id(), pid, "the clicked row is selected");
	}
out:
	EXPECT_NOT("TOP-EXIT", "clicks never quit");
	quit_top();
}

/* The header's titles (sort mark dropped) of the view whose first is first. */
static int titles(const char *first, char out[][16], int max)
{
	struct screen sc;
	int k;

	if (!wait_table(&sc, first))
		return -1;
	for (k = 0; k < sc.ncols && k < max; k++)
		snprintf(out[k], sizeof(out[k]), "%s", sc.title[k]);
	return k;
}

/*
 * At 60x15 no column is half shown (the issue saw "GROW/" over an empty
 * column): every title is one the view has in full at 160x40.
 */
static void subtest_narrow(void)
{
	static const char *const firsts[] = {
		"PID", "EXPORTER", "INODE", "DEVICE", "UID", "CGROUP",
	};
	char wide[MAX_CELLS][16], narrow[MAX_CELLS][16];
	int v, nw, nn, i, j;

	if (!ASSERT_TRUE(start_top("0.3", NULL), "dmabuf-top draws"))
		return;
	for (v = 0; v < 6; v++) {
		tmux("resize-window -t top -x 160 -y 40");
		tmux("send-keys -t top %d", v + 1);
		nw = titles(firsts[v], wide, MAX_CELLS);
		tmux("resize-window -t top -x 60 -y 15");
		pause_ms(300);
		nn = titles(firsts[v], narrow, MAX_CELLS);
		if (!ASSERT_GT(nw, 0, "wide header") ||
		    !ASSERT_GT(nn, 0, "60x15 header"))
			continue;
		for (i = 0; i < nn; i++) {
			for (j = 0; j < nw && strcmp(narrow[i], wide[j]); j++)
				;
			if (!ASSERT_LT(j, nw, "a whole title at 60x15"))
				printf("view %d: '%s' at 60x15\n", v + 1,
				       narrow[i]);
		}
	}
	tmux("resize-window -t top -x 80 -y 24");
	quit_top();
}

/*
 * (guest) At 80x24 a process's details say all of it: the summary line
 * ends with its mappings, not "... 4 fds, 3 m".
 */
static void subtest_details_line(void)
{
	if (!ASSERT_TRUE(start_top("0.5", NULL), "dmabuf-top draws"))
		return;
	tmux("send-keys -t top 1 d");
	EXPECT("details (d closes)", "d: details pane");
	EXPECT(" maps", "the process's line ends with its maps");
	EXPECT(" buffers ", "and its buffers");
	/* the workload's processes were started as dmabuf-workload */
	EXPECT("cmdline dmabuf-workload", "its command line, beside its comm");
	quit_top();
}

/* Subtests that need real buffers: they say so where there are none. */
static void skip_guest_only(const char *name)
{
	if (test__start_subtest(name))
		test__skip_reason("no dma-buf sources or bufinfo here: runs in the guest");
}

/*
 * -b on a terminal: plain scrolling reports, no screen handling. The
 * command line typed stays visible (nothing cleared the screen) and the
 * pane holds no attribute or colour escape.
 */
static void subtest_batch_tty(void)
{
	char *pane;

	tmux("send-keys -t top \"%s -b 0.2 2; echo TOP-EXIT=\\$?\" Enter",
	     exe_beside("dmabuf-top"));
	EXPECT("TOP-EXIT=0", "batch mode exits 0");
	EXPECT("refresh 2", "two reports");
	EXPECT("-b 0.2 2;", "the command line was not cleared away");
	pane = capture(true);
	ASSERT_OK_PTR(pane, "capture -e");
	if (pane)
		ASSERT_NULL(strstr(pane, "\033["), "no escape sequences");
	tmux("send-keys -t top clear Enter");
	EXPECT_NOT("TOP-EXIT", "cleared");
}

/*
 * A snapshot that fails while the screen is up: with the bufinfo backend,
 * debugfs unmounted under it. One error line, exit 1, the shell's screen.
 */
static void subtest_error(void)
{
	if (!ASSERT_TRUE(start_top("--backend bufinfo 0.3", NULL),
			 "dmabuf-top draws"))
		return;
	if (!ASSERT_OK(system("umount -l " DEBUGFS_DIR), "umount debugfs")) {
		quit_top();
		return;
	}
	EXPECT("TOP-EXIT=1", "a failed snapshot: exit 1");
	EXPECT("dmabuf-top: error: cannot take a snapshot", "one error line");
	EXPECT_NOT("1:procs", "the alternate screen is left");
	ASSERT_OK(system("mount -t debugfs debugfs " DEBUGFS_DIR),
		  "debugfs mounted again");
	ASSERT_OK(access(BUFINFO_PATH, R_OK), "bufinfo back");
	tmux("send-keys -t top clear Enter");
}

void test_top_tui(void)
{
	struct workload wl = WORKLOAD_INIT;
	struct manifest mf = { 0 };
	bool guest;
	char cmd[128];

	if (system("command -v tmux >/dev/null 2>&1")) {
		test__skip_reason("no tmux here (tools/vm adds it when the host has it)");
		return;
	}
	if (access(exe_beside("dmabuf-top"), X_OK) &&
	    system("command -v dmabuf-top >/dev/null 2>&1")) {
		test__skip_reason("no dmabuf-top binary");
		return;
	}
	snprintf(sock, sizeof(sock), "dmabuf-top-test-%d", getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/top_tui.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(tmpdir), "mkdtemp"))
		return;
	/* a UTF-8 pane, so the sparkline's block characters are used */
	if (!ASSERT_OK(tmux("new-session -d -s top -x 80 -y 24 -e TERM=xterm-256color -e LANG=C.UTF-8 sh"),
		       "tmux new-session"))
		goto out;

	if (test__start_subtest("keys"))
		subtest_keys();
	guest = have_buffer_source() && !access(BUFINFO_PATH, R_OK);
	if (!guest) {
		skip_guest_only("truth");
		skip_guest_only("sort");
		skip_guest_only("filter");
		skip_guest_only("selection");
		skip_guest_only("mouse_rows");
		skip_guest_only("details_line");
		skip_guest_only("goto");
		skip_guest_only("leak");
	} else if (workload_start(&wl, "top_tui") &&
		   !manifest_read(wl.manifest, &mf)) {
		if (test__start_subtest("truth"))
			subtest_truth(&mf);
		if (test__start_subtest("sort"))
			subtest_sort();
		if (test__start_subtest("filter"))
			subtest_filter(&mf);
		if (test__start_subtest("selection"))
			subtest_selection(&mf);
		/* rows to click and a process to detail: the workload's */
		if (test__start_subtest("mouse_rows"))
			subtest_mouse(true);
		if (test__start_subtest("details_line"))
			subtest_details_line();
		if (test__start_subtest("goto"))
			subtest_goto(&mf);
	}
	workload_stop(&wl);
	manifest_free(&mf);
	if (guest && test__start_subtest("leak"))
		subtest_leak();
	if (test__start_subtest("quit"))
		subtest_quit();
	if (test__start_subtest("esc"))
		subtest_esc();
	if (test__start_subtest("fkeys"))
		subtest_fkeys();
	if (test__start_subtest("mouse"))
		subtest_mouse(false);
	if (test__start_subtest("narrow"))
		subtest_narrow();
	if (test__start_subtest("batch_tty"))
		subtest_batch_tty();
	if (!guest)
		skip_guest_only("error");
	else if (test__start_subtest("error"))
		subtest_error();
	tmux("kill-server");
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		printf("could not remove %s\n", tmpdir);
}
