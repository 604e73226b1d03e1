"""check_figures.py: analysis/figures.py on a real run, real sweeps and a synthetic
calibration folder, printing TAP.

It makes with the built unrestsim a run of the minimal scenario, three sweeps of it
(one, two and three parameters varying: a response curve, heat maps, small
multiples) and a Sobol and a Morris sensitivity analysis of it; copies of the run
renamed as the reference scenario (so that it has a record) and with gzip-compressed files and no `time` column (as a run may choose to
write); and writes a calibration folder by hand (posterior.csv, history.csv,
targets.csv, sensitivity.csv, in the columns docs/analysis.md names). It draws every
figure of each folder and checks that
- each expected figure, and no other, is written as PNG and SVG;
- each PNG has the pixel size its layout gives (inches per panel times the dpi), is not
  blank (pixel variance above a floor, more than a few dozen colours, some coloured
  pixels: the data), and each SVG parses as XML with an <svg> root;
- validation.py's report from the calibration and the run: each target's record,
  source, model interval and pass or miss, the misses listed, the posterior;
- the record is the one the scenario names: the minimal scenario has none (no
  comparison, no markers), a run whose scenario.cfg names Kazakhstan's gets it;
- the weighted quantiles of the posterior marginals are those of a known sample;
- errors give the documented status and a one-line message without a traceback, and
  a folder missing a file its kind needs gets no figure at all.

Usage: /usr/bin/python3 check_figures.py UNRESTSIM SOURCE_ROOT
Exit status: 0 all pass, 1 a check failed, 77 pandas or matplotlib missing.
"""

import contextlib
import gzip
import io
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import finish, ok, require_plotting  # noqa: E402

require_plotting()
import matplotlib  # noqa: E402
import numpy  # noqa: E402
import pandas  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
ANALYSIS = os.path.join(SRC, "analysis")
sys.path.insert(0, ANALYSIS)
import figures  # noqa: E402
import unrestcsv  # noqa: E402

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402

DPI = 60  # small pictures draw faster; sizes below scale with it


def unrestsim(*args):
    done = subprocess.run([BIN, *args], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"Bail out! unrestsim {' '.join(args)}: {done.stderr.strip()}")
        sys.exit(1)


def draw(folder, out, *extra):
    """figures.main in this process (one import of pandas and matplotlib for all);
    the list of figures it prints is kept off the TAP stream."""
    with contextlib.redirect_stdout(io.StringIO()):
        status = unrestcsv.run_main(lambda: figures.main([folder, "-o", out, "--dpi",
                                                          str(DPI), *extra]))
    ok(status == 0, f"figures.py {os.path.basename(folder)}: exit status 0",
       f"status {status}")


