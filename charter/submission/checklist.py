"""The reporting checklist: PRISMA-ScR for a scoping review, PRISMA 2020 (and its abstract checklist) for a
systematic review, with the section and PDF page where each item is reported.

The item texts are the official wording, kept as data in ``charter/resources/checklists/*.yaml`` with their
source and licence. Where an item is reported comes from three places:

* tags in the manuscript: a heading attribute ``# Method {checklist="5,6"}`` or a fenced div
  ``::: {checklist="8"}`` around the paragraphs that report it;
* ``checklist:`` in review.yaml, item -> place (``manuscript/02-method.md#search-process``, ``abstract``,
  ``title`` or ``not applicable: reason``), for what cannot be tagged;
* what Charter writes itself: the title, the abstract, the flow diagram, Table 1, the search strategy
  (a supplementary file) and the funding statement.

The page of each place is found by looking for its heading (or the first words of its paragraph, or the
figure or table caption) in the text pypdf extracts from the built PDF.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import yaml

from charter import PACKAGE_DIR
from charter.document.assemble import md_escape
from charter.model import Location, Problem, Project

RESOURCES = PACKAGE_DIR / "resources" / "checklists"
FILES = {"scoping": ("prisma-scr",), "systematic": ("prisma-2020", "prisma-2020-abstracts")}
# Items of the abstract checklist are tagged with an "A" before their number ("A7"): the numbers clash.
ABSTRACT_PREFIX = "A"
NOT_APPLICABLE_RE = re.compile(r"^(?:not applicable|n/?a)\s*(?::\s*(?P<reason>.*))?$", re.I)
_TAG_RE = re.compile(r"""\bchecklist\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+))""")
_ATTRS_RE = re.compile(r"\s*\{[^{}]*\}\s*$")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(?P<text>.*?)\s*$")
_DIV_OPEN_RE = re.compile(r"^\s*:{3,}\s*\{(?P<attrs>[^{}]*)\}\s*$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_ID_RE = re.compile(r"(?:^|\s)#(?P<id>[\w:.-]+)")


# ------------------------------------------------------------------ the checklists


@dataclass(frozen=True)
class Item:
    """One checklist item, in the official wording."""

    item: str  # "1", "10a"; "A4" for the abstract checklist
    section: str  # TITLE, METHODS, …
    topic: str
    text: str
    optional: bool = False  # "if done" items of PRISMA-ScR (12, 16): never reported missing
    unconfirmed: str | None = None  # why the wording could not be compared with a stored source in full


@dataclass(frozen=True)
class Checklist:
    key: str  # file stem: prisma-scr, prisma-2020, prisma-2020-abstracts
    name: str
    title: str
    citation: str
    doi: str
    url: str
    licence: str
    items: tuple[Item, ...]


@lru_cache(maxsize=None)
def load_checklist(key: str) -> Checklist:
    """Read one checklist from the package's data files."""
    data = yaml.safe_load((RESOURCES / f"{key}.yaml").read_text(encoding="utf-8"))
    prefix = ABSTRACT_PREFIX if key.endswith("-abstracts") else ""
    items = tuple(Item(prefix + str(i["item"]), i["section"], i["topic"], i["text"], bool(i.get("optional")),
                       i.get("unconfirmed")) for i in data["items"])
    return Checklist(key, data["name"], data["title"], " ".join(data["citation"].split()), data["doi"], data["url"],
                     " ".join(data["licence"].split()), items)


def checklists_for(review_type: str) -> tuple[Checklist, ...]:
    """The checklists a review of this type reports against (PRISMA-ScR when the type is unknown)."""
    return tuple(load_checklist(key) for key in FILES.get(review_type, FILES["scoping"]))


def item_numbers(review_type: str) -> tuple[str, ...]:
    return tuple(i.item for c in checklists_for(review_type) for i in c.items)


# ------------------------------------------------------------------ where items are reported


@dataclass(frozen=True)
class Place:
    """One place an item is reported: what to call it, where it is written, what to look for in the PDF."""

    heading: str  # "Method › Search process", "Figure 1", "Title page", "Supplementary file: …"
    source: Location
    find: str = ""  # text whose page is the item's page ('' = not in the PDF)
    kind: str = "text"  # "heading" (a whole line), "text" (a run of words), "caption" (a line starting with it)
    automatic: bool = False
    page: int | None = None


