# SPDX-License-Identifier: GPL-2.0
# bench/plot.gp: the readers' medians, one cluster per case, one bar per
# N/P set, on a log scale.
#   gnuplot -e "datafile='...'; outfile='...'; ncols=N" bench/plot.gp
set terminal pngcairo size 1200,600 font ",10"
set output outfile
set title "dmabufstat readers in the guest (median per read, lower is better)"
set ylabel "ms (log scale)"
set logscale y
set yrange [0.01:*]
set grid ytics
set datafile separator "\t"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -30 noenhanced
set key outside right top vertical noenhanced
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i)
