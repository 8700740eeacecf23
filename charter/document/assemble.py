"""Assemble the one Markdown document pandoc reads: title page, filled sections, placements, back matter.

Every prose block of ``manuscript/*.md`` is wrapped in a Div whose id is a
Word-safe bookmark name (``ch_p0001``…), and each title-page item gets one
(``ch_m0001``…), so a comment a co-author makes in the DOCX can be traced back
to the file and line it came from (``build/manuscript.anchors.json``).

Before pandoc ever runs we check, with the source file and line, every
citation key (pandoc would print "???" and a warning) and every
cross-reference label (pandoc would print nothing: "as shown in .").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import yaml

from charter.document.counts import Count
from charter.sources.metadata import BACK_MATTER, IDENTIFYING, Metadata
from charter.model import Location, Problem, Section
from charter.document.placeholders import PLACEMENT_RE, NumberMarks, fill_recording, unmark
from charter.suggest import did_you_mean
from charter.sources.wellformed import check_structure
from charter.document.word_placeholders import word_count_names

# What a placement line may place, and the label the text uses for it.
PLACEMENTS = {("table", "studies"): "tbl-studies", ("figure", "prisma"): "fig-prisma"}
_LABEL_NAMES = {"tbl": "Table", "fig": "Figure"}

# A pandoc citation: @key or @{key}; not inside a word (e-mail addresses) and not escaped.
_CITATION_RE = re.compile(r"(?<![\w\\@])@(?:\{(?P<braced>[^}\s]+)\}|(?P<key>[\w][\w:.#$%&\-+?<>~/]*))")
_KEY_TRAILING = ":.#$%&-+?<>~/"
_NOT_CITATIONS_RE = re.compile(r"`[^`]*`|<[a-zA-Z][a-zA-Z0-9+.\-]*:[^<>\s]*>|\]\((?:[^)\s\]]|\](?!\())*\)")
_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<src>(?:[^)\s>!]|!(?!\[))+)")  # src stops at the next "![": linear
_DIV_FENCE_RE = re.compile(r"^:{3,}")
_LIST_RE = re.compile(r"^\s{0,3}([-*+]|\d+[.)]|#[.)]|\(?[a-zA-Z][.)])\s")
_ATX_RE = re.compile(r"^#{1,6}(\s|$)")
# The metadata keys the build writes for the Typst template and the Lua filter; authors' text may set none.
INTERNAL_METADATA = ("charter-title", "charter-subtitle", "charter-short-title", "charter-abstract",
                     "charter-keywords", "charter-authors", "charter-affiliations", "charter-corresponding",
                     "charter-paper", "charter-lang", "charter-region", "charter-labels")


@dataclass(frozen=True)
class Assembled:
    """The assembled Markdown, the anchors it defines, the numbered labels and any problems."""

    markdown: str
    anchors: Mapping[str, dict]
    labels: Mapping[str, str]  # "tbl-studies" -> "Table 1"
    placements: tuple[str, ...]  # labels placed, in document order
    problems: tuple[Problem, ...]
    blocks: tuple[tuple[str, int, str], ...] = ()  # (source, first line, text) of each prose block
    images: tuple[tuple[Location, str], ...] = ()  # (where, path as written) of each image in the sections
    numbers: Mapping[str, dict] = field(default_factory=dict)  # "ch_n0001" -> the count a marked number shows


@dataclass
class _Block:
    lines: list[str] = field(default_factory=list)
    first_line: int = 0


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation so text (a name, an e-mail) is read literally."""
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>@$^~&\"':;=%])", r"\\\1", text)
    return escaped.replace("\n", " ")