@dataclass(frozen=True)
class Row:
    """One row of the filled checklist."""

    checklist: str  # the checklist's name
    item: str
    section: str
    topic: str
    text: str
    places: tuple[Place, ...] = ()
    not_applicable: str | None = None  # the reason, when the author says the item does not apply
    optional: bool = False

    @property
    def reported(self) -> bool:
        return bool(self.places) or self.not_applicable is not None

    @property
    def where(self) -> str:
        """'Method › Search process (p. 4); Figure 1 (p. 5)' — or 'not applicable: …', or ''."""
        if self.not_applicable is not None:
            return "Not applicable" + (f": {self.not_applicable}" if self.not_applicable else "")
        return "; ".join(p.heading + (f" (p. {p.page})" if p.page else "") for p in self.places)


def parse_where(value: str) -> tuple[str, str | None]:
    """Split a review.yaml checklist value: ("na", reason) | ("abstract"|"title", None) | (file, heading id)."""
    value = value.strip()
    match = NOT_APPLICABLE_RE.match(value)
    if match:
        return "na", (match.group("reason") or "").strip()
    if value.lower() in ("abstract", "title"):
        return value.lower(), None
    path, _, anchor = value.partition("#")
    return path.strip(), anchor.strip() or None


def heading_text(markdown: str) -> str:
    """The text of an ATX heading as it prints: attributes, emphasis marks and escapes removed."""
    text = _ATTRS_RE.sub("", markdown).strip().rstrip("#").strip()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\\(.)", r"\1", re.sub(r"[*_`]", "", text)).strip()


def heading_id(markdown: str) -> str:
    """The heading's identifier: an explicit {#id}, else pandoc's automatic one."""
    attrs = re.search(r"\{([^{}]*)\}\s*$", markdown)
    if attrs:
        explicit = _ID_RE.search(attrs.group(1))
        if explicit:
            return explicit.group("id")
    text = heading_text(markdown).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " _-.")
    text = re.sub(r"\s+", "-", text.strip())
    return re.sub(r"^[^a-z]+", "", text) or "section"


def _tag_items(attrs: str) -> list[str] | None:
    match = _TAG_RE.search(attrs)
    if not match:
        return None
    value = next(v for v in match.group("dq", "sq", "bare") if v is not None)
    return [part for part in re.split(r"[,\s;]+", value) if part]


def _first_words(lines: Iterable[str], count: int = 6) -> str:
    """A run of plain words from the start of a paragraph: no citation, placeholder or markup in it."""
    for line in lines:
        if not line.strip() or line.lstrip().startswith(("#", ":::", "{{", "|", "<!--", "!")):
            continue
        words = re.sub(r"\[@[^\]]*\]|@\w+|\{\{[^}]*\}\}|\[[^\]]*\]\([^)]*\)|[*_`\\]", " | ", line).split()
        run: list[str] = []
        for word in words:
            if re.fullmatch(r"[A-Za-zÀ-ÿ'’-]+[,;:.]?", word):
                run.append(word)
                if len(run) == count:
                    return " ".join(run)
            else:
                run = []
        if len(run) >= 3:
            return " ".join(run)
    return ""


@dataclass
class _Heading:
    text: str
    id: str
    line: int
    level: int


def _scan(section_path: str, text: str) -> tuple[list[_Heading], list[tuple[list[str], Place, int]]]:
    """The headings of one section file and its tags: (items, place, column of the tag)."""
    headings: list[_Heading] = []
    tags: list[tuple[list[str], Place, int]] = []
    lines = text.split("\n")
    fence = None
    trail: list[_Heading] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        if match := _FENCE_RE.match(line):
            fence = match.group(1)
            continue
        if match := _HEADING_RE.match(line):
            heading = _Heading(heading_text(match.group("text")), heading_id(match.group("text")), number,
                               len(match.group(1)))
            headings.append(heading)
            trail = [h for h in trail if h.level < heading.level] + [heading]
            attrs = re.search(r"\{([^{}]*)\}\s*$", match.group("text"))
            items = _tag_items(attrs.group(1)) if attrs else None
            if items is not None:
                tags.append((items, Place(" › ".join(h.text for h in trail), Location(section_path, number),
                                          heading.text, "heading"), attrs.start(1)))
            continue
        if match := _DIV_OPEN_RE.match(line):
            items = _tag_items(match.group("attrs"))
            if items is not None:
                where = " › ".join(h.text for h in trail) or section_path
                tags.append((items, Place(where, Location(section_path, number),
                                          _first_words(lines[number:number + 20]), "text"), match.start("attrs")))
    return headings, tags


