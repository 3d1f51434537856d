"""The rules of issue 21 on generated datasets: any region, members as partners, every basis and qualifier,
more exporters than a trade page draws, regions across ±180° (``tests/datasets.py``).

The checks (``tests/truth.py``) run on the decisions both renderers read; building every page per example is
``test_valid_data_builds.py``'s job.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import truth
from datasets import datasets, profile
from hypothesis import given

from c5map.boundaries import web_countries
from c5map.story import story_for
from c5map.validate import load_valid_tables


@profile()
@given(datasets(max_rows=10, max_extra_exporters=12))
def test_every_rule_holds_on_generated_data(dataset):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        dataset.write(path)
        tables = load_valid_tables(path)
        story = story_for(tables, dataset.region)
        shapes = web_countries(list(story.members))
        for check in truth.CHECKS:
            check(tables, story, shapes)
        truth.check_trade_rows_drawn_or_named(tables, story)
