// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the uid in /proc/<pid>/status (parse_status_uid). */
#include "fuzz.h"
#include "parse.h"

static void check_raw(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	uint32_t uid1 = 1, uid2 = 1;
	bool ok1 = parse_status_uid(text, &uid1);
	bool ok2 = parse_status_uid(text, &uid2);

	CHECK(ok1 == ok2 && uid1 == uid2, "the same text parses the same");
	CHECK(ok1 == !!strstr(text, "\nUid:"), "found when there");
	CHECK(ok1 || uid1 == 1, "untouched when not found");
	free(text);
}

static void check_printed(const uint8_t *data, size_t size)
{
	struct values v = { data, size };
	uint32_t ruid = take(&v, 4), euid = take(&v, 4), uid = 1;
	char comm[16];
	struct printed pr;
	FILE *f;
	size_t i;

	take_str(&v, comm, sizeof(comm) - 1, "");
	/* proc_pid_status(): the name escaped ('\n' and '\\'), then ids */
	f = print_start(&pr);
	fputs("Name:\t", f);
	for (i = 0; comm[i]; i++)
		fprintf(f, comm[i] == '\n' ? "\\n" : comm[i] == '\\' ? "\\\\" :
			"%c", comm[i]);
	fprintf(f, "\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\n"
		"Ngid:\t0\nPid:\t42\nPPid:\t1\nTracerPid:\t0\n"
		"Uid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\n", ruid, euid, euid,
		euid);
	print_end(&pr);
	CHECK(parse_status_uid(pr.text, &uid) && uid == ruid, "real uid");
	free(pr.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_raw(data, size);
	check_printed(data, size);
	return 0;
}