def tagged_places(sections: Sequence, review_type: str) -> tuple[dict[str, list[Place]], list[Problem]]:
    """The places the manuscript tags with ``checklist="…"``; unknown item numbers are errors."""
    known = item_numbers(review_type)
    places: dict[str, list[Place]] = {}
    problems: list[Problem] = []
    for section in sections:
        for items, place, column in _scan(section.path, section.text)[1]:
            where = Location(place.source.path, place.source.line, column + 1)
            if not items:
                problems.append(Problem(where, "checklist", 'the checklist attribute names no item: write the '
                                        'item numbers, e.g. checklist="5,6"'))
            for item in items:
                if item not in known:
                    problems.append(Problem(where, "checklist", f"'{item}' is not an item of the "
                                            f"{_names(review_type)} checklist; items are {_range(known)}"))
                    continue
                places.setdefault(item, []).append(place)
    return places, problems


def _names(review_type: str) -> str:
    return " and ".join(c.name for c in checklists_for(review_type))


def _range(known: Sequence[str]) -> str:
    plain = [k for k in known if not k.startswith(ABSTRACT_PREFIX)]
    text = f"{plain[0]}–{plain[-1]} ({', '.join(k for k in plain if not k.isdigit())} for the sub-items)" \
        if any(not k.isdigit() for k in plain) else f"{plain[0]}–{plain[-1]}"
    abstract = [k for k in known if k.startswith(ABSTRACT_PREFIX)]
    return text + (f", and {abstract[0]}–{abstract[-1]} for the abstract checklist" if abstract else "")


def mapped_places(project: Project, sections: Sequence) -> tuple[dict[str, list[Place]], dict[str, str],
                                                                  list[Problem]]:
    """The places review.yaml's ``checklist:`` names: (places, not-applicable reasons, problems).

    The item numbers and the value's form are checked when review.yaml is read; here the file and the
    heading it names must exist.
    """
    review = project.review
    by_path = {s.path: s for s in sections}
    places: dict[str, list[Place]] = {}
    not_applicable: dict[str, str] = {}
    problems: list[Problem] = []
    for item, value in review.checklist.items():
        where = review.positions.get(f"checklist.{item}", review.source)
        target, anchor = parse_where(value)
        if target == "na":
            not_applicable[item] = anchor or ""
        elif target == "abstract":
            places.setdefault(item, []).append(Place("Abstract", where, "Abstract", "heading"))
        elif target == "title":
            places.setdefault(item, []).append(Place("Title page", where, review.title, "text"))
        elif target not in by_path:
            files = ", ".join(sorted(by_path)) or "none"
            problems.append(Problem(where, f"checklist.{item}", f"'{target}' is not a manuscript section; write "
                                    f"one of {files} (with #heading-id for a heading in it), abstract, title "
                                    "or 'not applicable: reason'"))
        else:
            headings = _scan(target, by_path[target].text)[0]
            chosen = next((h for h in headings if h.id == anchor), None) if anchor else \
                (headings[0] if headings else None)
            if chosen is None:
                ids = ", ".join(f"#{h.id}" for h in headings) or "none"
                problems.append(Problem(where, f"checklist.{item}", f"{target} has no heading '#{anchor}': its "
                                        f"headings are {ids}"))
                continue
            trail: list[_Heading] = []
            for heading in headings[:headings.index(chosen) + 1]:
                trail = [h for h in trail if h.level < heading.level] + [heading]
            places.setdefault(item, []).append(Place(" › ".join(h.text for h in trail), Location(target, chosen.line),
                                                     chosen.text, "heading"))
    return places, not_applicable, problems


# Items Charter writes itself, by checklist: (what, item).
AUTOMATIC = {
    "prisma-scr": {"title": "1", "abstract": "2", "search": "8", "flow": "14", "table": "15", "funding": "22"},
    "prisma-2020": {"title": "1", "abstract": "2", "search": "7", "flow": "16a", "table": "17", "funding": "25"},
    "prisma-2020-abstracts": {"title": "A1"},
}
SEARCH_SUPPLEMENT = "Supplementary file: search strategy (search-strategy.docx)"


