# region_map.gp: a run's region-by-hour map of activity: one row per region, one cell
# per sample hour, coloured by the mean across replications (log colour scale; cells
# with none are grey, as the colour bar's label says). It plots the table that
# gnuplot.sh makes from timeseries.csv (columns: hour_lo, hour_hi, row, region, mean) and the ytics file
# that names the rows. Run through gnuplot.sh, or by hand:
#   gnuplot -e "datafile='table.csv'; ticsfile='tics.gp'; outfile='map.png'" \
#     analysis/region_map.gp
if (!exists("datafile")) datafile = 'table.csv'
if (!exists("ticsfile")) ticsfile = 'tics.gp'
if (!exists("outfile")) outfile = 'region_map.png'
if (!exists("term_spec")) term_spec = "pngcairo size 1200,900 font 'sans,10'"
if (!exists("start")) start = 'the start'
if (!exists("name")) name = 'run'
if (!exists("reps")) reps = 0
if (!exists("column")) column = 'active'
if (!exists("onset")) onset = 100

eval "set terminal " . term_spec
set output outfile
set datafile separator ','
# The colour range from the cells with activity, taken before the tics file and the
# y range are set (stats would filter the means by them): gnuplot's autoscaling of a
# log colour axis fails on ranges within a decade or two ("cb coord of -10"), and a
# map with no activity at all still needs one.
cb_lo = 1; cb_hi = 10
stats datafile every ::1 using ($5 > 0 ? $5 : NaN) nooutput
if (exists("STATS_records")) {
    if (STATS_records > 0) { cb_lo = STATS_min; cb_hi = STATS_max }
}
if (cb_hi <= cb_lo) { cb_lo = cb_lo / 2; cb_hi = cb_hi * 2 }
load ticsfile
set title sprintf("%s: mean %s persons by region and hour (%d replications)", name, column, reps)
set xlabel sprintf('hours since %s', start)
set ylabel sprintf('region, by onset (%g persons)', onset)
# Cells with no activity (a mean of 0, which a log scale cannot place) are drawn in
# this grey, which the colour bar's label names; the palette's low end is a pale
# yellow, so "none" and "a few" never look alike.
if (!exists("none_rgb")) none_rgb = '#e8e8e8'
set cblabel sprintf('mean %s persons (log scale; grey: none)', column)
set yrange [nrows + 0.5:0.5]
set ytics font ',9' nomirror
set logscale cb
set cbrange [cb_lo:cb_hi]
set palette defined (0 '#fcffa4', 1 '#f98e09', 2 '#bc3754', 3 '#57106e', 4 '#000004')
set style fill solid noborder
set key off
# One box per cell, in the table's order (row by row, hour by hour), x from hour_lo to
# hour_hi, y the row +- 0.5, coloured by its mean, or grey when the mean is 0: the
# colours are computed here (palette()), so that every cell is drawn in one pass.
# Each box reaches a little into the next cell, which is drawn after it and covers the
# overlap: boxes that only touched would leave faint antialiased seams between them.
# (The colour bar is drawn only for a plot that uses the palette: the last, empty
# plot is that one.)
none_int = int('0x' . none_rgb[2:])
plot datafile every ::1 \
     using (($1 + $2) / 2):3:1:($2 + 0.4 * ($2 - $1)):($3 - 0.5):($3 + 0.8):($5 > 0 ? palette($5) : none_int) \
     with boxxyerror lc rgb variable, \
     '' every ::1 using (NaN):(NaN):(NaN):(NaN):(NaN):(NaN):5 with boxxyerror fc palette
