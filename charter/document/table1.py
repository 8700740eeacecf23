"""Render Table 1 (characteristics of the included studies) as a pandoc document tree.

Study text never goes through the Markdown reader: every word becomes a
``Str`` node, so ``|``, ``*``, ``<tag>``, ``{{``, ``@`` or ``[x](y)`` come out
exactly as typed and can never break the table. The study cell holds a real
citation (``Cite``) so citeproc formats it and the study is in the reference
list. A Lua filter splices the tree in at the ``{{ table:studies }}`` line.

The study column shows the first author and year ("Hijnen et al. 2020") from
the bibliography, followed by the citation in the journal's style when that
style is numeric ("Hijnen et al. 2020 [7]"); under an author-date style the
citation itself is the label. A value a study does not report (null) shows
"not reported".

Each cell's content is wrapped in a Span with a Word-safe bookmark id
(``ch_t0001``…) so that ``invoke review`` can map a co-author's comment back to
the study file and field it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from charter.sources.bibtex import family_names
from charter.model import Bibliography, Column, Participants, Project, Study
from charter.wording import noun_for

NOT_REPORTED = "not reported"

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


def study_label(study: Study, bibliography: Bibliography) -> str:
    """"Smith 2020", "Smith and Jones 2020", "Smith et al. 2020" (three or more authors) from the bibliography."""
    reference = bibliography.references.get(study.id)
    if reference is None:
        return study.id
    names, others = family_names(dict(reference.fields))
    if not names:
        author = reference.first_author  # no author or editor: the title, as the reference list shows it
    elif len(names) == 1 and not others:
        author = names[0]
    elif len(names) == 2 and not others:
        author = f"{names[0]} and {names[1]}"
    else:
        author = f"{names[0]} et al."
    return f"{author} {reference.year}"


@dataclass(frozen=True)
class _Style:
    """How cells are written: the labels of the design orientations, and how the study is named."""

    orientation_labels: Mapping[str, str]
    bibliography: Bibliography
    label_first: bool  # "Hijnen et al. 2020 [7]": a label before the citation (numeric styles)


def _study_cell(study: Study, style: _Style, anchors: _Anchors) -> list[dict]:
    if style.label_first:  # numeric style: "Hijnen et al. 2020 [7, 8]"
        inlines = [*text_inlines(study_label(study, style.bibliography)), {"t": "Space"},
                   _cite(study.citation_keys, "NormalCitation")]
    else:
        inlines = [_cite([study.id], "AuthorInText")]  # "Berg and Sæther (2018)"
        if study.reports:  # further reports of the same study, in parentheses after it
            inlines += [{"t": "Space"}, _cite(study.reports, "NormalCitation")]
    country = ", ".join(study.countries)
    inlines += [{"t": "LineBreak"},
                anchors.wrap(study, "country", country) if country else _not_reported(anchors, study, "country",
                                                                                       "country not reported")]
    return [_plain(inlines)]


def _not_reported(anchors: _Anchors, study: Study, field_path: str, text: str = NOT_REPORTED) -> dict:
    return {"t": "Emph", "c": [anchors.wrap(study, field_path, text)]}


def _text_or_not_reported(anchors: _Anchors, study: Study, field_path: str, text: str | None) -> dict:
    return anchors.wrap(study, field_path, text) if text is not None else _not_reported(anchors, study, field_path)


def _design_cell(study: Study, style: _Style, anchors: _Anchors) -> list[dict]:
    design = study.design
    if design.orientation is None and design.method is None:
        return [_plain([_not_reported(anchors, study, "design")])]
    if design.orientation is None:
        return [_plain([anchors.wrap(study, "design.method", design.method), {"t": "Space"},
                        _not_reported(anchors, study, "design.orientation", "(orientation not reported)")])]
    orientation = style.orientation_labels.get(design.orientation, design.orientation)
    method = (anchors.wrap(study, "design.method", design.method) if design.method is not None
              else _not_reported(anchors, study, "design.method", "method not reported"))
    return [_plain([anchors.wrap(study, "design.orientation", orientation), {"t": "Str", "c": ":"},
                    {"t": "Space"}, method])]


def participant_lines(participants: Participants) -> list[tuple[str, str]]:
    """[(field path, text)] of the participants cell: description, one line per sample, then the total."""
    lines: list[tuple[str, str]] = []
    if participants.description is not None:
        lines.append(("participants.description", participants.description))
    for index, sample in enumerate(participants.samples):
        name = sample.description if sample.description is not None else f"Sample {index + 1}"
        count = f"n = {sample.n:,}" if sample.n is not None else "n not reported"
        lines.append((f"participants.samples.{index}", f"{name}: {count}"))
    n, known = participants.n, participants.samples_known
    if n is not None:
        lines.append(("participants.n", f"total n = {n:,}" if participants.samples else f"n = {n:,}"))
    elif participants.samples and known is not None:
        reporting = sum(s.n is not None for s in participants.samples)
        lines.append(("participants.n", f"total n not reported ({known:,} in the "
                                        f"{noun_for(reporting, 'sample that reports', 'samples that report')} n)"))
    else:
        lines.append(("participants.n", "total n not reported" if participants.samples else "n not reported"))
    return lines


def _participants_cell(study: Study, anchors: _Anchors) -> list[dict]:
    participants = study.participants
    if participants.description is None and participants.n is None and not participants.samples:
        return [_plain([_not_reported(anchors, study, "participants")])]
    inlines: list[dict] = []
    for path, text in participant_lines(participants):
        if inlines:
            inlines.append({"t": "LineBreak"})
        inlines.append(anchors.wrap(study, path, text, _emphasise_not_reported(text)))
    return [_plain(inlines)]


def _emphasise_not_reported(text: str) -> list[dict] | None:
    """"Sample 2: n not reported" with "n not reported" in italics, as every other not-reported marker of the table."""
    found = re.search(r"(?:total )?n not reported", text)
    if found is None:
        return None
    before, after = text[:found.start()], text[found.end():]
    space = [{"t": "Space"}]  # text_inlines drops the spaces at either end of a stretch
    return [*(text_inlines(before) + space if before.strip() else []), {"t": "Emph", "c": text_inlines(found.group(0))},
            *(space + text_inlines(after) if after.strip() else [])]


def _validity_cell(study: Study, anchors: _Anchors) -> list[dict]:
    if study.validity is None:
        return [_plain([_not_reported(anchors, study, "validity")])]
    return [_plain([{"t": "Emph", "c": [{"t": "Str", "c": "Internal:"}]}, {"t": "Space"},
                    _text_or_not_reported(anchors, study, "validity.internal", study.validity.internal)]),
            _plain([{"t": "Emph", "c": [{"t": "Str", "c": "External:"}]}, {"t": "Space"},
                    _text_or_not_reported(anchors, study, "validity.external", study.validity.external)])]


def _extra_text(value: object) -> str:
    if value is None or value == ():
        return NOT_REPORTED
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def cell_blocks(column: Column, study: Study, style: _Style, anchors: _Anchors) -> list[dict]:
    """The blocks of one study's cell in one column."""
    name = column.field
    if name == "study":
        return _study_cell(study, style, anchors)
    if name == "research_question":
        return [_plain([_text_or_not_reported(anchors, study, "research_question", study.research_question)])]
    if name == "participants":
        return _participants_cell(study, anchors)
    if name == "findings":  # one paragraph per finding, so each reads as its own statement
        if not study.findings:
            return [_plain([_not_reported(anchors, study, "findings")])]
        return [_plain([anchors.wrap(study, f"findings.{i}", finding)])
                for i, finding in enumerate(study.findings)]
    if name == "design":
        return _design_cell(study, style, anchors)
    if name == "validity":
        return _validity_cell(study, anchors)
    value = study.extra.get(name)
    if value is None or value == ():
        return [_plain([_not_reported(anchors, study, name)])]
    return [_plain([anchors.wrap(study, name, _extra_text(value))])]


