# timeline.gp: a run's national timeline, the median and 5-95% band across
# replications per sample hour, in six panels. It plots the per-hour table that
# gnuplot.sh makes from national.csv (columns: hour, then COL_lo, COL_med, COL_hi for
# active, killed, detained, damage_usd in millions, connectivity, security,
# csto_troops). Run through gnuplot.sh, or by hand:
#   gnuplot -e "datafile='table.csv'; outfile='timeline.png'" analysis/timeline.gp
if (!exists("datafile")) datafile = 'table.csv'
if (!exists("outfile")) outfile = 'timeline.png'
if (!exists("term_spec")) term_spec = "pngcairo size 1200,900 font 'sans,10'"
if (!exists("start")) start = 'the start'
if (!exists("name")) name = 'run'
if (!exists("reps")) reps = 0

eval "set terminal " . term_spec
set output outfile
set datafile separator ','
# Headroom above the curves for the key, which is drawn over them.
set key top right font ',8' noopaque
set offsets 0, 0, graph 0.25, 0
set autoscale xfix
set grid lc rgb '#dddddd'
set xlabel sprintf('hours since %s', start)
set yrange [0:*]
set style fill transparent solid 0.25 noborder

set multiplot layout 3,2 title \
    sprintf("%s: national timeline, median and 5-95%% band across %d replications", \
            name, reps)

set title 'Protesters' left
set ylabel 'active persons'
plot datafile using 1:2:4 with filledcurves lc rgb '#d62728' title 'active: 5-95%', \
     '' using 1:3 with lines lw 2 lc rgb '#d62728' title 'active: median'

set title 'Deaths (cumulative)'
set ylabel 'persons killed'
plot datafile using 1:5:7 with filledcurves lc rgb '#333333' title 'killed: 5-95%', \
     '' using 1:6 with lines lw 2 lc rgb '#000000' title 'killed: median'

set title 'Detentions (cumulative)'
set ylabel 'persons detained'
plot datafile using 1:8:10 with filledcurves lc rgb '#9467bd' title 'detained: 5-95%', \
     '' using 1:9 with lines lw 2 lc rgb '#9467bd' title 'detained: median'

set title 'Damage (cumulative)'
set ylabel 'million US$'
plot datafile using 1:11:13 with filledcurves lc rgb '#8c564b' title 'damage: 5-95%', \
     '' using 1:12 with lines lw 2 lc rgb '#8c564b' title 'damage: median'

set title 'Internet connectivity'
set ylabel 'share of population online'
set yrange [0:1.3]
plot datafile using 1:14:16 with filledcurves lc rgb '#1f77b4' title 'connectivity: 5-95%', \
     '' using 1:15 with lines lw 2 lc rgb '#1f77b4' title 'connectivity: median'

set title 'Security forces'
set ylabel 'persons'
set yrange [0:*]
plot datafile using 1:17:19 with filledcurves lc rgb '#2ca02c' title 'effective security: 5-95%', \
     '' using 1:18 with lines lw 2 lc rgb '#2ca02c' title 'effective security: median', \
     '' using 1:20:22 with filledcurves lc rgb '#ff7f0e' title 'CSTO troops: 5-95%', \
     '' using 1:21 with lines lw 2 lc rgb '#ff7f0e' title 'CSTO troops: median'
unset multiplot