def automatic_places(project: Project, meta, sections: Sequence, labels: Mapping[str, str]
                     ) -> dict[str, list[Place]]:
    """The items Charter itself reports: title, abstract, search, flow diagram, Table 1, funding."""
    places: dict[str, list[Place]] = {}
    found: dict[str, Place] = {}
    if meta is not None:
        found["title"] = Place("Title page", meta.positions.get("title", meta.source), meta.title, "text", True)
        if meta.abstract:
            found["abstract"] = Place("Abstract", meta.positions.get("abstract", meta.source), "Abstract",
                                      "heading", True)
        if meta.back_matter.get("funding"):
            found["funding"] = Place("Funding", meta.positions.get("funding", meta.source), "Funding", "heading",
                                     True)
    if project.review.search.databases:
        found["search"] = Place(SEARCH_SUPPLEMENT, project.review.positions.get("search", project.review.source),
                                automatic=True)
    for kind, placement, label in (("flow", "figure:prisma", "fig-prisma"), ("table", "table:studies", "tbl-studies")):
        for section in sections:
            trail: list[_Heading] = []
            headings = _scan(section.path, section.text)[0]
            for number, line in enumerate(section.text.split("\n"), start=1):
                if re.fullmatch(r"\s*\{\{\s*" + re.escape(placement) + r"\s*\}\}\s*", line):
                    before = [h for h in headings if h.line < number]
                    for h in before:
                        trail = [t for t in trail if t.level < h.level] + [h]
                    name = labels.get(label, "Figure" if kind == "flow" else "Table")
                    heading = " › ".join([*(h.text for h in trail), name])
                    found[kind] = Place(heading, Location(section.path, number), name, "caption", True)
    for checklist in checklists_for(project.review.review_type):
        for what, item in AUTOMATIC.get(checklist.key, {}).items():
            if what in found:
                places.setdefault(item, []).append(found[what])
    return places


# ------------------------------------------------------------------ pages in the PDF


def _normalise(text: str) -> str:
    # Hyphens are left out of the comparison: Typst's own line-end hyphenation comes out of pypdf as a soft
    # hyphen and a line break, and so may a real hyphen ("support-oriented" -> "support\u00ad oriented").
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    text = re.sub("[\u00ad\u2010-]\\s*\n\\s*", "", text)
    text = re.sub("[\u00ad\u2010-]", "", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).casefold()


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of the PDF, as pypdf extracts it."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]


def find_page(pages: Sequence[str], place: Place, start: int = 1) -> int | None:
    """The first page from ``start`` (1-based) holding the place's heading line, caption or words; None when
    not found."""
    if not place.find:
        return None
    wanted = _normalise(place.find)
    numbered = list(enumerate(pages, start=1))[max(start, 1) - 1:]
    for number, page in numbered:
        if place.kind in ("heading", "caption"):
            for line in page.split("\n"):
                line = _normalise(line)
                if (place.kind == "heading" and line == wanted) or \
                        (place.kind == "caption" and re.match(re.escape(wanted) + r"[.:]", line)):
                    return number
        elif wanted in _normalise(page):
            return number
    if place.kind == "heading":  # a heading wrapped over two lines
        return next((n for n, page in numbered if wanted in _normalise(page)), None)
    return None


def heading_pages(pages: Sequence[str], sections: Sequence) -> dict[tuple[str, int], int]:
    """The page of every heading of the manuscript, (file, line) -> page, found in document order.

    Each heading is looked for from the page of the one before it, so a line of Table 1 that repeats a
    heading ("Associations between …" as a group row) is not taken for the heading that comes after it.
    """
    found: dict[tuple[str, int], int] = {}
    start = 1
    for section in sections:
        for heading in _scan(section.path, section.text)[0]:
            page = find_page(pages, Place(heading.text, Location(section.path, heading.line), heading.text,
                                          "heading"), start)
            if page is not None:
                found[(section.path, heading.line)] = start = page
    return found


