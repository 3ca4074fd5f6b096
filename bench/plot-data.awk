# SPDX-License-Identifier: GPL-2.0
# bench/plot-data.awk: results.csv to gnuplot's table for bench/plot.gp:
# one row per reader case, one column per N:P set (median in ms).
NR == 1 || $2 ~ /^alloc_/ || $1 != "sysfs-on" { next }
{
	set = $3 "/" $4
	if (!(set in has_set)) {
		has_set[set] = 1
		sets[++nsets] = set
	}
	if (!($2 in has_case)) {
		has_case[$2] = 1
		cases[++ncases] = $2
	}
	med[set, $2] = $6 / 1000
}
END {
	printf "case"
	for (i = 1; i <= nsets; i++)
		printf "\t\"N/P %s\"", sets[i]
	printf "\n"
	for (c = 1; c <= ncases; c++) {
		printf "%s", cases[c]
		for (i = 1; i <= nsets; i++)
			printf "\t%s", ((sets[i], cases[c]) in med) ? med[sets[i], cases[c]] : "NaN"
		printf "\n"
	}
}
