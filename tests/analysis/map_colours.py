#!/usr/bin/python3
"""Checks the colours of a region map drawn by analysis/region_map.gp.

Reads the PNG and the plot area that gnuplot reported (GPVAL_TERM_XMIN, XMAX, YMIN,
YMAX, in pixels from the bottom left) for the 3 x 3 table of gnuplot_test.sh:
    row 1: 0, 10, 0        row 2: 100, 0, 1000        row 3: 0, 0, 0
on a log colour scale from 10 to 1000. It checks that a cell with no activity is the
grey the colour bar's label names (NONE_RGB), never white and never the palette's low
end, and that the cells with activity have the colour bar's colours at their values:
10 its bottom, 1000 its top, 100 (the log scale's middle) its middle.
Usage: map_colours.py MAP.png XMIN XMAX YMIN YMAX NONE_RGB   (exit 0, or 1 with reasons)
"""
import sys

import matplotlib.image as mpimg

path, xmin, xmax, ymin, ymax, none_rgb = sys.argv[1:7]
xmin, xmax, ymin, ymax = map(float, (xmin, xmax, ymin, ymax))
img = mpimg.imread(path)[:, :, :3]
height, width = img.shape[:2]
problems = []


def pixel(x, y_from_bottom):
    return img[int(round(height - y_from_bottom)), int(round(x))]


def hexrgb(text):
    return [int(text[i:i + 2], 16) / 255 for i in (1, 3, 5)]


def close(a, b, tol):
    return max(abs(float(p) - q) for p, q in zip(a, b)) <= tol


def show(c):
    return "#" + "".join(f"{int(round(v * 255)):02x}" for v in c)


# Cell (row r, hour i): x over [-0.5, 2.5], y over [3.5 (bottom), 0.5 (top)]; the
# point a third into the cell from its left and its top: inside it whatever the
# overlaps of its neighbours.
def cell(r, i):
    x = xmin + (i + 1 / 3) / 3 * (xmax - xmin)
    y = ymin + (3.5 - (r - 0.5 + 1 / 3)) / 3 * (ymax - ymin)
    return pixel(x, y)


grey = hexrgb(none_rgb)
for r, i in ((1, 0), (1, 2), (2, 1), (3, 0), (3, 1), (3, 2)):
    c = cell(r, i)
    if not close(c, grey, 1.5 / 255):
        problems.append(f"empty cell row {r} hour {i}: {show(c)}, expected {none_rgb}")

# The colour bar: the first column right of the plot whose bottom is the palette's
# low end and whose top its high end.
low, high = hexrgb("#fcffa4"), hexrgb("#000004")
bar = None
for x in range(int(xmax) + 3, width - 1):
    if close(pixel(x, ymin + 3), low, 0.08) and close(pixel(x + 3, ymin + 3), low, 0.08) \
            and close(pixel(x, ymax - 3), high, 0.08):
        bar = x + 3
        break
if bar is None:
    problems.append("no colour bar found right of the plot")
else:
    for (r, i), y, what in (((1, 1), ymin + 4, "bottom (10)"),
                            ((2, 2), ymax - 4, "top (1000)"),
                            ((2, 0), (ymin + ymax) / 2, "middle (100)")):
        c, b = cell(r, i), pixel(bar, y)
        if not close(c, b, 0.05):
            problems.append(f"cell row {r} hour {i}: {show(c)}, the colour bar's {what}: {show(b)}")
    if close(pixel(bar, ymin + 4), grey, 0.1):
        problems.append("the colour bar's low end looks like the empty cells' grey")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{path}: empty cells {none_rgb}; cells match the colour bar")
