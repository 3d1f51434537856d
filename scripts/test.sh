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
# 4 workers, a test file to each: a module's build is made once, by the worker running it. More workers than
# 2 cores, because the suite mostly waits (Chromium drawing, servers, timers): with 2 it used 1.07 cores on average
python3 -m pytest -n "${C5MAP_TEST_WORKERS:-4}" --dist loadfile "$@"
