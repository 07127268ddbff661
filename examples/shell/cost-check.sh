#!/bin/sh
# gcfinops cost gate for any CI or a cron job (docs/ci.md).
#
# Usage: cost-check.sh SOURCE [MONTH]
#   SOURCE  the month's export: a folder, a file, or s3://bucket/prefix/ (needs gcfinops[aws])
#   MONTH   YYYY-MM to check (default: the latest month in the lake)
#
# The workspace ($GCFINOPS_WORKSPACE, default ./finops) must hold gcfinops.toml and fx_rates.csv,
# and should be kept between runs: the comparisons need the earlier months in its lake.
# Writes cost-check.xml (JUnit), cost-check.md (Markdown summary) and report.html (ward report)
# into $OUT_DIR (default: the current folder).
#
# Exit status is the gate's: 0 within thresholds, 1 a threshold breached, 2 the check could not
# run (no data for the month, a missing FX rate, bad configuration, ingest failure).
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 SOURCE [MONTH]" >&2
    exit 2
fi
SOURCE=$1
MONTH=${2:-}
GCFINOPS_WORKSPACE=${GCFINOPS_WORKSPACE:-./finops}
OUT_DIR=${OUT_DIR:-.}
export GCFINOPS_WORKSPACE

if ! gcfinops ingest "$SOURCE"; then
    echo "cost-check: ingest of $SOURCE failed" >&2
    exit 2
fi

set -- # the month option, if any, as positional parameters (safe with spaces)
if [ -n "$MONTH" ]; then
    set -- --month "$MONTH"
fi

# The gate: the JUnit file, and the human summary on stdout.
gcfinops check "$@" --format junit -o "$OUT_DIR/cost-check.xml"
status=$?

# Markdown for a merge-request note or a mail; the HTML report for the finance meeting.
# Their exit codes do not change the gate's answer.
if [ "$status" -ne 2 ]; then
    gcfinops -q check "$@" --format markdown -o "$OUT_DIR/cost-check.md" >/dev/null 2>&1
    gcfinops report --format html -o "$OUT_DIR/report.html" ||
        echo "cost-check: the HTML report could not be written" >&2
fi

case $status in
0) echo "cost-check: within thresholds" ;;
1) echo "cost-check: threshold breached (see cost-check.md)" >&2 ;;
*) echo "cost-check: the check could not run (exit $status)" >&2 ;;
esac
exit "$status"