def _page(pages: Sequence[str], place: Place, headings: Mapping[tuple[str, int], int],
          order: Sequence[str]) -> int | None:
    """The page of one place: a heading's from the document-order map, anything else searched from the page
    of the last heading before it (the back matter, after every section, from the last heading's page)."""
    where = (place.source.path, place.source.line)
    if place.kind == "heading" and where in headings:
        return headings[where]
    if place.source.path in order:
        before = [page for (path, line), page in headings.items()
                  if (order.index(path), line) <= (order.index(place.source.path), place.source.line or 0)]
        return find_page(pages, place, max(before, default=1))
    if place.source.path.startswith("manuscript/metadata") and place.find == "Funding":
        return find_page(pages, place, max(headings.values(), default=1))
    return find_page(pages, place)


# ------------------------------------------------------------------ the rows


def checklist_rows(project: Project, sections: Sequence, pdf: Path | None = None, meta=None,
                   labels: Mapping[str, str] | None = None) -> tuple[list[Row], list[Problem]]:
    """Every item of the review's checklists with where it is reported (and the page, given the PDF)."""
    review_type = project.review.review_type
    tagged, problems = tagged_places(sections, review_type)
    mapped, not_applicable, map_problems = mapped_places(project, sections)
    automatic = automatic_places(project, meta, sections, labels or {})
    pages = pdf_pages(pdf) if pdf is not None and Path(pdf).is_file() else None
    headings = heading_pages(pages, sections) if pages is not None else {}
    order = [s.path for s in sections]
    rows = []
    for checklist in checklists_for(review_type):
        for item in checklist.items:
            places = [*tagged.get(item.item, []), *mapped.get(item.item, []), *automatic.get(item.item, [])]
            unique: list[Place] = []
            for place in places:
                if pages is not None:
                    place = Place(place.heading, place.source, place.find, place.kind, place.automatic,
                                  _page(pages, place, headings, order))
                if all(place.heading != u.heading for u in unique):
                    unique.append(place)
            rows.append(Row(checklist.name, item.item, item.section, item.topic, item.text, tuple(unique),
                            not_applicable.get(item.item), item.optional))
    return rows, [*problems, *map_problems]


def uses_checklist(project: Project, sections: Sequence) -> bool:
    """Whether the authors tag checklist items at all (then ``invoke check`` lists those not reported)."""
    return bool(project.review.checklist) or any(_scan(s.path, s.text)[1] for s in sections)


def checklist_problems(project: Project, sections: Sequence, meta=None,
                       labels: Mapping[str, str] | None = None) -> list[Problem]:
    """Tags that name no item (errors) and, once the authors tag items, the items reported nowhere (warnings)."""
    rows, problems = checklist_rows(project, sections, None, meta, labels)
    if not uses_checklist(project, sections):
        return problems
    missing = [r for r in rows if not r.reported and not r.optional]
    if missing:
        names = ", ".join(f"{r.item} ({r.topic})" for r in missing)
        where = project.review.positions.get("checklist", Location("manuscript"))
        problems.append(Problem(where, "checklist", f"{len(missing)} {_names(project.review.review_type)} "
                                f"item{'s are' if len(missing) != 1 else ' is'} reported nowhere: {names}; tag the "
                                'heading or paragraph that reports each ({checklist="N"}), or write '
                                '"N": "not applicable: reason" under checklist: in review.yaml (docs/submission.md)',
                                severity="warning"))
    return problems


# ------------------------------------------------------------------ writing DOCX and PDF


def _cell(text: str) -> str:
    return md_escape(text)  # the texts are plain text: Markdown must print them as they are


def checklist_markdown(rows: Sequence[Row], title: str) -> str:
    """The filled checklist as Markdown: one table per checklist, its citation and licence below."""
    parts = [f"# Reporting checklist: {_cell(title)}\n"]
    for checklist_name in dict.fromkeys(r.checklist for r in rows):
        checklist = next(c for c in (load_checklist(k) for ks in FILES.values() for k in ks)
                         if c.name == checklist_name)
        parts.append(f"## {checklist.title}\n")
        parts.append("| Section and topic | Item | Checklist item | Location where item is reported |")
        # relative widths; the Item column fits "Item", "13a" and "A10" on one line in a portrait DOCX
        parts.append("|:---------|:-----|:--------------------------------|:-------------|")
        for row in (r for r in rows if r.checklist == checklist_name):
            topic = f"{row.section.title()}: {row.topic}" if row.section.lower() != row.topic.lower() \
                else row.topic
            parts.append(f"| {_cell(topic)} | {row.item} | {_cell(row.text)} | {_cell(row.where) or '—'} |")
        # marked as a table note: the PDF keeps it with the table's last row (charter.compile.pandoc.for_typst)
        parts.append(f"\n::: {{.charter-table-note}}\nFrom: {_cell(checklist.citation)} doi:{_cell(checklist.doi)}. "
                     f"Licence: {_cell(checklist.licence)}\n:::\n")
    return "\n".join(parts) + "\n"


