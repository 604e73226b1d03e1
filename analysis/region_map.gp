# region_map.gp: a run's region-by-hour map of activity: one row per region, one cell
# per sample hour, coloured by the mean across replications (log colour scale; cells
# with none are left grey). It plots the table that gnuplot.sh makes from
# timeseries.csv (columns: hour_lo, hour_hi, row, region, mean) and the ytics file
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
load ticsfile
set title sprintf("%s: mean %s persons by region and hour (%d replications)", name, column, reps)
set xlabel sprintf('hours since %s', start)
set ylabel sprintf('region, by onset (%g persons)', onset)
set cblabel sprintf('mean %s persons (log scale; grey: none)', column)
set yrange [nrows + 0.5:0.5]
set ytics font ',9' nomirror
set logscale cb
set palette defined (0 '#fcffa4', 1 '#f98e09', 2 '#bc3754', 3 '#57106e', 4 '#000004')
set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind \
    fc rgb '#e8e8e8' fs solid noborder
set style fill solid noborder
set key off
# One box per cell, x from hour_lo to hour_hi, y the row +- 0.5; zero means are
# skipped (no logarithm) and show the grey background. Each box reaches a little
# into the next cell, which is drawn after it and covers the overlap: boxes that only
# touched would leave faint antialiased seams between them.
plot datafile every ::1 \
     using (($1 + $2) / 2):3:1:($2 + 0.4 * ($2 - $1)):($3 - 0.5):($3 + 0.8):($5 > 0 ? $5 : NaN) \
     with boxxyerror fc palette
