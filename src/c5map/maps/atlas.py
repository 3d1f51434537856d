"""The atlas: one page linking every map, with its thumbnail, one finding from the data, and its downloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from c5map.maps.safety import escape_text


@dataclass(frozen=True)
class AtlasEntry:
    """A map in the atlas: its file name, title, one line on what it shows and, from the data, what it finds.

    ``thumbnail``, ``csv``, ``png``, ``svg``: paths beside the atlas, when the build wrote them.
    """

    filename: str
    title: str
    summary: str
    finding: str = ""
    thumbnail: str | None = None
    csv: str | None = None
    png: str | None = None
    svg: str | None = None


def _downloads(entry: AtlasEntry) -> str:
    links = [
        f'<a href="{escape_text(href)}" download>{label}</a>'
        for href, label in ((entry.csv, "Data (CSV)"), (entry.png, "PNG"), (entry.svg, "SVG"))
        if href
    ]
    return f'<p class="downloads">{" · ".join(links)}</p>' if links else ""


def _card(entry: AtlasEntry) -> str:
    thumb = ""
    if entry.thumbnail:
        # the link's own text names the map: the picture is a preview, silent to a screen reader
        thumb = f'<img src="{escape_text(entry.thumbnail)}" alt="" width="600" height="396" loading="lazy">'
    finding = f'<p class="finding">{escape_text(entry.finding)}</p>' if entry.finding else ""
    return (
        f'<li class="card"><a class="map-link" href="{escape_text(entry.filename)}">{thumb}'
        f"<span>{escape_text(entry.title)}</span></a>"
        f'<p class="summary">{escape_text(entry.summary)}</p>{finding}{_downloads(entry)}</li>'
    )


def atlas_page(
    title: str,
    entries: Sequence[AtlasEntry],
    source: str,
    extra_links: Sequence[AtlasEntry] = (),
    images: bool = False,
    *,
    intro: str = "",
    byline: str = "",
    notes: str = "",
) -> str:
    """Return the HTML of the atlas page (no scripts, no external assets).

    Every string is plain text (escaped here): ``intro`` under the title,
    ``byline`` and ``notes`` from the story file where it has them.
    ``extra_links``: the GIS files, relative to the atlas (``../geo/...``).
    ``images``: entries without their own ``png``/``svg`` link to ``png/<map>.png`` and ``svg/<map>.svg``.

    Examples
    --------
    >>> page = atlas_page("Maps", [AtlasEntry("a.html", "A <map>", "Shows A.")], "Source: us")
    >>> '<span>A &lt;map&gt;</span>' in page
    True
    """
    if images:
        entries = [
            AtlasEntry(
                e.filename, e.title, e.summary, e.finding, e.thumbnail, e.csv,
                e.png or f"png/{e.filename.removesuffix('.html')}.png",
                e.svg or f"svg/{e.filename.removesuffix('.html')}.svg",
            )
            for e in entries
        ]  # fmt: skip
    cards = "\n".join(_card(e) for e in entries)
    extras = ""
    if extra_links:
        extras = (
            '<section aria-labelledby="gis"><h2 id="gis">Data for GIS tools</h2>'
            "<p>These files sit in <code>geo/</code>, beside this folder: publish both folders together.</p><ul>"
            + "\n".join(
                f'<li><a href="{escape_text(e.filename)}">{escape_text(e.title)}</a> — {escape_text(e.summary)}</li>'
                for e in extra_links
            )
            + "</ul></section>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_text(title)}</title>
<style>
body{{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1040px;margin:2rem auto;
padding:0 1rem;color:#222}}
h1{{font-size:1.7rem;margin-bottom:.2rem;line-height:1.2}} a{{color:#0b4f8a}} .byline{{color:#555;margin-top:0}}
.notes{{border-left:3px solid #ccc;padding-left:.8rem;color:#444}}
.cards{{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(290px,1fr));gap:1.2rem}}
.card{{border:1px solid #ddd;border-radius:6px;padding:.7rem;background:#fff}}
.card img{{display:block;width:100%;height:auto;border:1px solid #eee;margin-bottom:.5rem}}
.map-link{{font-weight:700;font-size:1.1rem;text-decoration:none}} .map-link:hover span{{text-decoration:underline}}
.map-link:focus-visible,a:focus-visible{{outline:3px solid #1a5fb4;outline-offset:2px}}
.summary{{color:#444;margin:.4rem 0}} .finding{{margin:.4rem 0;font-weight:600}}
.downloads{{margin:.4rem 0 0;font-size:.9rem}}
footer{{margin-top:2rem;font-size:.9rem;color:#444}}
</style>
</head>
<body>
<main>
<h1>{escape_text(title)}</h1>
{f'<p class="byline">{escape_text(byline)}</p>' if byline else ""}
<p>{escape_text(intro or "Interactive maps built by c5map from sourced facts.")}</p>
{f'<p class="notes">{escape_text(notes)}</p>' if notes else ""}
<ul class="cards">
{cards}
</ul>
{extras}
</main>
<footer>{escape_text(source)} · Made with Natural Earth.</footer>
</body>
</html>
"""
