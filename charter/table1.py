"""Render Table 1 (characteristics of the included studies) as a pandoc document tree.

Study text never goes through the Markdown reader: every word becomes a
``Str`` node, so ``|``, ``*``, ``<tag>``, ``{{``, ``@`` or ``[x](y)`` come out
exactly as typed and can never break the table. The study cell holds a real
citation (``Cite``) so citeproc formats it and the study is in the reference
list. A Lua filter splices the tree in at the ``{{ table:studies }}`` line.

Each cell's content is wrapped in a Span with a Word-safe bookmark id
(``ch_t0001``…) so that ``invoke review`` can map a co-author's comment back to
the study file and field it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .model import Bibliography, Column, Project, Study

# pandoc 3.9's document tree version (pandoc-types 1.23.1.1): the JSON we hand its reader.
PANDOC_API_VERSION = [1, 23, 1, 1]
TABLE_ID = "tbl-studies"
_NO_ATTR = ["", [], []]


# ------------------------------------------------------------- tree builders


def text_inlines(text: str) -> list[dict]:
    """Turn plain text into Str/Space/LineBreak nodes, keeping every character literally."""
    inlines: list[dict] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            inlines.append({"t": "LineBreak"})
        for index, word in enumerate(re.split(r"[ \t\r\f\v]+", line.strip(" \t\r\f\v"))):
            if not word:
                continue
            if index and inlines and inlines[-1]["t"] != "LineBreak":
                inlines.append({"t": "Space"})
            inlines.append({"t": "Str", "c": word})
    return inlines


def _span(anchor: str, inlines: list[dict]) -> dict:
    return {"t": "Span", "c": [[anchor, [], []], inlines]}


def _cite(keys: Iterable[str], mode: str) -> dict:
    keys = list(keys)
    citations = [{"citationId": key, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": mode},
                  "citationNoteNum": 1, "citationHash": 0} for key in keys]
    return {"t": "Cite", "c": [citations, [{"t": "Str", "c": "; ".join(f"@{k}" for k in keys)}]]}


def _plain(inlines: list[dict]) -> dict:
    return {"t": "Plain", "c": inlines}


def _cell(blocks: list[dict], colspan: int = 1) -> list:
    return [_NO_ATTR, {"t": "AlignDefault"}, 1, colspan, blocks]


def _row(cells: list[list]) -> list:
    return [_NO_ATTR, cells]


# -------------------------------------------------------------------- anchors


@dataclass
class _Anchors:
    """Hand out ch_t0001, ch_t0002, … and remember where each cell's text comes from."""

    entries: dict[str, dict] = field(default_factory=dict)

    def wrap(self, study: Study, field_path: str, text: str, inlines: list[dict] | None = None) -> dict:
        anchor = f"ch_t{len(self.entries) + 1:04d}"
        where = study.positions.get(field_path) or study.source
        self.entries[anchor] = {"kind": "table", "source": where.path or study.source.path,
                                "line": where.line or None, "field": field_path, "text": text}
        return _span(anchor, text_inlines(text) if inlines is None else inlines)


# ---------------------------------------------------------------------- cells


def _study_cell(study: Study, anchors: _Anchors) -> list[dict]:
    inlines = [_cite([study.id], "AuthorInText")]  # "Berg and Sæther (2018)"
    if study.reports:  # further reports of the same study, in parentheses after it
        inlines += [{"t": "Space"}, _cite(study.reports, "NormalCitation")]
    country = ", ".join(study.countries)
    if country:
        inlines += [{"t": "LineBreak"}, anchors.wrap(study, "country", country)]
    return [_plain(inlines)]


def _design_cell(study: Study, orientation_labels: Mapping[str, str], anchors: _Anchors) -> list[dict]:
    orientation = orientation_labels.get(study.design.orientation, study.design.orientation)
    return [_plain([anchors.wrap(study, "design.orientation", orientation), {"t": "Str", "c": ":"},
                    {"t": "Space"}, anchors.wrap(study, "design.method", study.design.method)])]


def _participants_cell(study: Study, anchors: _Anchors) -> list[dict]:
    n = study.participants.n
    count = f"n = {n:,}" if n is not None else "n not reported"
    return [_plain([anchors.wrap(study, "participants.description", study.participants.description),
                    {"t": "LineBreak"}, anchors.wrap(study, "participants.n", count)])]


def _validity_cell(study: Study, anchors: _Anchors) -> list[dict]:
    return [_plain([{"t": "Emph", "c": [{"t": "Str", "c": "Internal:"}]}, {"t": "Space"},
                    anchors.wrap(study, "validity.internal", study.validity.internal)]),
            _plain([{"t": "Emph", "c": [{"t": "Str", "c": "External:"}]}, {"t": "Space"},
                    anchors.wrap(study, "validity.external", study.validity.external)])]


def _extra_text(value: object) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def cell_blocks(column: Column, study: Study, orientation_labels: Mapping[str, str],
                anchors: _Anchors) -> list[dict]:
    """The blocks of one study's cell in one column."""
    name = column.field
    if name == "study":
        return _study_cell(study, anchors)
    if name == "research_question":
        return [_plain([anchors.wrap(study, "research_question", study.research_question)])]
    if name == "participants":
        return _participants_cell(study, anchors)
    if name == "findings":  # one paragraph per finding, so each reads as its own statement
        return [_plain([anchors.wrap(study, f"findings.{i}", finding)])
                for i, finding in enumerate(study.findings)]
    if name == "design":
        return _design_cell(study, orientation_labels, anchors)
    if name == "validity":
        return _validity_cell(study, anchors)
    return [_plain([anchors.wrap(study, name, _extra_text(study.extra.get(name)))])]