def split_blocks(text: str) -> list[_Block]:
    """Split Markdown into top-level blocks (paragraph, heading, list, quote, fenced code or div).

    Blank lines separate blocks, except inside fences and between the items
    and indented continuations of one list, which stay one block.
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    fence: str | None = None
    div_depth = 0
    pending_blank = False
    closed = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if fence is not None or div_depth:
            current.lines.append(line)
            if fence == "-->":  # an HTML comment, which may hold blank lines
                if "-->" in line:
                    fence, closed = None, True
                continue
            if fence is not None and stripped.startswith(fence) and not stripped[len(fence):].strip():
                fence = None
            elif fence is None and _DIV_FENCE_RE.match(stripped):
                div_depth += -1 if not stripped.strip(":").strip() else 1
            if fence is None and not div_depth:
                closed = True  # whatever follows the closing fence is a new block
            continue
        if not stripped:
            pending_blank = current is not None
            continue
        continues_list = (current is not None and pending_blank and _LIST_RE.match(current.lines[0])
                          and (_LIST_RE.match(line) or line.startswith(("  ", "\t"))))
        starts_new = current is None or closed or (pending_blank and not continues_list) or _ATX_RE.match(line) \
            or (current is not None and _ATX_RE.match(current.lines[0]))
        closed = False
        if starts_new:
            current = _Block([], number)
            blocks.append(current)
        elif pending_blank:
            current.lines.append("")
        pending_blank = False
        current.lines.append(line)
        if stripped.startswith("<!--") and "-->" not in stripped:
            fence = "-->"
        elif _FENCE_RE.match(stripped):
            fence = _FENCE_RE.match(stripped).group(1)
        elif _DIV_FENCE_RE.match(stripped) and stripped.strip(":").strip():
            div_depth = 1
    return blocks


def _scan_references(text: str, path: str, first_line: int, known_keys: set[str] | None, labels: Mapping[str, str],
                     placed: set[str], columns: bool = True) -> list[Problem]:
    """Check every @key and @tbl-/@fig- label in text (outside code) against the bibliography and placements."""
    problems = []
    in_code = False
    for offset, line in enumerate(text.split("\n")):
        if _FENCE_RE.match(line.strip()):
            in_code = not in_code
            continue
        if in_code:
            continue
        # code spans, autolinks and link targets hold no citations ("<https://x.org/@name>"); a bare
        # URL does: pandoc reads its "@name" as a citation, so it is checked like one
        line_without_code = _NOT_CITATIONS_RE.sub(lambda m: " " * len(m.group(0)), line)
        for match in _CITATION_RE.finditer(line_without_code):
            key = match.group("braced") or match.group("key").rstrip(_KEY_TRAILING)
            # a YAML value's columns are not the file's: give the line alone there
            where = Location(path, first_line + offset, match.start() + 1 if columns else 0)
            prefix = key.split("-", 1)[0]
            if prefix in _LABEL_NAMES and "-" in key:
                if key not in placed:
                    kind = _LABEL_NAMES[prefix]
                    options = sorted(placed)
                    hint = did_you_mean(key, options)
                    known = f"; the labels that exist are: {', '.join('@' + o for o in options)}" if options else ""
                    problems.append(Problem(where, "", f"cross-reference to '@{key}', but no {kind.lower()} has "
                                            f"that label{hint}{known}"
                                            + _placement_hint(key)))
                continue
            if known_keys is not None and key not in known_keys:
                hint = did_you_mean(key, sorted(known_keys))
                problems.append(Problem(where, "", f"citation key '@{key}' is not in bib/{hint}; add the "
                                        "reference to a .bib file in bib/ or correct the key"))
    return problems


def images_in(text: str, path: str, first_line: int = 1, columns: bool = True) -> list[tuple[Location, str]]:
    """Every image ``![…](src)`` in Markdown text: (where, src as written)."""
    found = []
    for match in _IMAGE_RE.finditer(text):
        offset = text.count("\n", 0, match.start())
        column = match.start() - text.rfind("\n", 0, match.start()) if columns else 0
        found.append((Location(path, first_line + offset, column), match.group("src")))
    return found


def _first_line(text: str, where: Location) -> int:
    """The file line of a YAML value's first text line (a block scalar starts on the line after its key)."""
    return where.line + 1 if "\n" in text and where.line else where.line or 1


def metadata_block_problems(text: str, path: str, first_line: int = 1) -> list[Problem]:
    """Refuse a YAML metadata block in authors' text that sets a ``charter-`` key (the build's own settings).

    Pandoc reads a block of YAML between ``---`` lines anywhere in the document (after a
    blank line) as metadata; the build's own keys must come from the build alone.
    """
    problems: list[Problem] = []
    lines = text.split("\n")
    fence: str | None = None
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        opening = _FENCE_RE.match(stripped)
        if fence is not None:
            if stripped.startswith(fence) and not stripped[len(fence):].strip():
                fence = None
        elif opening:
            fence = opening.group(1)
        elif (lines[index].rstrip() == "---" and (index == 0 or not lines[index - 1].strip())
              and index + 1 < len(lines) and lines[index + 1].strip()):
            end = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip() in ("---", "...")), None)
            if end is not None:
                for offset, line in enumerate(lines[index + 1:end], start=index + 1):
                    key = re.match(r"\s*['\"]?(charter-[^'\":]*)['\"]?\s*:", line)
                    if key:
                        problems.append(Problem(Location(path, first_line + offset), "", (
                            f"the metadata block sets '{key.group(1)}', one of the build's own settings; "
                            "remove it (keys starting with charter- cannot be set in the text)")))
                index = end
        index += 1
    return problems


