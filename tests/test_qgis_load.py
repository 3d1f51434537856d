"""QGIS's own parser loads every style c5map writes (issue #25 item 4).

QGIS is no dependency of c5map; the tests need it as they need Chromium: ``scripts/test.sh`` installs Debian's
``python3-qgis``, and this test runs it headless in that Python (``C5MAP_QGIS_PYTHON``, else ``/usr/bin/python3``).
``tests/test_qgis_styles.py`` checks the same styles by their structure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from c5map.cli import main
from c5map.export import LAYER_NAMES

QGIS_PYTHON = os.environ.get("C5MAP_QGIS_PYTHON", "/usr/bin/python3")

# Run by QGIS's Python: every row of layer_styles imported into its layer, every GeoJSON opened with its .qml
# (QGIS finds it itself), and every feature drawn by some rule. Prints one JSON line per style.
CHECK = r"""
import json, os, sqlite3, sys
from qgis.core import (QgsApplication, QgsExpression, QgsExpressionContextUtils, QgsMapSettings, QgsRenderContext,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtXml import QDomDocument
app = QgsApplication([], False)
app.initQgis()
gpkg, folder = sys.argv[1:3]
keep = []
def check(layer):
    renderer = layer.renderer().clone()
    problems = []
    if renderer.type() == "RuleRenderer":
        for rule in renderer.rootRule().children():
            if rule.filterExpression() != "ELSE" and QgsExpression(rule.filterExpression()).hasParserError():
                problems.append("filter: " + rule.filterExpression())
    if layer.labelsEnabled():
        labeling = layer.labeling()
        settings = labeling.settings()
        keep.append((labeling, settings))
        if QgsExpression(settings.fieldName).hasParserError():
            problems.append("label: " + settings.fieldName)
    view = QgsMapSettings()
    view.setLayers([layer]); view.setExtent(layer.extent()); view.setOutputSize(QSize(100, 100))
    context = QgsRenderContext.fromMapSettings(view)
    context.expressionContext().appendScope(QgsExpressionContextUtils.layerScope(layer))
    keep.append((layer, renderer, view))
    renderer.startRender(context, layer.fields())
    for feature in layer.getFeatures():
        context.expressionContext().setFeature(feature)
        if feature.hasGeometry() and not renderer.willRenderFeature(feature, context):
            problems.append(f"feature {feature.id()} not drawn")
    renderer.stopRender(context)
    return {"renderer": renderer.type(), "labels": layer.labelsEnabled(), "problems": problems}
rows = sqlite3.connect(gpkg).execute("SELECT f_table_name, styleName, styleQML, useAsDefault FROM layer_styles")
for table, name, qml, default in rows.fetchall():
    layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
    document = QDomDocument()
    parsed = document.setContent(qml)[0]
    imported, message = layer.importNamedStyle(document)
    print(json.dumps({"layer": table, "style": name, "parsed": parsed, "imported": imported, **check(layer)}))
    if default:
        opened = QgsVectorLayer(os.path.join(folder, f"{table}.geojson"), table, "ogr")
        print(json.dumps({"layer": table, "style": f"{table}.qml", "parsed": True, "imported": True, **check(opened),
                          "expected": layer.renderer().type()}))
"""


def _qgis_python() -> str:
    try:
        found = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        found = None
    if found is None or found.returncode != 0:
        pytest.fail(f"no QGIS Python bindings in {QGIS_PYTHON}: install Debian's python3-qgis (scripts/test.sh does)")
    return QGIS_PYTHON


@pytest.mark.parametrize("dataset", ["bundled", "sahel-synthetic"])
def test_qgis_loads_every_style_and_opens_geojson_with_its_qml(tmp_path: Path, dataset: str):
    python = _qgis_python()
    data = [] if dataset == "bundled" else ["--data", str(Path(__file__).parent / "data" / dataset)]
    assert main(["export", *data, "--format", "gpkg", "--out", str(tmp_path / "c5map.gpkg")]) == 0
    assert main(["export", *data, "--out", str(tmp_path / "geo")]) == 0
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", CPL_LOG=os.devnull, PYTHONPATH="")
    result = subprocess.run([python, "-c", CHECK, str(tmp_path / "c5map.gpkg"), str(tmp_path / "geo")],
                            capture_output=True, text=True, env=environment, timeout=600, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    checked = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {c["layer"] for c in checked} == set(LAYER_NAMES)
    for one in checked:
        assert one["parsed"] and one["imported"] and not one["problems"], one
        assert one.get("expected", one["renderer"]) == one["renderer"], one  # the .qml beside GeoJSON was used