# ---------------------------------------------------------------------- table


def sort_key(study: Study, bibliography: Bibliography) -> tuple[str, str, str]:
    """First author's family name, then year, then id (so the order never depends on file order)."""
    reference = bibliography.references.get(study.id)
    author = reference.first_author if reference else study.id
    year = reference.year if reference else ""
    folded = unicodedata.normalize("NFKD", author).casefold()
    return folded, year, study.id


def grouped_studies(project: Project) -> list[tuple[str, str, list[Study]]]:
    """[(level, heading, studies)]: level "theme" or "subtheme", in the review's order, sorted within."""
    groups: list[tuple[str, str, list[Study]]] = []
    by_author = sorted(project.studies, key=lambda s: sort_key(s, project.bibliography))
    for theme in project.review.themes:
        in_theme = [s for s in by_author if s.theme == theme.key]
        groups.append(("theme", theme.label, [s for s in in_theme if s.subtheme is None]))
        for sub in theme.subthemes:
            groups.append(("subtheme", sub.label, [s for s in in_theme if s.subtheme == sub.key]))
    return [g for g in groups if g[0] == "theme" or g[2]]


@dataclass(frozen=True)
class Table1:
    """Table 1 as a pandoc document (JSON-ready), its readable Markdown, and the cell anchors."""

    document: dict  # {"pandoc-api-version", "meta", "blocks": [Table, note Div]}
    markdown: str
    anchors: Mapping[str, dict]
    study_ids: tuple[str, ...]  # in table order


def _widths(columns: tuple[Column, ...]) -> list[float]:
    raw = [c.width if c.width and c.width > 0 else 1.0 for c in columns]
    total = sum(raw)
    return [round(w / total, 4) for w in raw]


def render_table1(project: Project, caption: str, note: str, label: str = "Table 1") -> Table1:
    """Build Table 1 from the studies; caption and note already have their placeholders filled."""
    review = project.review
    columns = review.table_columns
    orientation_labels = {t.key: t.abbreviation or t.label for t in review.orientations}
    anchors = _Anchors()
    ncols = len(columns)
    rows: list[list] = []
    readable: list[str] = []
    order: list[str] = []
    for level, heading, studies in grouped_studies(project):
        mark = "Strong" if level == "theme" else "Emph"
        rows.append([["", ["charter-group", f"charter-{level}"], []],
                     [_cell([_plain([{"t": mark, "c": text_inlines(heading)}])], colspan=ncols)]])
        readable += [f"{'##' if level == 'theme' else '###'} {heading}", ""]
        for study in studies:
            order.append(study.id)
            rows.append(_row([_cell(cell_blocks(c, study, orientation_labels, anchors)) for c in columns]))
            readable += _readable_study(columns, study, orientation_labels)

    head = [_NO_ATTR, [_row([_cell([_plain(text_inlines(c.heading))]) for c in columns])]]
    colspecs = [[{"t": "AlignLeft"}, {"t": "ColWidth", "c": w}] for w in _widths(columns)]
    caption_inlines = [{"t": "Strong", "c": [{"t": "Str", "c": f"{label}."}]}]
    if caption.strip():
        caption_inlines += [{"t": "Space"}, *text_inlines(caption)]
    table = {"t": "Table", "c": [
        [TABLE_ID, ["charter-table"], []],
        [None, [_plain(caption_inlines)]],
        colspecs, head, [[_NO_ATTR, 0, [], rows]], [_NO_ATTR, []],
    ]}
    blocks = [table]
    if note.strip():
        blocks.append({"t": "Div", "c": [["", ["charter-table-note"], [["custom-style", "Table Note"]]],
                                         [{"t": "Para", "c": [{"t": "Emph", "c": [{"t": "Str", "c": "Note."}]},
                                                              {"t": "Space"}, *text_inlines(note)]}]]})
    document = {"pandoc-api-version": PANDOC_API_VERSION, "meta": {}, "blocks": blocks}
    markdown = _readable(label, caption, note, readable)
    return Table1(document, markdown, dict(anchors.entries), tuple(order))


def _plain_text(column: Column, study: Study, orientation_labels: Mapping[str, str]) -> str:
    name = column.field
    if name == "study":
        return f"@{study.id} ({', '.join(study.countries)})"
    if name == "research_question":
        return study.research_question
    if name == "participants":
        n = study.participants.n
        return f"{study.participants.description}; " + (f"n = {n:,}" if n is not None else "n not reported")
    if name == "findings":
        return "\n".join(f"• {f}" for f in study.findings)
    if name == "design":
        return f"{orientation_labels.get(study.design.orientation, study.design.orientation)}: {study.design.method}"
    if name == "validity":
        return f"Internal: {study.validity.internal}\nExternal: {study.validity.external}"
    return _extra_text(study.extra.get(name))


def _readable_study(columns: tuple[Column, ...], study: Study, orientation_labels: Mapping[str, str]) -> list[str]:
    lines = [f"- **{study.id}** ({study.source.path})"]
    for column in columns:
        text = _plain_text(column, study, orientation_labels).replace("\n", "\n      ")
        lines.append(f"    - {column.heading}: {text}")
    return [*lines, ""]


def _readable(label: str, caption: str, note: str, body: list[str]) -> str:
    """Table 1 as a list a person can read, a study at a time (the build uses the document tree)."""
    lines = [f"# {label}. {caption}".rstrip(), "",
             "Generated by charter from studies/*.yaml and review.yaml: edit those, not this file.", "", *body]
    if note.strip():
        lines += [f"Note. {note}", ""]
    return "\n".join(lines)
