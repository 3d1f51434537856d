"""The atlas: one page linking every map with a line on what it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from c5map.maps.safety import escape_text


@dataclass(frozen=True)
class AtlasEntry:
    """A map in the atlas: its file name, title and one line on what it shows."""

    filename: str
    title: str
    summary: str


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

    Examples
    --------
    >>> page = atlas_page("Maps", [AtlasEntry("a.html", "A <map>", "Shows A.")], "Source: us")
    >>> '<a href="a.html">A &lt;map&gt;</a>' in page
    True
    """

    def still(e: AtlasEntry) -> str:
        stem = escape_text(e.filename.removesuffix(".html"))
        return f' · <a href="png/{stem}.png">PNG</a> · <a href="svg/{stem}.svg">SVG</a>' if images else ""

    items = "\n".join(
        f'<li><a href="{escape_text(e.filename)}">{escape_text(e.title)}</a>{still(e)}<br>'
        f"<span>{escape_text(e.summary)}</span></li>"
        for e in entries
    )
    extras = ""
    if extra_links:
        extras = (
            "<h2>Data for GIS tools</h2><ul>"
            + "\n".join(
                f'<li><a href="{escape_text(e.filename)}">{escape_text(e.title)}</a> — {escape_text(e.summary)}</li>'
                for e in extra_links
            )
            + "</ul>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_text(title)}</title>
<style>
body{{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:760px;margin:2rem auto;
padding:0 1rem;color:#222}}
h1{{font-size:1.6rem;margin-bottom:.2rem}} li{{margin:.8rem 0}} a{{font-weight:600}} span{{color:#444}}
footer{{margin-top:2rem;font-size:.85rem;color:#555}} .byline{{color:#555;margin-top:0}}
.notes{{border-left:3px solid #ccc;padding-left:.8rem;color:#444}}
</style>
</head>
<body>
<h1>{escape_text(title)}</h1>
{f'<p class="byline">{escape_text(byline)}</p>' if byline else ""}
<p>{escape_text(intro or "Interactive maps built by c5map from sourced facts.")}</p>
{f'<p class="notes">{escape_text(notes)}</p>' if notes else ""}
<ul>
{items}
</ul>
{extras}
<footer>{escape_text(source)} · Made with Natural Earth.</footer>
</body>
</html>
"""
