# read_back.R: reads a run's CSV files with read.csv as docs/output.md advises (its
# defaults, with seed and fingerprint read as text: R would read "0x..." as an inexact
# number) and checks the columns, their types (counts read as integer, not double;
# missing values as NA), and that the last national sample of each replication holds
# that replication's totals in summary.csv.
# Usage: Rscript read_back.R OUTPUT_DIR [SUFFIX [time]]   (exit 0 if all hold, 1 with
# a list if not); SUFFIX ".gz" reads the files of output.compress = "gzip": read.csv
# opens a gzip file as it is; "time": the run asked for the time columns, which are
# checked.
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
suffix <- if (length(args) > 1) args[2] else ""
timed <- length(args) > 2 && args[3] == "time"
time <- if (timed) "time" else character(0)
problems <- character(0)
check <- function(ok, what) {
  if (!isTRUE(ok)) problems <<- c(problems, what)
}
hex <- c(seed = "character", fingerprint = "character")

summary <- read.csv(file.path(out, paste0("summary.csv", suffix)), colClasses = hex)
national <- read.csv(file.path(out, paste0("national.csv", suffix)))
series <- read.csv(file.path(out, paste0("timeseries.csv", suffix)))

types <- function(frame, name, kind, cols) {
  for (col in cols) {
    got <- class(frame[[col]])
    check(identical(got, kind), sprintf("%s.%s: %s, expected %s", name, col, got, kind))
  }
}

check(identical(names(summary), c(
  "rep", "seed", "outcome", "peak_active", "peak_hour", "regions_joined", "killed",
  "killed_security", "injured", "detained", "damage_usd", "shutdown_region_hours",
  "csto_request_hour", "csto_troops_peak", "order_restored_hour", "events",
  "fingerprint", "region_onsets", "action_hours")), "summary: columns")
check(identical(names(national), c(
  "rep", "hour", "time", "active", "held", "detained", "killed", "injured",
  "security", "csto_troops", "connectivity", "legitimacy", "facilities_held",
  "damage_usd")), "national: columns")
# national.csv has a time column by default, timeseries.csv not (output.*_columns).
check(identical(names(series), c(
  "rep", "hour", time, "region", "active", "held", "detained", "killed",
  "injured", "security", "csto_troops", "internet")), "timeseries: columns")

types(summary, "summary", "integer", c("rep", "peak_active", "regions_joined",
  "killed", "killed_security", "injured", "detained", "csto_troops_peak", "events"))
types(summary, "summary", "numeric", c("peak_hour", "damage_usd",
  "shutdown_region_hours"))
# A column that may be missing in every row reads as numeric, or (R's default for a
# column of NA alone) as logical NA.
for (col in c("csto_request_hour", "order_restored_hour")) {
  x <- summary[[col]]
  check(is.numeric(x) || all(is.na(x)), sprintf("summary.%s: %s", col, class(x)))
}
types(summary, "summary", "character", c("seed", "outcome", "fingerprint"))
types(national, "national", "integer", c("rep", "active", "held", "detained",
  "killed", "injured", "csto_troops", "facilities_held"))
types(national, "national", "numeric", c("hour", "security", "connectivity",
  "legitimacy", "damage_usd"))
types(series, "timeseries", "character", c(time, "region", "internet"))

# Empty fields are NA: the scenario asks for no troops.
check(all(is.na(summary$csto_request_hour)), "summary.csto_request_hour: not all NA")
check(all(grepl("^0x[0-9a-f]{16}$", summary$seed)), "summary.seed: not hex text")

# The last sample of each replication holds its totals.
national <- national[order(national$rep, national$hour), ]
last <- national[!duplicated(national$rep, fromLast = TRUE), ]
summary <- summary[order(summary$rep), ]
check(identical(last$rep, summary$rep), "national and summary: other replications")
for (col in c("killed", "injured", "detained")) {
  check(all(last[[col]] == summary[[col]]), sprintf("last national %s != summary", col))
}
check(isTRUE(all.equal(last$damage_usd, summary$damage_usd, tolerance = 1e-12)),
      "last national damage_usd != summary damage_usd")

# time is hour in ISO 8601 with the scenario's offset (+06:00).
{
start <- as.POSIXct("2021-12-31 18:00:00", tz = "UTC")
stamp <- sub("([+-][0-9]{2}):([0-9]{2})$", "\\1\\2", national$time)
t <- as.POSIXct(stamp, format = "%Y-%m-%dT%H:%M:%S%z", tz = "UTC")
check(!anyNA(t), "national.time: not ISO 8601 with offset")
check(isTRUE(all.equal(as.numeric(difftime(t, start, units = "hours")), national$hour,
                       tolerance = 1e-6)), "national.time: does not match hour")
}

if (length(problems) > 0) {
  cat(problems, sep = "\n")
  quit(status = 1)
}
cat(sprintf("%s%s: %d replications, %d national rows read back\n", R.version.string,
            if (nzchar(suffix)) " (gzip)" else "", nrow(summary), nrow(national)))
