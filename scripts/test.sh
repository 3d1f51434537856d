#!/usr/bin/env bash
# Install everything the tests need, then run them all. CI (.ci/run) runs exactly this.
#   - the package with its test extras (pip)
#   - Debian's chromium for the browser tests, and python3-qgis for the test that QGIS loads our styles
#     (apt; these machines run as root)
#   - the JS/CSS assets folium pages reference, pinned in tests/browser/package-lock.json (npm)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
if ! [ -x /usr/bin/chromium ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! /usr/bin/python3 -c "import qgis.core" 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-qgis >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
# every core (at most 4), a test file to a worker; builds the tests only read are shared by all (tests/builds.py)
# (4 workers on 2 cores were no faster, 15 min 15 s: the suite is bound by the CPU, Chromium's included)
python3 -m pytest -n auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder "$@"