def _placement_hint(label: str) -> str:
    for (kind, name), placement_label in PLACEMENTS.items():
        if placement_label == label:
            return f"; place it with a line {{{{ {kind}:{name} }}}} in a section"
    return ""


def _metadata_block(meta: Metadata, filled: Mapping[str, str], blind: bool, labels: Mapping[str, str],
                    paper: str) -> str:
    """The YAML block pandoc reads: values for the Typst template and for the Lua filters."""
    numbers = meta.affiliation_numbers()
    # Every key the template or the Lua filter reads is written, false when unused: this block comes
    # last in the document, and pandoc keeps the last value of a key, so text in a section can set none.
    values: dict[str, object] = {key: False for key in INTERNAL_METADATA}
    values.update({
        "lang": meta.lang,
        "charter-title": filled["title"],
        "charter-labels": dict(labels) or False,
        "charter-paper": "us-letter" if paper == "letter" else "a4",
        # Typst wants the language and the region apart ("en-GB" -> "en", "GB") for hyphenation;
        # lang is a checked BCP 47 tag (charter.sources.metadata), so both are letters only
        "charter-lang": meta.lang.split("-")[0].lower(),
    })
    region = [part for part in meta.lang.split("-")[1:] if len(part) == 2 and part.isalpha()]
    if region:
        values["charter-region"] = region[0].upper()
    for name in ("subtitle", "short_title", "abstract"):
        if filled.get(name):
            values[f"charter-{name.replace('_', '-')}"] = filled[name]
    if meta.keywords:
        values["charter-keywords"] = md_escape("; ".join(meta.keywords))
    if not blind and meta.authors:
        notes = title_page_notes(meta.authors)
        values["charter-authors"] = [{
            "name": md_escape(a.name),
            "marks": ",".join(str(numbers[k]) for k in a.affiliations),
            # Typst footnotes: the first author of a note carries it, the others point to it by label
            "footnotes": [{"text": note.text, "label": f"charterfn{note.number}"} if first
                          else {"again": f"charterfn{note.number}"} for note, first in notes[index]],
        } for index, a in enumerate(meta.authors)]
        values["charter-affiliations"] = [{"mark": str(n), "text": md_escape(meta.affiliations[k])}
                                          for k, n in numbers.items()]
    return "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1000) + "---\n"


# Title-page footnotes are marked with these symbols, in this order, in the DOCX and the PDF
# (affiliations already use numbers); Typst's footnote numbering "*" counts the same way.
NOTE_SYMBOLS = ("*", "†", "‡", "§", "¶", "‖")


@dataclass(frozen=True)
class TitlePageNote:
    number: int  # 1-based, in the order of the authors; NOTE_SYMBOLS[number - 1] marks it
    text: str    # Markdown


def title_page_notes(authors) -> list[list[tuple[TitlePageNote, bool]]]:
    """For each author, the title-page footnotes that mark the name: (note, first) pairs.

    One note names the corresponding author(s), one says who contributed equally; the
    first author a note concerns carries the footnote, the others repeat its mark.
    """
    groups = [("corresponding", [a for a in authors if a.corresponding]),
              ("equal", [a for a in authors if a.equal_contribution])]
    notes: dict[str, TitlePageNote] = {}
    marks: list[list[tuple[TitlePageNote, bool]]] = []
    for author in authors:
        own: list[tuple[TitlePageNote, bool]] = []
        for kind, members in groups:
            if author not in members or (kind == "equal" and len(members) < 2):
                continue
            first = kind not in notes
            if first:
                text = (("Corresponding author: " if len(members) == 1 else "Corresponding authors: ")
                        + _corresponding_line(members)) if kind == "corresponding" else \
                    f"{_names(members)} contributed equally to this work."
                notes[kind] = TitlePageNote(len(notes) + 1, text)
            own.append((notes[kind], first))
        marks.append(sorted(own, key=lambda pair: pair[0].number))
    return marks