# ---------------------------------------------------------------------- table


def sort_key(study: Study, bibliography: Bibliography) -> tuple[str, str, str]:
    """First author's family name, then year, then id (so the order never depends on file order)."""
    reference = bibliography.references.get(study.id)
    author = reference.first_author if reference else study.id
    year = reference.year if reference else ""
    folded = unicodedata.normalize("NFKD", author).casefold()
    return folded, year, study.id


def grouped_studies(project: Project) -> list[tuple[str, str, list[Study]]]:
    """[(level, heading, studies)] in the review's order, sorted by author within each group.

    level is "theme" or "subtheme" (table.group_by: theme), "question" (a
    study of two questions is in both groups), or "none" (one group without a
    heading row). With table.questions only the studies of those questions.
    """
    review = project.review
    groups: list[tuple[str, str, list[Study]]] = []
    by_author = sorted(project.studies, key=lambda s: sort_key(s, project.bibliography))
    shown = review.table_questions or tuple(q.key for q in review.questions)
    if review.table_questions:
        by_author = [s for s in by_author if any(key in s.questions for key in shown)]
    if review.table_group_by == "question":
        return [("question", q.label, [s for s in by_author if q.key in s.questions])
                for q in review.questions if q.key in shown]
    if review.table_group_by != "theme" or not review.themes:
        return [("none", "", by_author)]
    for theme in review.themes:
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


