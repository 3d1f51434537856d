"""Pages in the reader's language (issue 25 item 9): catalogs complete, CLDR's figures, lang/dir, RTL in Chromium.

The catalogs are checked against the messages Babel's own extractor finds in c5map's sources and templates, so a
new word without its translations fails here. The pages are built in ``ru`` and ``ar`` from the bundled data and
from tests/data/sahel-synthetic (whose story file writes its titles in French: they must stay as written), opened
in headless Chromium, and read as a reader would: the buttons and legend in the language, figures as Babel writes
them, digits in their order in an Arabic page, axe-core content.
"""

from __future__ import annotations

import html as entities
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency

from c5map import i18n
from c5map.build import build
from c5map.cli import main
from c5map.format import format_usd, format_usd_many
from c5map.maps.assets import asset_text

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "src" / "c5map"
SAHEL = REPO / "tests" / "data" / "sahel-synthetic"
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
TRANSLATED = [name for name in i18n.LOCALES if name != "en"]


def _source_messages() -> dict[str, str]:
    """Every message c5map's sources mark for translation (msgid -> where), as Babel's extractor finds them."""
    found = {}
    for filename, lineno, message, _, _ in extract_from_dir(
        str(SOURCES),
        method_map=[("**.py", "python"), ("maps/templates/**.j2", "jinja2")],
        keywords=dict(DEFAULT_KEYWORDS),
        options_map={"maps/templates/**.j2": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.setdefault(message if isinstance(message, str) else message[0], f"{filename}:{lineno}")
    return found


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_of_the_sources_is_translated(locale):
    with (SOURCES / "locales" / locale / "LC_MESSAGES" / "c5map.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[key] = not message.fuzzy and all(strings)
        if translated[key]:  # a field of the message is kept: the translation can only move it
            fields = set(re.findall(r"\{(\w*)\}|%\((\w+)\)s", key if isinstance(message.id, str) else message.id[1]))
            for text in strings:
                assert set(re.findall(r"\{(\w*)\}|%\((\w+)\)s", text)) <= fields | {("n", "")}, (locale, key, text)
    sources = _source_messages()
    missing = {message: where for message, where in sources.items() if not translated.get(message)}
    assert missing == {}, f"{locale}: messages without a translation: {missing}"


def test_every_script_message_is_a_literal_of_the_pages_scripts():
    scripts = "".join(asset_text(name) for name in i18n.SCRIPTS)
    assert [m for m in i18n.SCRIPT_MESSAGES if f"'{m}'" not in scripts] == []
    with i18n.using("ru"):
        assert "'Key'" not in i18n.localised_script(asset_text("panel.js"))
        assert "Легенда" in i18n.localised_script(asset_text("panel.js")).encode().decode("unicode_escape")


def test_english_is_the_source_language_and_a_usage_mistake_is_located(capsys):
    assert format_usd(15e9, "nearly") == "nearly $15bn"
    with i18n.using("en"):
        assert i18n.gettext("Key") == "Key" and i18n.html_attributes() == 'lang="en"'
    with pytest.raises(SystemExit) as exited:  # argparse's own refusal: exit status 2, the choices named
        main(["build", "--locale", "de", "--out", "/nonexistent"])
    assert exited.value.code == 2
    assert "--locale" in capsys.readouterr().err


@pytest.mark.parametrize("locale", TRANSLATED)
def test_money_is_written_as_cldr_writes_it_with_its_qualifier_translated(locale):
    with i18n.using(locale):
        nearly = format_usd(15e9, "nearly")
        plain, rounded = format_usd(66.2e9), format_usd(66.24e9)
        many = format_usd_many([66.2e9, 66.24e9, 45e9], ["exact", "exact", "over"])
        over = i18n.gettext("more than {amount}")
    cldr = format_compact_currency(15e9, "USD", locale=locale, fraction_digits=2)
    assert cldr.replace("US$", "\u2066US$\u2069") in nearly and nearly != cldr
    assert "nearly" not in nearly and over != "more than {amount}"
    assert plain == rounded  # three significant digits, as in English
    assert many[:2] == [plain, plain]  # format_usd_many: one text per English text, the locale's
    with i18n.using(locale):
        assert many == [format_usd(66.2e9), format_usd(66.24e9), format_usd(45e9, "over")]


def test_a_right_to_left_figure_is_isolated_and_its_currency_kept_whole():
    with i18n.using("ar"):
        text = format_usd(15e9, "nearly")
    assert text.count(i18n.FSI) == 1 and text.endswith(i18n.PDI)
    assert "\u2066US$\u2069" in text  # never "$US" in a right-to-left line


@pytest.fixture(scope="module", params=[("ru", "bundled"), ("ar", "bundled"), ("ru", "sahel"), ("ar", "sahel")])
def localised(request, tmp_path_factory):
    """A self-contained, tile-less build in a locale, of the bundled data or the Sahel's synthetic data."""
    locale, data = request.param
    out = tmp_path_factory.mktemp(f"locale-{locale}-{data}")
    build(None if data == "bundled" else SAHEL, out, tiles="none", self_contained=True, images=False, locale=locale,
          progress=lambda line: None)  # fmt: skip
    return locale, data, out / "maps"


def _visible(text: str) -> str:
    """Text without its invisible isolates (FSI, LRI, PDI): what a reader sees, in logical order."""
    return re.sub("[\u2066\u2068\u2069]", "", text)


FIGURE_ORDER = r"""(selector) => {
  // the x of every digit of the first number in each matching element: a number is never mirrored
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let node;
    while ((node = walker.nextNode())) {
      const match = /\d[\d.,\u00a0 ]*\d/.exec(node.textContent);
      if (!match || !/مليار|млрд/.test(node.textContent)) continue;
      const xs = [];
      for (let i = match.index; i < match.index + match[0].length; i++) {
        if (!/\d/.test(node.textContent[i])) continue;
        const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        xs.push(range.getBoundingClientRect().left);
      }
      out.push({text: node.textContent, digits: match[0], xs: xs, visible: el.getClientRects().length > 0});
    }
  }
  return out;
}"""


def test_a_page_in_the_readers_language(chromium, localised):
    locale, data, maps = localised
    html = (maps / "influence.html").read_text(encoding="utf-8")
    direction = "rtl" if locale == "ar" else "ltr"
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{locale}" dir="{direction}">')
    assert (maps / "index.html").read_text(encoding="utf-8").count(f'<html lang="{locale}" dir="{direction}">') == 1
    visit = chromium.open(maps / "influence.html", width=1400, height=900)
    page = visit.page
    assert page.evaluate("[document.documentElement.lang, getComputedStyle(document.body).direction]") == [
        locale,
        direction,
    ]
    with i18n.using(locale):
        words = [i18n.gettext(w) for w in ("Data table", "Get the data", "Embed", "All maps")]
        no_figure = i18n.gettext("no reported figure (not zero)")
    tools = page.locator(".c5-tools").inner_text()
    assert all(word in tools for word in words) and "Data table" not in tools
    legend = page.locator(".c5-legend").inner_text()
    assert no_figure in legend and "no reported figure" not in legend
    title = page.locator(".c5-title h1").inner_text()
    if data == "sahel":  # the story file's own title, in French, as written
        assert title == "Qui courtise le Sahel ? Accords annoncés par partenaire (synthétique)"
    with i18n.using(locale):
        country = i18n.country_names_in(locale)  # CLDR's short names
    if data == "bundled":  # derived, in the language: the data's region name as written, the country's in CLDR's
        assert "Central Asia (C5)" in title and country["KAZ"] in title and "largest" not in title
        assert "Kazakhstan" not in title
    names = {_visible(label.split("\n")[0]) for label in page.locator(".c5-label").all_inner_texts()}
    members = ["KAZ", "UZB"] if data == "bundled" else ["MLI", "NER"]
    assert {country[code] for code in members} <= names, names
    assert not {"Kazakhstan", "Uzbekistan", "Mali", "Niger"} & names  # Natural Earth's English NAME, nowhere
    assert visit.page_errors == []
    # a figure as Babel writes it (its text in logical order), its digits left to right on the screen
    assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-control-scale-line')).direction") == "ltr"
    figures = page.evaluate(FIGURE_ORDER, ".c5-legend-row span, .c5-label-figure, .c5-title h1")
    figures = [f for f in figures if f["visible"] and len(f["xs"]) > 1]
    assert len(figures) >= 3, figures
    for figure in figures:
        assert figure["xs"] == sorted(figure["xs"]), figure
    with i18n.using(locale):
        classes = [format_usd(b) for b in (2e9, 5e9, 10e9)]
    if data == "bundled":
        assert all(_visible(c) in _visible(legend) for c in classes), (classes, legend)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id))"""
    )
    assert violations == []
    page.close()


@pytest.mark.parametrize("page", ["influence.html", "trade.html", "resources.html", "timeline.html"])
def test_longer_words_and_mirrored_corners_overlap_nothing(chromium, localised, page):
    """Title, controls, legend (its Key button on a phone), source line: no two boxes overlap, none off screen."""
    from test_reader_product import FURNITURE, SIZES, _overlap

    _, _, maps = localised
    for width, height in SIZES.values():
        visit = chromium.open(maps / page, width=width, height=height)
        visit.page.wait_for_timeout(150)
        boxes = visit.page.evaluate(FURNITURE)
        for i, (name, *box) in enumerate(boxes):
            assert box[0] >= -0.5 and box[1] >= -0.5 and box[2] <= width + 0.5 and box[3] <= height + 0.5, (name, box)
            for other, *other_box in boxes[i + 1 :]:
                assert not _overlap(box, other_box), (width, name, other, box, other_box)
        assert visit.page_errors == []
        visit.page.close()


def test_the_build_s_workers_write_in_its_locale_forked_or_by_the_fork_server():
    """The print images and geo/ are made in workers: each must write in the build's locale."""
    import threading

    from c5map.build import _beside

    with i18n.using("ar"):
        (job,), where = _beside([(i18n.locale_in_use,)])  # forked, or by the fork server after a browser test
        assert where in ("forked", "fork-server") and job.result() == "ar"
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()  # a process with threads (a notebook) has the fork server fork its workers
        try:
            (job,), where = _beside([(format_usd, 15e9, "nearly")])
            assert where == "fork-server" and job.result() == format_usd(15e9, "nearly") != "nearly $15bn"
        finally:
            stop.set()
            other.join()


def test_print_is_in_the_readers_language_with_the_bound_rule_once():
    import matplotlib.pyplot as plt

    from c5map import images
    from c5map.scenes import bound_rule
    from c5map.story import story_for
    from c5map.validate import load_valid_tables

    tables = load_valid_tables(None)
    with i18n.using("ru"):
        image = images.influence_image(tables, story_for(tables))
        words = " ".join(t.get_text() for t in image.figure.findobj(plt.Text)).replace("\n", " ")  # lines joined
        rule, title = bound_rule(), i18n.gettext("Announced deals, in each partner's colour")
        credit = i18n.gettext("Made with Natural Earth")
    assert words.count(rule) == 1  # in the subtitle, not again under a panel
    assert title in words and credit in words and "Announced deals" not in words and "Made with" not in words
    lines = [line for t in image.figure.findobj(plt.Text) for line in t.get_text().split("\n")]
    # the map's labels give CLDR's name of the country (the data's own notes, in English, stay as written)
    assert "Казахстан" in lines and "Kazakhstan" not in lines
    assert format_compact_currency(15e9, "USD", locale="ru") in words


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_country_has_one_name_in_the_locale_and_english_keeps_natural_earths(locale):
    from babel import Locale

    from c5map.boundaries import country_names

    frame = country_names("10m")
    english = dict(zip(frame["iso3"], frame["NAME"], strict=True))
    names = i18n.country_names_in(locale)
    assert i18n.country_names_in("en") == english and set(names) == set(english)
    assert len(set(names.values())) == len(names)  # two countries never read the same
    cldr = Locale.parse(locale).territories
    pairs = {"CHN": "CN", "USA": "US", "FRA": "FR", "NOR": "NO", "TWN": "TW", "KOS": "XK"}
    assert {iso3: names[iso3] for iso3 in pairs} == {iso3: cldr[iso2] for iso3, iso2 in pairs.items()}
    kept = {code for code, name in names.items() if name == english[code] and name not in cldr.values()}
    # only Natural Earth's units without an ISO code of their own: bases, reefs, Australia's island territories
    assert kept <= {"ESB", "USG", "BRI", "WSB", "BRT", "IOA", "CSI", "PGA", "CLP", "ATC", "SCR"}, kept


def test_the_atlas_names_the_gis_files_in_the_readers_language(localised):
    from c5map.export import LAYER_SUMMARIES

    locale, _, maps = localised
    atlas = (maps / "index.html").read_text(encoding="utf-8")
    with i18n.using(locale):
        words = [i18n.gettext(w) for w in LAYER_SUMMARIES.values()] + [i18n.gettext("every layer in one GeoPackage")]
    assert all(w in atlas for w in words), words
    assert not [w for w in LAYER_SUMMARIES.values() if w in atlas] and "every layer in one GeoPackage" not in atlas


@pytest.mark.parametrize("locale", TRANSLATED)
def test_explore_writes_its_words_in_the_locale_in_use(locale):
    import c5map

    world = c5map.load_countries("110m")
    world.loc[world.iso3 == "FRA", "pop_est"] = float("nan")  # no reported figure
    world["q"] = "exact"
    world.loc[world.iso3 == "DEU", "q"] = "undisclosed"
    with i18n.using(locale):
        page = c5map.explore(world, "pop_est", qualifier="q", label="name", tiles="none").get_root().render()
        words = [i18n.gettext(w) for w in ("no reported figure (not zero)", "value undisclosed", "Source not given")]
    # the words as a reader gets them: the tooltips and legend are JSON (\\u escapes) of HTML (entities)
    html = entities.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page))
    assert all(w in html for w in words), words
    assert "no reported figure" not in html and "value undisclosed" not in html and "Source not given" not in html


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_print_sets_its_running_text_from_the_reading_side(locale):
    """Arabic print: headline, subtitle and source line start at the right margin, aligned right; English: left.

    The SVG the build writes shows it too: the headline's second, shorter line starts further right.
    """
    from c5map import images
    from c5map.images.frame import MARGIN
    from c5map.story import story_for
    from c5map.validate import load_valid_tables

    tables = load_valid_tables(None)
    with i18n.using(locale):
        fig = images.influence_image(tables, story_for(tables)).figure
        images._text_from_the_right(fig)  # what render_images does to every image before it is saved
        svg = images.render_images(tables, names=["influence"])["svg/influence.svg"].decode()
    margin = MARGIN / fig.get_figwidth()
    for text in fig.frame_texts:
        x, _ = text.get_position()
        if locale == "ar":
            assert (text.get_ha(), round(x, 6)) == ("right", round(1 - margin, 6)), text.get_text()
        else:
            assert (text.get_ha(), round(x, 6)) == ("left", round(margin, 6)), text.get_text()
    lines = [float(x) for x in re.findall(r'font-size: 15px[^"]*" transform="translate\(([\d.]+) ', svg)]
    assert len(lines) == 2 and (lines[1] > lines[0] + 100 if locale == "ar" else lines[1] == lines[0]), lines


def test_french_never_puts_a_country_where_it_needs_an_article():
    """ "Exportations de États-Unis" is wrong French ("des États-Unis"), and CLDR's names come without articles:
    a country's field never follows de, avec or vers; the messages say "exportateur : {exporter}" instead."""
    with (SOURCES / "locales" / "fr" / "LC_MESSAGES" / "c5map.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    country = r"\{(?:partner|partners|exporter|exporters|origin|destination|member|country|countries)\}"
    wrong = []
    for message in catalog:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if re.search(rf"\b(?:de|d’|d'|avec|vers|du|des|à)\s*{country}", text or ""):
                wrong.append(text)
    assert wrong == []