def grid_size(panels, ncols, width, height):
    """Pixels of unrestcsv.panel_grid's figure: width and height inches per panel,
    0.8 inch for the title."""
    ncols = min(ncols, panels)
    nrows = -(-panels // ncols)
    return pixels(width * ncols, height * nrows + 0.8)


def pixels(width, height):
    """A figure's pixels: matplotlib's canvas is the size in inches times the dpi,
    truncated."""
    return (int(width * DPI), int(height * DPI))


def check_picture(path_stem, size=None):
    """The PNG's size (when given) and that it is not blank; the SVG parses."""
    name = os.path.basename(path_stem)
    png, svg = path_stem + ".png", path_stem + ".svg"
    if not ok(os.path.isfile(png) and os.path.isfile(svg), f"{name}: PNG and SVG written",
              f"missing {png} or {svg}"):
        return
    image = matplotlib.image.imread(png)
    height, width = image.shape[:2]
    if size is not None:
        ok((width, height) == size, f"{name}: {size[0]}x{size[1]} pixels",
           f"found {width}x{height}")
    else:
        ok(width >= 300 and height >= 150, f"{name}: at least 300x150 pixels",
           f"found {width}x{height}")
    rgb = (image[..., :3] * 255).round().astype(int)
    colours = len(numpy.unique(rgb.reshape(-1, 3), axis=0))
    variance = float(rgb.var())
    # Text, frames and ticks are black and grey; every figure draws its data in
    # colour. A canvas holding only a title (or empty axes) has a variance of 30 to
    # 370 and a hundred or two greys from antialiasing, but no coloured pixel; the
    # sparsest figure here (response curves: thin lines and bands) has about 0.5% of
    # its pixels coloured (measured), so the floor is 0.1%.
    chroma = rgb.max(axis=2) - rgb.min(axis=2)
    coloured = float((chroma > 40).mean())
    ok(variance > 100.0 and colours > 60 and coloured > 0.001, f"{name}: not blank",
       f"pixel variance {variance:.1f}, {colours} colours, "
       f"{coloured:.2%} of pixels coloured")
    try:
        root = ET.parse(svg).getroot()
        ok(root.tag.endswith("svg"), f"{name}: SVG has an <svg> root", root.tag)
    except ET.ParseError as err:
        ok(False, f"{name}: SVG parses as XML", str(err))


def check_set(out, names):
    written = sorted(os.listdir(out))
    expected = sorted(f"{n}.{f}" for n in names for f in ("png", "svg"))
    extra = [w for w in written if w.endswith((".png", ".svg")) and w not in expected]
    ok(not extra, f"{os.path.basename(out)}: no unexpected figure", f"extra: {extra}")


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def calibration_folder(path):
    """A small calibration folder in the documented columns: two generations of 24
    particles over two parameters, the history, three targets (one missed) and the
    sensitivity indices."""
    os.makedirs(path)
    write(os.path.join(path, "manifest.cfg"), 'program = "unrestsim";\n'
          'command = "calibrate";\n')
    rng = numpy.random.default_rng(7)
    lines = ["generation,particle,weight,agents.w_s,government.actions.[blackout]."
             "probability"]
    for gen in (0, 1):
        for k in range(24):
            lines.append(f"{gen},{k},{rng.uniform(0.2, 1.0)!r},"
                         f"{rng.normal(0.4, 0.1)!r},{rng.uniform(0, 1)!r}")
    write(os.path.join(path, "posterior.csv"), "\n".join(lines) + "\n")
    write(os.path.join(path, "posterior_summary.csv"),
          "parameter,median,p05,p95\nagents.w_s,0.4,0.25,0.55\n")
    write(os.path.join(path, "history.csv"), "generation,tolerance,acceptance,"
          "proposals\n0,10.0,0.5,48\n1,4.0,0.3,80\n2,2.5,0.2,120\n")
    write(os.path.join(path, "targets.csv"),
          "target,record,low,high,grade,simulated_median,simulated_p05,"
          "simulated_p95\n"
          "deaths_total,227,227,238,A,210,150,290\n"
          "peak_participants,50000,30000,60000,B,44000,30000,61000\n"
          "detained_by_11_jan,9900,9000,12000,A,4000,2500,7000\n")
    write(os.path.join(path, "sensitivity.csv"),
          "parameter,output,S1,S1_low,S1_high,ST,ST_low,ST_high\n"
          "agents.w_s,killed,0.5,0.4,0.6,0.6,0.5,0.7\n"
          "government.actions.[blackout].probability,killed,0.2,0.1,0.3,0.3,0.2,0.4\n"
          "agents.w_s,peak_active,0.7,0.6,0.8,0.75,0.7,0.85\n"
          "government.actions.[blackout].probability,peak_active,0.05,-0.02,0.1,0.1,"
          "0.05,0.15\n")


def error_case(args, status, text, name):
    error_case_script("figures.py", args, status, text, name)


def error_case_script(script, args, status, text, name):
    done = subprocess.run(["/usr/bin/python3", os.path.join(ANALYSIS, script),
                           *args], capture_output=True, text=True)
    ok(done.returncode == status and text in done.stderr
       and "Traceback" not in done.stderr, name,
       f"status {done.returncode}, stderr {done.stderr.strip()!r}")


def main():
    tmp = tempfile.mkdtemp(prefix="unrest-figures-")
    try:
        minimal = os.path.abspath(os.path.join(SRC, "scenarios", "minimal.cfg"))
        run = os.path.join(tmp, "run")
        unrestsim("run", minimal, "-r", "3", "-o", run)
        sweeps = {}
        designs = {
            "sweep1": '{ path = "agents.w_s"; values = [0.2, 0.5, 0.8]; }',
            "sweep2": '{ path = "agents.w_s"; values = [0.2, 0.8]; },\n'
                      '{ path = "scenario.agent_scale"; values = [10.0, 20.0]; }',
            "sweep3": '{ path = "agents.w_s"; values = [0.2, 0.8]; },\n'
                      '{ path = "scenario.agent_scale"; values = [10.0, 20.0]; },\n'
                      '{ path = "scenario.horizon"; values = [48.0, 72.0]; }',
        }
        for name, params in designs.items():
            cfg = os.path.join(tmp, f"{name}.cfg")
            write(cfg, f'scenario = "{minimal}";\nreplications = 2;\nseed = 3;\n'
                       f'design = "grid";\nparameters = (\n{params}\n);\n')
            sweeps[name] = os.path.join(tmp, name)
            unrestsim("sweep", cfg, "-o", sweeps[name])

        # The run's figures; the minimal scenario has no record.
        out = os.path.join(tmp, "fig-run")
        draw(run, out)
        summary = pandas.read_csv(os.path.join(run, "summary.csv"))
        n_metrics = len([c for c in summary.columns if c not in unrestcsv.TEXT_COLUMNS
                         and c != "rep"])
        check_picture(os.path.join(out, "timeline"),
                      pixels(6.2 * 2, 2.9 * 3 + 0.9))
        check_picture(os.path.join(out, "region_map"))
        check_picture(os.path.join(out, "metrics"), grid_size(n_metrics, 3, 4.2, 2.9))
        check_picture(os.path.join(out, "outcomes"))
        ok(not os.path.exists(os.path.join(out, "comparison.png")),
           "a scenario without a record gets no comparison")
        check_set(out, ["timeline", "region_map", "metrics", "outcomes"])
        args = figures.parse_args([run, "-o", out])
        ok(figures.scenario_record(args, run) is None,
           "the minimal scenario has no record (no event markers)")

        # A copy whose scenario names Kazakhstan's record (scenario.record in its
        # scenario.cfg, as a sweep's or calibration's folder has it): compared.
        kz = os.path.join(tmp, "run-kz")
        shutil.copytree(run, kz)
        cfg = os.path.join(kz, "scenario.cfg")
        records = os.path.join(SRC, "scenarios", "records")
        with open(cfg, encoding="utf-8") as f:
            text = f.read().replace(
                'name = "minimal";', 'name = "minimal";\n  record = "'
                + os.path.join(records, "kazakhstan-2022-record.csv")
                + '";\n  regions_file = "'
                + os.path.join(records, "kazakhstan-2022-regions.csv") + '";', 1)
        write(cfg, text)
        found = figures.scenario_record(figures.parse_args([kz, "-o", out]), kz)
        ok(found is not None and found[0].endswith("kazakhstan-2022-record.csv"),
           "a run whose scenario names Kazakhstan's record is compared with it",
           str(found))
        out = os.path.join(tmp, "fig-kz")
        draw(kz, out, "--only", "timeline,comparison")
        check_picture(os.path.join(out, "comparison"))
        ok(os.path.isfile(os.path.join(out, "comparison.md")),
           "the comparison's table is written beside its picture")
        check_set(out, ["timeline", "comparison"])

        # Compressed files and no time column: dates from scenario.cfg's start.
        gz = os.path.join(tmp, "run-gz")
        shutil.copytree(run, gz)
        for name in ("summary.csv", "national.csv", "timeseries.csv"):
            frame = pandas.read_csv(os.path.join(gz, name), keep_default_na=False)
            os.remove(os.path.join(gz, name))
            with gzip.open(os.path.join(gz, name + ".gz"), "wt", newline="") as f:
                frame.drop(columns=["time"], errors="ignore").to_csv(f, index=False)
        out = os.path.join(tmp, "fig-gz")
        draw(gz, out, "--only", "timeline,region_map,metrics")
        check_picture(os.path.join(out, "timeline"),
                      pixels(6.2 * 2, 2.9 * 3 + 0.9))
        check_picture(os.path.join(out, "region_map"))
        check_picture(os.path.join(out, "metrics"), grid_size(n_metrics, 3, 4.2, 2.9))

        # Sweeps: a response curve, heat maps, small multiples.
        stats = pandas.read_csv(os.path.join(sweeps["sweep1"], "sweep_stats.csv"))
        shares = sum(1 for m in stats["metric"].unique() if m.startswith("outcome."))
        quantities = shares + len(figures.outcomes.DEFAULT_METRICS)
        sizes = {"sweep1": grid_size(quantities, 3, 4.2, 3.0),
                 "sweep2": grid_size(quantities, 3, 4.4, 3.4),
                 "sweep3": grid_size(quantities, 4, 3.6, max(2.8, 0.3 * 8 + 1.0))}
        for name, folder in sweeps.items():
            out = os.path.join(tmp, f"fig-{name}")
            # outcomes.py's picture is the same for any sweep: drawn for one only
            draw(folder, out, *(() if name == "sweep1" else ("--only", "response")))
            if name == "sweep1":
                check_picture(os.path.join(out, "outcomes"))
            check_picture(os.path.join(out, "response"), sizes[name])
            check_set(out, ["outcomes", "response"] if name == "sweep1"
                      else ["response"])

        # Sensitivity folders (unrestsim sensitivity): Sobol's bars, Morris's mu* and
        # sigma, one panel per output, two columns of panels.
        for method, samples in (("sobol", 8), ("morris", 6)):
            cfg = os.path.join(tmp, f"{method}.cfg")
            write(cfg, f'scenario = "{minimal}";\nseed = 3;\nmethod = "{method}";\n'
                       f'samples = {samples};\nreplications = 1;\nbootstrap = 100;\n'
                       'parameters = (\n'
                       '  { path = "agents.w_s"; min = 0.2; max = 0.8; },\n'
                       '  { path = "agents.threshold.mean"; min = 0.05; max = 0.2; }\n);\n'
                       'outputs = [ "peak_active", "detained", "killed" ];\n')
            folder = os.path.join(tmp, method)
            unrestsim("sensitivity", cfg, "-o", folder, "-q")
            ok(figures.folder_kind(folder) == "sensitivity",
               f"a {method} folder is a sensitivity folder")
            out = os.path.join(tmp, f"fig-{method}")
            draw(folder, out)
            size = (grid_size(3, 2, 5.6, max(2.6, 0.45 * 2 + 1.2)) if method == "sobol"
                    else grid_size(3, 2, 5.2, 4.2))
            check_picture(os.path.join(out, "sensitivity"), size)
            check_set(out, ["sensitivity"])
        odd = os.path.join(tmp, "sens-bad")
        os.makedirs(odd)
        write(os.path.join(odd, "sensitivity.csv"), "parameter,output,index\nx,y,0.5\n")
        error_case([odd, "-o", os.path.join(tmp, "x")], 65, "expected the columns of Sobol",
                   "a sensitivity.csv of neither method: 65")

        # The calibration.
        calib = os.path.join(tmp, "calib")
        calibration_folder(calib)
        out = os.path.join(tmp, "fig-calib")
        draw(calib, out)
        check_picture(os.path.join(out, "posterior_marginals"), grid_size(2, 3, 4.2, 2.9))
        check_picture(os.path.join(out, "posterior_pairs"))
        check_picture(os.path.join(out, "history"), pixels(10, 3.6))
        check_picture(os.path.join(out, "targets"),
                      pixels(10, max(2.4, 0.42 * 3 + 1.2)))
        check_picture(os.path.join(out, "sensitivity"))
        check_set(out, ["posterior_marginals", "posterior_pairs", "history", "targets",
                        "sensitivity"])
        q = figures.weighted_quantiles([4, 1, 3, 2], [0.4, 0.1, 0.3, 0.2],
                                       (0.05, 0.1, 0.3, 0.5, 0.95))
        ok(q == [1.0, 1.0, 2.0, 3.0, 4.0],
           "weighted quantiles: the least value whose cumulative weight reaches q", q)
        frame, params, weights = figures.read_posterior(calib)
        ok(len(frame) == 24 and len(params) == 2 and abs(weights.sum() - 1) < 1e-12,
           "the posterior is the last generation, its parameters, weights summing to 1",
           f"{len(frame)} rows, {params}")

        # The validation report from the calibration and the run that names
        # Kazakhstan's record.
        report = os.path.join(tmp, "validation.md")
        done = subprocess.run(["/usr/bin/python3", os.path.join(ANALYSIS, "validation.py"),
                               calib, kz, "-o", report], capture_output=True, text=True)
        ok(done.returncode == 0 and os.path.isfile(report),
           "validation.py: exit status 0, the report written", done.stderr.strip())
        text = open(report, encoding="utf-8").read() if os.path.isfile(report) else ""
        # The calibration's own table (the run's targets come first, by the record).
        lines = text.partition("## Calibration")[2].splitlines()
        line_of = {name: next((ln for ln in lines if ln.startswith(f"| {name} |")), "")
                   for name in ("deaths_total", "peak_participants",
                                "detained_by_11_jan", "agents.w_s")}
        ok(line_of["deaths_total"].endswith("| pass |")
           and "227 (227–238)" in line_of["deaths_total"]
           and "210 [150, 290]" in line_of["deaths_total"]
           and "Prosecutor General" in line_of["deaths_total"],
           "validation: a target inside its range passes, with the record's source",
           line_of["deaths_total"])
        ok(line_of["peak_participants"].endswith("| pass |")
           and "not in the record" in line_of["peak_participants"],
           "validation: a target the record lacks says so", line_of["peak_participants"])
        ok(line_of["detained_by_11_jan"].endswith("| **MISS** |")
           and "2 of 3 calibration targets pass." in text
           and "- calibration target detained_by_11_jan: record 9,900 (9,000–12,000), "
               "model 4,000 [2,500, 7,000]" in text,
           "validation: a missed target is marked and listed among the misses",
           line_of["detained_by_11_jan"])
        ok("| 0.4 | 0.25–0.55 |" in line_of["agents.w_s"],
           "validation: the posterior's median and interval", line_of["agents.w_s"])
        ok("EAST" in text and "regions not in the regions file" in text,
           "validation: what was not compared is listed with the reason")
        error_case_script("validation.py", [calib, run, "-o", report + "2"], 65,
                          "names no historical record",
                          "validation of a scenario without a record: 65")

        # Errors.
        error_case([os.path.join(tmp, "none"), "-o", os.path.join(tmp, "x")], 66,
                   "no such folder", "a missing folder: 66")
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        error_case([empty, "-o", os.path.join(tmp, "x")], 65, "neither a run",
                   "a folder of no known kind: 65")
        error_case([run, "-o", os.path.join(tmp, "x"), "--format", "gif"], 64,
                   "--format", "an unknown format: 64")
        error_case([run, "-o", run], 64, "beside the folder",
                   "figures written into the run's folder: 64")
        error_case([run, "-o", os.path.join(tmp, "x"), "--only", "maps"], 64,
                   "unknown figure", "an unknown figure: 64")
        half = os.path.join(tmp, "run-half")
        shutil.copytree(run, half)
        os.remove(os.path.join(half, "summary.csv"))
        error_case([half, "-o", os.path.join(tmp, "y")], 65, "summary.csv: no such file",
                   "a run without summary.csv: 65")
        ok(not os.path.exists(os.path.join(tmp, "y")),
           "and no figure is drawn from it (not even the timeline)")
        bad = os.path.join(tmp, "calib-bad")
        shutil.copytree(calib, bad)
        write(os.path.join(bad, "posterior.csv"), "generation,agents.w_s\n0,0.4\n")
        error_case([bad, "-o", os.path.join(tmp, "x")], 65, "missing column weight",
                   "a posterior without weights: 65")
        write(os.path.join(bad, "posterior.csv"), "weight,agents.w_s\n-1,0.4\n1,0.5\n")
        error_case([bad, "-o", os.path.join(tmp, "x")], 65, "weights must be",
                   "a negative weight: 65")
        ok(not os.path.exists(os.path.join(tmp, "x", "posterior_marginals.png")),
           "nothing drawn from a refused posterior")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
