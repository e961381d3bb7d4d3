#!/usr/bin/env bash
# Runs (or continues) a sweep grid from a private build, committing each finished cell into
# results/<grid>/ as it is written, so work on the tree while the grid runs cannot change the
# program mid-grid and a stop loses at most the cell in progress (which resumes from runs/sweep/).
# Usage: scripts/sweep.sh GRID.json [sweep options, e.g. --cells 3]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/sweep.sh GRID.json [--cells N]" >&2; exit 2; }
grid=$1; shift
[ -f "$grid" ] || { echo "error: no grid file at $grid" >&2; exit 2; }
bin=runs/sweep/bin
dotnet build src/Cli -c Release -v q -nologo -o "$bin" >/dev/null
exec dotnet "$bin/sparsecore.dll" sweep "$grid" --commit "$@"