# A landscape page and tables that may break across pages: a checklist is one long table.
TYPST_PAGE = """#set page(paper: "a4", flipped: true, margin: (x: 1.5cm, y: 1.5cm), numbering: "1")
#set text(size: 9pt)
#show figure: set block(breakable: true)
#show heading: set block(above: 1.2em, below: 0.8em)
// Each checklist's source note is its table's footer, with the last row: shown once, never alone on a page.
#set table.footer(repeat: false)

"""


def write_checklist(rows: Sequence[Row], out_dir: Path, *, title: str, reference_docx: Path | None = None,
                    formats: Sequence[str] = ("docx", "pdf")) -> list[Path]:
    """Write checklist.docx (pandoc, with the build's reference DOCX) and checklist.pdf (Typst) into out_dir."""
    from charter.compile.pandoc import pandoc_path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = checklist_markdown(rows, title)
    written = []
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        source = Path(tmp) / "checklist.md"
        source.write_text(markdown, encoding="utf-8")
        if "docx" in formats:
            target = Path(tmp) / "checklist.docx"
            args = [pandoc_path(), "--sandbox", str(source), "-o", str(target)]
            if reference_docx is not None:
                args += ["--reference-doc", str(reference_docx)]
            _run(args, "writing the checklist DOCX")
            written.append(target.replace(out_dir / "checklist.docx"))
        if "pdf" in formats:
            typ = Path(tmp) / "checklist.typ"
            body = Path(tmp) / "body.typ"
            from charter.compile.pandoc import for_typst

            tree = Path(tmp) / "checklist.json"
            _run([pandoc_path(), "--sandbox", str(source), "-t", "json", "-o", str(tree)],
                 "reading the checklist")
            tree.write_text(json.dumps(for_typst(json.loads(tree.read_text(encoding="utf-8")))), encoding="utf-8")
            _run([pandoc_path(), "--sandbox", "-f", "json", str(tree), "-t", "typst", "-o", str(body)],
                 "writing the checklist Typst source")
            typ.write_text(TYPST_PAGE + body.read_text(encoding="utf-8"), encoding="utf-8")
            import typst

            from charter.compile.pandoc import CompileError

            pdf = Path(tmp) / "checklist.pdf"
            try:
                typst.compile(str(typ), output=str(pdf), root=tmp)
            except typst.TypstError as error:
                raise CompileError(f"Typst could not compile the checklist: {error}") from error
            written.append(pdf.replace(out_dir / "checklist.pdf"))
    return written


def _run(args: Sequence[str], what: str) -> None:
    from charter.compile.pandoc import DEFAULT_EPOCH, CompileError

    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)}
    process = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if process.returncode != 0:
        raise CompileError(f"pandoc failed while {what}: {process.stderr.strip()}")


def build_checklist(root: Path, out_dir: Path, pdf: Path | None = None) -> tuple[list[Path], list[Row]]:
    """Load the project, locate every item (pages from the built PDF) and write checklist.docx and .pdf."""
    from charter.document.assemble import assemble
    from charter.checking.check import read_sections
    from charter.document.counts import compute_counts
    from charter.sources.load import load_project
    from charter.sources.metadata import read_metadata

    root = Path(root)
    project = load_project(root)
    sections = read_sections(root)
    meta, _ = read_metadata(root)
    labels = {}
    if meta is not None:
        labels = dict(assemble(meta, sections, compute_counts(project), set(project.bibliography.references)).labels)
    pdf = pdf if pdf is not None else root / "build" / "manuscript.pdf"
    rows, _ = checklist_rows(project, sections, pdf, meta, labels)
    reference = next(iter(sorted((root / "build").glob("reference-*.docx"))), None)
    title = meta.title if meta is not None else project.review.title
    return write_checklist(rows, out_dir, title=title, reference_docx=reference), rows