def _symbol_md(note: TitlePageNote) -> str:
    symbol = NOTE_SYMBOLS[(note.number - 1) % len(NOTE_SYMBOLS)]
    return "\\*" if symbol == "*" else symbol


def _names(authors) -> str:
    names = [md_escape(a.name) for a in authors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _corresponding_line(authors) -> str:
    parts = []
    for a in authors:
        details = [md_escape(a.name)]
        if a.email:
            details.append(md_escape(a.email))
        if a.orcid:
            details.append("ORCID " + md_escape(a.orcid))
        parts.append(", ".join(details))
    return "; ".join(parts)


class _Anchors:
    def __init__(self) -> None:
        self.entries: dict[str, dict] = {}
        self.counters = {"p": 0, "m": 0}

    def add(self, kind: str, entry: dict) -> str:
        self.counters[kind] += 1
        anchor = f"ch_{kind}{self.counters[kind]:04d}"
        self.entries[anchor] = entry
        return anchor


def _title_page(meta: Metadata, filled: Mapping[str, str], blind: bool, anchors: _Anchors) -> list[str]:
    """The DOCX title page as Markdown Divs with Word styles (the Typst template draws its own)."""
    out = [":::: {.charter-titlepage}", ""]

    def item(style: str, markdown: str, field_name: str | None, text: str | None = None) -> None:
        attrs = f'custom-style="{style}"'
        if field_name is not None:
            where = meta.positions.get(field_name) or meta.source
            anchor = anchors.add("m", {"kind": "metadata", "source": meta.source.path, "line": where.line or None,
                                       "field": field_name, "text": text if text is not None else markdown})
            attrs = f"#{anchor} {attrs}"
        out.extend([f"::: {{{attrs}}}", markdown, ":::", ""])

    item("Title", filled["title"], "title")
    if filled.get("subtitle"):
        item("Subtitle", filled["subtitle"], "subtitle")
    if not blind:
        numbers = meta.affiliation_numbers()
        notes = title_page_notes(meta.authors)
        for index, author in enumerate(meta.authors):
            marks = ",".join(str(numbers[k]) for k in author.affiliations)
            # A real footnote where the note is first given (pandoc numbers it; charter.compile.pandoc.finish_docx
            # gives it its symbol); the symbol alone where it is repeated.
            footnotes = "".join(f"^[{note.text}]" if first else f"^{_symbol_md(note)}^"
                                for note, first in notes[index])
            item("Author", md_escape(author.name) + (f"^{marks}^" if marks else "") + footnotes,
                 f"authors.{index}.name", author.name)
        for key, number in numbers.items():
            item("Affiliation", f"^{number}^ {md_escape(meta.affiliations[key])}", f"affiliations.{key}",
                 meta.affiliations[key])
    if filled.get("abstract"):
        item("Abstract Title", "Abstract", None)
        item("Abstract", filled["abstract"], "abstract", unmark(filled["abstract"]))
    if meta.keywords:
        item("Keywords", "**Keywords:** " + md_escape("; ".join(meta.keywords)), "keywords", "; ".join(meta.keywords))
    out += ["```{=openxml}", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>', "```", "", "::::", ""]
    return out


def _placements(sections: Sequence[Section]) -> tuple[list[str], dict[str, str], list[Problem]]:
    """The labels placed, in document order, their numbered names ("Table 1") and misplacements.

    Placements come first: the labels they define are what the text may refer to.
    """
    problems: list[Problem] = []
    placed: list[str] = []
    for section in sections:
        for match in PLACEMENT_RE.finditer(section.text):
            line = section.text.count("\n", 0, match.start()) + 1
            label = PLACEMENTS.get((match.group("kind"), match.group("name")))
            where = Location(section.path, line)
            if label is None:
                known = ", ".join(f"{{{{ {k}:{n} }}}}" for k, n in PLACEMENTS)
                problems.append(Problem(where, "", f"unknown placement '{match.group(0).strip()}'; Charter places "
                                        f"{known}"))
            elif label in placed:
                problems.append(Problem(where, "", f"'{match.group(0).strip()}' is placed a second time; "
                                        "keep one line for it"))
            else:
                placed.append(label)
    numbering: dict[str, int] = {}
    labels: dict[str, str] = {}
    for label in placed:
        prefix = label.split("-", 1)[0]
        numbering[prefix] = numbering.get(prefix, 0) + 1
        labels[label] = f"{_LABEL_NAMES[prefix]} {numbering[prefix]}"
    return placed, labels, problems


@dataclass
class _Filling:
    """What filling the text needs throughout: counts, the review's word counts, number marks, known names."""

    counts: Mapping[str, Count]
    words: list[str]
    marks: NumberMarks
    known_keys: set[str] | None
    labels: Mapping[str, str]
    placed: set[str]


def _fill_metadata(meta: Metadata, fill: _Filling) -> tuple[dict[str, str], str, list[Problem]]:
    """Fill the metadata fields that may hold placeholders (the abstract usually does) and check them.

    Returns the filled fields, the abstract with its numbers marked (for the DOCX title
    page only; the metadata copy feeds the Typst template) and the problems found.
    """
    problems: list[Problem] = []
    marked_abstract = ""
    filled_meta: dict[str, str] = {}
    for name in ("title", "subtitle", "short_title", "abstract", *(n for n, _ in BACK_MATTER)):
        value = getattr(meta, name, None) if name not in meta.back_matter else meta.back_matter[name]
        if not value:
            continue
        where = meta.positions.get(name) or meta.source
        first = where.line + 1 if "\n" in value and where.line else where.line or 1
        text, found, _ = fill_recording(value, fill.counts, meta.source.path, first, words=fill.words)
        if name == "abstract":
            marked_abstract = fill_recording(value, fill.counts, meta.source.path, first, marks=fill.marks,
                                             words=fill.words)[0]
        problems += found
        problems += check_structure(meta.source.path, value, first)
        problems += _scan_references(text, meta.source.path, first, fill.known_keys, fill.labels, fill.placed,
                                     columns=False)
        problems += metadata_block_problems(text, meta.source.path, first)
        filled_meta[name] = text
    return filled_meta, marked_abstract, problems


def _check_table_texts(table_texts: Sequence[tuple[str, str, Location]], fill: _Filling) -> list[Problem]:
    """Check Table 1's caption and note from review.yaml as the sections are checked."""
    problems: list[Problem] = []
    for _, table_text, where in table_texts:
        first = where.line + 1 if "\n" in table_text and where.line else where.line or 1
        problems += check_structure(where.path, table_text, first)
        problems += metadata_block_problems(table_text, where.path, first)
        problems += _scan_references(table_text, where.path, first, fill.known_keys, fill.labels, fill.placed,
                                     columns=False)
    return problems


def _placement_divs(label: str, table_texts: Sequence[tuple[str, str, Location]]) -> list[str]:
    """The Div a placement line becomes; Table 1's caption and note travel inside it."""
    out = [f":::: {{#{label} .charter-placement}}", ""]
    if label == "tbl-studies":
        for role, table_text, _ in table_texts:
            if table_text.strip():
                out += [f"::: {{.charter-{role}}}", table_text, ":::", ""]
    return out + ["::::", ""]


@dataclass
class _Body:
    """The sections, filled and wrapped, with what was found in them on the way."""

    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    prose: list[tuple[str, int, str]] = field(default_factory=list)
    images: list[tuple[Location, str]] = field(default_factory=list)
    has_refs: bool = False


def _sections(sections: Sequence[Section], fill: _Filling, anchors: _Anchors,
              table_texts: Sequence[tuple[str, str, Location]]) -> _Body:
    """Fill each section, check it, and wrap each prose block in a Div with its anchor."""
    body = _Body()
    for section in sections:
        marked, found, fills = fill_recording(section.text, fill.counts, section.path, marks=fill.marks,
                                              words=fill.words)
        text = unmark(marked)
        body.problems += check_structure(section.path, section.text)
        body.images += images_in(text, section.path)  # every one is checked: URLs and paths outside are refused
        body.problems += found
        body.problems += metadata_block_problems(text, section.path)
        body.problems += _scan_references(text, section.path, 1, fill.known_keys, fill.labels, fill.placed)
        body.has_refs = body.has_refs or "{#refs" in text
        body.lines += [f"<!-- {section.path} -->", ""]
        for block in split_blocks(marked):
            block_text = "\n".join(block.lines)
            placement = PLACEMENT_RE.fullmatch(block_text.strip())
            if placement:
                label = PLACEMENTS.get((placement.group("kind"), placement.group("name")))
                if label:
                    body.lines += _placement_divs(label, table_texts)
                continue
            if block_text.lstrip().startswith("<!--") or _DIV_FENCE_RE.match(block_text.lstrip()):
                body.lines += [block_text, ""]  # comments and the author's own divs pass through unwrapped
                continue
            last = block.first_line + len(block.lines) - 1
            used = [{"name": f.name, "text": f.text} for f in fills if block.first_line <= f.line <= last]
            anchor = anchors.add("p", {"kind": "prose", "source": section.path, "line": block.first_line,
                                       "field": None, "text": unmark(block_text), "placeholders": used})
            body.prose.append((section.path, block.first_line, unmark(block_text)))
            body.lines += [f"::: {{#{anchor} .charter-prose}}", block_text, ":::", ""]
    return body


def _back_matter(meta: Metadata, filled_meta: Mapping[str, str], blind: bool, anchors: _Anchors) -> list[str]:
    """The back-matter sections from review.yaml (funding, conflicts…); identifying ones left out when blind."""
    out: list[str] = []
    for name, heading in BACK_MATTER:
        if name not in filled_meta or (blind and name in IDENTIFYING):
            continue
        where = meta.positions.get(name) or meta.source
        anchor = anchors.add("m", {"kind": "metadata", "source": meta.source.path, "line": where.line or None,
                                   "field": name, "text": filled_meta[name]})
        out += [f"# {heading} {{.unnumbered .charter-back-matter}}", "",
                f"::: {{#{anchor} .charter-prose}}", filled_meta[name], ":::", ""]
    return out


def _images_outside_sections(meta: Metadata, filled_meta: Mapping[str, str],
                             table_texts: Sequence[tuple[str, str, Location]]) -> list[tuple[Location, str]]:
    """Images in Table 1's caption and note and in the metadata fields: checked as the sections' are."""
    return [*(image for _, text, where in table_texts
              for image in images_in(text, where.path, _first_line(text, where), columns=False)),
            *(image for name, text in filled_meta.items()
              for image in images_in(text, meta.source.path, _first_line(
                  text, meta.positions.get(name) or meta.source), columns=False))]


def assemble(meta: Metadata, sections: Sequence[Section], counts: Mapping[str, Count], known_keys: set[str] | None,
             *, blind: bool = False, paper: str = "a4",
             table_texts: Sequence[tuple[str, str, Location]] = ()) -> Assembled:
    """Assemble the manuscript Markdown; report unknown placeholders, keys, labels and placements.

    ``known_keys`` None: a .bib file could not be read, so citation keys are not
    checked (its own error says what to fix; a hundred "not in bib/" would not).

    ``table_texts`` are Table 1's ("caption", text, where) and ("note", text, where) from
    review.yaml, placeholders filled: Markdown the authors wrote, so they go through
    pandoc's reader with the manuscript (a citation in the note is formatted and listed).
    """
    anchors = _Anchors()
    placed, labels, problems = _placements(sections)
    # every number a placeholder writes in the text is marked (charter.document.placeholders);
    # word counts are counted after pandoc (word_placeholders)
    fill = _Filling(counts, word_count_names(section.text for section in sections), NumberMarks(), known_keys,
                    labels, set(placed))
    filled_meta, marked_abstract, found = _fill_metadata(meta, fill)
    problems += found
    problems += _check_table_texts(table_texts, fill)

    out: list[str] = _title_page(meta, {**filled_meta, **({"abstract": marked_abstract} if marked_abstract else {})},
                                 blind, anchors)
    body = _sections(sections, fill, anchors, table_texts)
    problems += body.problems
    out += body.lines
    out += _back_matter(meta, filled_meta, blind, anchors)
    if not body.has_refs:
        out += ["# References {.unnumbered}", "", "::: {#refs}", ":::", ""]
    out += ["", _metadata_block(meta, filled_meta, blind, labels, paper)]

    if "fig-prisma" in placed:
        anchors.entries["ch_f0001"] = {"kind": "figure", "source": "review.yaml", "field": "prisma",
                                       "line": None, "text": labels["fig-prisma"]}
    images = _images_outside_sections(meta, filled_meta, table_texts) + body.images
    return Assembled("\n".join(out), dict(anchors.entries), labels, tuple(placed), tuple(problems),
                     tuple(body.prose), tuple(images), dict(fill.marks.entries))