def render_table1(project: Project, caption: str, note: str, label: str = "Table 1",
                  citations_name_authors: bool = True) -> Table1:
    """Build Table 1 from the studies; caption and note already have their placeholders filled.

    ``citations_name_authors``: whether the citation style's citations show
    author and year (author-date); when not (numeric), each study is labelled
    "First-author et al. Year" before its citation, unless review.yaml says
    ``table.study_label: citation``.
    """
    review = project.review
    columns = review.table_columns
    style = _Style({t.key: t.abbreviation or t.label for t in review.orientations}, project.bibliography,
                   label_first=review.table_study_label == "author-year" and not citations_name_authors)
    anchors = _Anchors()
    ncols = len(columns)
    rows: list[list] = []
    readable: list[str] = []
    order: list[str] = []
    for level, heading, studies in grouped_studies(project):
        if level != "none":
            mark = "Emph" if level == "subtheme" else "Strong"
            rows.append([["", ["charter-group", f"charter-{level}"], []],
                         [_cell([_plain([{"t": mark, "c": text_inlines(heading)}])], colspan=ncols)]])
            readable += [f"{'###' if level == 'subtheme' else '##'} {heading}", ""]
        for study in studies:
            order.append(study.id)
            rows.append(_row([_cell(cell_blocks(c, study, style, anchors)) for c in columns]))
            readable += _readable_study(columns, study, style)

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


def _or_not_reported(text: str | None) -> str:
    return NOT_REPORTED if text is None else text


def _plain_text(column: Column, study: Study, style: _Style) -> str:
    name = column.field
    if name == "study":
        where = ", ".join(study.countries) or "country not reported"
        label = f"{study_label(study, style.bibliography)} " if style.label_first else ""
        return f"{label}@{study.id} ({where})"
    if name == "research_question":
        return _or_not_reported(study.research_question)
    if name == "participants":
        participants = study.participants
        if participants.description is None and participants.n is None and not participants.samples:
            return NOT_REPORTED
        return "; ".join(text for _, text in participant_lines(participants))
    if name == "findings":
        return "\n".join(f"• {f}" for f in study.findings) or NOT_REPORTED
    if name == "design":
        design = study.design
        if design.orientation is None:
            return f"{design.method} (orientation not reported)" if design.method is not None else NOT_REPORTED
        orientation = style.orientation_labels.get(design.orientation, design.orientation)
        return f"{orientation}: {_or_not_reported(design.method)}"
    if name == "validity":
        if study.validity is None:
            return NOT_REPORTED
        return (f"Internal: {_or_not_reported(study.validity.internal)}\n"
                f"External: {_or_not_reported(study.validity.external)}")
    return _extra_text(study.extra.get(name))


def _readable_study(columns: tuple[Column, ...], study: Study, style: _Style) -> list[str]:
    lines = [f"- **{study.id}** ({study.source.path})"]
    for column in columns:
        text = _plain_text(column, study, style).replace("\n", "\n      ")
        lines.append(f"    - {column.heading}: {text}")
    return [*lines, ""]


def _readable(label: str, caption: str, note: str, body: list[str]) -> str:
    """Table 1 as a list a person can read, a study at a time (the build uses the document tree)."""
    lines = [f"# {label}. {caption}".rstrip(), "",
             "Generated by charter from studies/*.yaml and review.yaml: edit those, not this file.", "", *body]
    if note.strip():
        lines += [f"Note. {note}", ""]
    return "\n".join(lines)
