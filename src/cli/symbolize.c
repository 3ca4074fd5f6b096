// SPDX-License-Identifier: GPL-2.0
/*
 * A user address of a live process as FILE+0xOFFSET (function+0xN), from
 * its /proc/PID/maps and the mapped file's ELF symbols (.symtab, else
 * .dynsym): for `track stack`, on demand, nothing cached.
 */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h"

/* The mapping of pid holding ip: its file and ip's offset in it. */
static bool find_mapping(uint32_t pid, uint64_t ip, char *path, size_t len,
			 uint64_t *file_off)
{
	char maps[64], line[4352], file[4096];
	unsigned long long start, end, off;
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%u/maps", pid);
	f = fopen(maps, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		file[0] = '\0';
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095[^\n]",
			   &start, &end, &off, file) < 3)
			continue;
		if (ip < start || ip >= end || file[0] != '/')
			continue;
		snprintf(path, len, "%s", file);
		*file_off = ip - start + off;
		found = true;
	}
	fclose(f);
	return found;
}

/* The file offset as a virtual address of the ELF's loaded segments. */
static bool offset_to_vaddr(Elf *e, uint64_t off, uint64_t *vaddr)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (off >= ph.p_offset && off < ph.p_offset + ph.p_filesz) {
			*vaddr = off - ph.p_offset + ph.p_vaddr;
			return true;
		}
	}
	return false;
}

/* The function holding vaddr in a symbol table of type: its name. */
static const char *find_symbol(Elf *e, Elf64_Word type, uint64_t vaddr,
			       uint64_t *sym_off)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *d;
	size_t i, n;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; d && i < n; i++) {
			if (!gelf_getsym(d, i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    vaddr < sym.st_value ||
			    vaddr >= sym.st_value + (sym.st_size ?: 1))
				continue;
			*sym_off = vaddr - sym.st_value;
			return elf_strptr(e, sh.sh_link, sym.st_name);
		}
	}
	return NULL;
}

size_t symbolize(uint32_t pid, uint64_t ip, bool ret_addr, char *buf,
		 size_t len)
{
	uint64_t off, vaddr, sym_off = 0;
	const char *name = NULL;
	char path[4096];
	Elf *e = NULL;
	int fd = -1, n;

	if (!find_mapping(pid, ip, path, sizeof(path), &off))
		return snprintf(buf, len, "0x%" PRIx64, ip);
	if (elf_version(EV_CURRENT) != EV_NONE)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		e = elf_begin(fd, ELF_C_READ, NULL);
	/* a return address points after its call: look up the call */
	if (e && offset_to_vaddr(e, off - (ret_addr ? 1 : 0), &vaddr)) {
		name = find_symbol(e, SHT_SYMTAB, vaddr, &sym_off);
		if (!name)
			name = find_symbol(e, SHT_DYNSYM, vaddr, &sym_off);
	}
	if (name)
		n = snprintf(buf, len, "%s+0x%" PRIx64 " (%s+0x%" PRIx64 ")",
			     path, off, name, sym_off + (ret_addr ? 1 : 0));
	else
		n = snprintf(buf, len, "%s+0x%" PRIx64, path, off);
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return n < 0 ? 0 : (size_t)n;
}
