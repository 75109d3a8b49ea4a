#!/usr/bin/env bash
# Quickstep against the reference engine (LocalStack's Step Functions interpreter), side by side, in one run:
#   bash perf/run.sh [--quick] [--runs N]
# Installs what it needs (a Python >= 3.13 virtualenv in perf/.venv with localstack-core from PyPI, pinned in
# perf/requirements-reference.txt), builds quickstep in release mode, runs every workload on both, and writes
# perf/results/<date>.md (also printed). jemalloc is compared with glibc's malloc when libjemalloc is installed
# (apt-get install libjemalloc-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in python3.13 python3.14 python3; do
    if path=$(command -v "$candidate" 2>/dev/null) &&
      "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' 2>/dev/null; then
      echo "$path"; return
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[3-9]' | sort -V -r); do
      echo "$(pyenv root)/versions/$version/bin/python3"; return
    done
  fi
  return 1
}

if [ ! -x perf/.venv/bin/python ]; then
  python=$(find_python) || { echo "perf/run.sh: needs Python >= 3.13 (localstack-core requires it)" >&2; exit 1; }
  "$python" -m venv perf/.venv
fi
perf/.venv/bin/python -m pip install -q -r perf/requirements-reference.txt

swift build -c release --product quickstep
mkdir -p perf/results
report="perf/results/$(date +%F).md"
# A second run on the same day keeps the first: the time goes into the name (to the second when the minute's is taken).
[ -e "$report" ] && report="perf/results/$(date +%F-%H%M).md"
[ -e "$report" ] && report="perf/results/$(date +%F-%H%M%S).md"
perf/.venv/bin/python perf/compare.py --quickstep .build/release/quickstep --reference-python perf/.venv/bin/python "$@" | tee "$report"
echo "written: $report"
