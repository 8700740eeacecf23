"""Trace co-authors' comments and tracked changes in a returned DOCX back to the source files.

Pipeline: read the returned DOCX (``docx_review``) → find each mark's anchor
(the bookmark the build put around every paragraph, Table 1 cell and title-page
item) → look the anchor up in the manifest (checked first by ``anchors``: a
returned file's map is not trusted) → the source file, line and field.
Where an edit destroyed the anchor, the paragraph's text is matched against
the sources and the location is marked approximate; a location is reported as
exact only when a surviving anchor gives it. Edits to data (a Table 1 cell, the
PRISMA figure, a number a placeholder produced) are flagged: the fix belongs in
the data, not the text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from charter.revision.anchors import BadManifest, check_manifest, placeholder_hits
from charter.revision.apply import apply_changes, is_text_field
from charter.revision.docx_review import (OBJECT, Change, Comment, NotADocx, Paragraph, Position, ReturnedDocument,
                          embed_manifest, printable, read_docx)

__all__ = ["main", "embed_manifest", "review_items", "ReviewItem", "Place"]

MANIFEST_NAME = "manuscript.anchors.json"
# Below this similarity (0–100) a paragraph whose anchor is gone is reported as not traced.
MATCH_THRESHOLD = 60
# Text comparisons one document may cost (paragraph against anchor). A real returned manuscript needs
# some thousands; a crafted one with endless anchorless paragraphs would otherwise take hours. Past
# the budget, paragraphs without an anchor are listed as not traced.
MATCH_BUDGET = 1_000_000
MAX_QUOTE_PARAGRAPHS = 200
EDIT_SOURCE = "edit the source, not the text"


@dataclass(frozen=True)
class Place:
    """Where something in the returned document comes from."""

    path: str = ""  # project-relative file; "" when it could not be traced
    line: int | None = None
    field: str | None = None  # dotted field in a YAML file, or a citation key in a .bib file
    kind: str = ""  # prose, table, metadata, figure, reference
    anchor: str | None = None
    approximate: bool = False

    @property
    def source(self) -> str:
        """``manuscript/02-method.md:41`` for prose, ``studies/x.yaml: findings.1`` for a field."""
        if not self.path:
            return ""
        if self.field:
            return f"{self.path}: {self.field}"
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class ReviewItem:
    """One comment, reply, insertion or deletion, traced to its source."""

    docx: str  # the returned file it came from
    reviewer: str  # the comment's or change's author
    kind: str  # "comment", "reply", "insertion" or "deletion"
    id: str  # comment id, or "change-N" in document order
    date: str
    text: str  # the comment, or the inserted or deleted text
    quote: str  # the text commented on, or the paragraph around a change
    source: str  # e.g. "manuscript/02-method.md:41", "studies/puyat2013.yaml: findings.1"; "" if not traced
    path: str
    line: int | None
    field: str | None
    approximate: bool  # True: the anchor was gone and the place was found by matching text
    edit_source: str  # "" or what to change in the data instead of the text
    reply_to: str | None  # id of the comment this one answers
    paragraph: int  # position in the document, for ordering


# ------------------------------------------------------------------ text helpers


def _plain(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for comparing document and source."""
    text = unicodedata.normalize("NFKD", text.replace(OBJECT, " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().casefold()


_PLACEHOLDER = re.compile(r"\{\{\s*n\.([A-Za-z0-9_.\-]+)[^}]*\}\}")
_CITATION = re.compile(r"\[[^\]]*@[^\]]*\]|(?<![\w.])@[\w:.\-]+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def rendered_guess(entry: dict) -> str:
    """Approximate the text the build rendered from a manifest entry's source text."""
    texts = {p.get("name"): p.get("text", "") for p in entry.get("placeholders") or ()}
    text = _PLACEHOLDER.sub(lambda m: texts.get(m.group(1), ""), entry.get("text") or "")
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _CITATION.sub("", text)
    text = re.sub(r"^\s*(?:[#>]+|[-*+]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"[*_`\\]", "", text)
    return text


def _words_pattern(text: str) -> str:
    """A regex matching text with any whitespace (line breaks included) between its words."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _line_in_block(entry: dict, hints: list[str]) -> int | None:
    """The source line of the first hint found exactly once in the entry's source text."""
    block, first = entry.get("text") or "", entry.get("line")
    if not first:
        return None
    for hint in hints:
        words = hint.replace(OBJECT, " ").split()
        if len(" ".join(words)) < 4:
            continue
        pattern = re.compile(_words_pattern(" ".join(words[:8])))
        match = pattern.search(block)
        if match and not pattern.search(block, match.start() + 1):  # once, overlapping matches counted
            return first + block.count("\n", 0, match.start())
    return first


# ------------------------------------------------------------------ tracing


@dataclass(frozen=True)
class _Context:
    """What tracing needs besides the document: the manifest and the bibliography."""

    anchors: dict  # anchor name -> manifest entry
    references: dict  # citation key -> (bib path, line, first author, year, title)


def _place_of_anchor(name: str, context: _Context, hints: list[str]) -> Place | None:
    """The place an anchor names, or None when it is not one of ours."""
    if name in context.anchors:
        entry = context.anchors[name]
        kind = entry.get("kind", "prose")
        line = _line_in_block(entry, hints) if kind == "prose" else entry.get("line")
        field = entry.get("field") if kind != "prose" else None
        return Place(entry.get("source", ""), line, field, kind, name)
    if name.startswith("ref-") and name[4:] in context.references:
        key = name[4:]
        path, line = context.references[key][:2]
        return Place(path, line, key, "reference", name)
    return None


def _known(anchors: tuple[str, ...], context: _Context) -> list[str]:
    return [a for a in anchors if a in context.anchors or (a.startswith("ref-") and a[4:] in context.references)]


class _Tracer:
    """Trace paragraphs and marks of one document; remembers paragraph results."""

    def __init__(self, document: ReturnedDocument, context: _Context) -> None:
        self.document = document
        self.context = context
        self._paragraph_places: dict[int, Place] = {}
        present = {a for a in document.bookmarks}
        # anchors the build wrote that the co-author's edits removed: the likely homes of orphan text
        self.lost = [a for a in context.anchors if a not in present]
        self._by_place: dict[bool, tuple[dict[str, str], dict[str, str]]] = {}  # see _candidates
        self._text_before: list[int] | None = None
        self._budget = MATCH_BUDGET

    def at_anchors(self, anchors: tuple[str, ...], hints: list[str]) -> Place | None:
        """The innermost of our anchors among those open at one point (outermost first)."""
        known = _known(anchors, self.context)
        return _place_of_anchor(known[-1], self.context, hints) if known else None

    def at_first(self, stretches: tuple[tuple[str, ...], ...], hints: list[str]) -> Place | None:
        """The place of the first stretch of text that lies inside one of our anchors."""
        for anchors in stretches:
            place = self.at_anchors(anchors, hints)
            if place:
                return place
        return None

    def paragraph(self, index: int, hints: list[str]) -> Place:
        """Where a paragraph comes from: its one anchor, else text matching (approximate)."""
        paragraph = self.document.paragraphs[index]
        known = _known(paragraph.anchors, self.context)
        if len(known) == 1 and self.context.anchors.get(known[0], {}).get("kind") == "table":
            # text of a Table 1 cell outside every field's span (the study's citation): the row's
            # study file is certain, the field is not
            entry = self.context.anchors[known[0]]
            return Place(entry.get("source", ""), None, None, "table", known[0])
        if len(known) == 1:
            return _place_of_anchor(known[0], self.context, hints) or Place()
        if known:
            # two anchors in one paragraph: paragraphs were merged; name the first, but do not claim it
            place = _place_of_anchor(known[0], self.context, hints)
            return replace(place, approximate=True) if place else Place()
        if index not in self._paragraph_places:
            self._paragraph_places[index] = self._match_text(paragraph, hints)
        return self._paragraph_places[index]

    def _match_text(self, paragraph: Paragraph, hints: list[str]) -> Place:
        text = _plain(paragraph.original)
        if not text:
            # a paragraph the co-author inserted: it belongs with the paragraph before it that has text
            before = self._with_text_before(paragraph.index)
            if before < 0:
                return Place()
            place = self.paragraph(before, [])
            return replace(place, approximate=True) if place.path else place
        reference = self._match_reference(text)
        if reference:
            return reference
        lost, names = self._candidates(paragraph.in_table)
        best = self._best_entry(text, lost) or self._best_entry(text, names)
        if not best:
            return Place()
        place = _place_of_anchor(best, self.context, hints + [paragraph.original])
        return replace(place, approximate=True) if place else Place()

    def _with_text_before(self, index: int) -> int:
        """The index of the last paragraph before this one that has text, or -1."""
        if self._text_before is None:  # once per document, not once per empty paragraph
            self._text_before, last = [], -1
            for number, paragraph in enumerate(self.document.paragraphs):
                self._text_before.append(last)
                if _plain(paragraph.original):
                    last = number
        return self._text_before[index]

    def _candidates(self, in_table: bool) -> tuple[dict[str, str], dict[str, str]]:
        """Anchors a paragraph may have come from, as {name: plain rendered text}: the lost ones, and all.

        A Table 1 cell can only have come from a study field, and prose only from prose or the title page.
        """
        if in_table not in self._by_place:
            rendered = {name: _plain(rendered_guess(entry)) for name, entry in self.context.anchors.items()
                        if entry.get("text") and (entry.get("kind") == "table") == in_table}
            lost = {name: rendered[name] for name in self.lost if name in rendered}
            self._by_place[in_table] = (lost, rendered)
        return self._by_place[in_table]

    def _best_entry(self, text: str, choices: dict[str, str]) -> str | None:
        """The anchor whose text the paragraph's is closest to (the first of equals), if close enough."""
        self._budget -= len(choices)
        if self._budget < 0:  # a crafted file: stop matching rather than run for hours
            return None
        best = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=MATCH_THRESHOLD)
        return best[2] if best else None

    def _match_reference(self, text: str) -> Place | None:
        """A reference-list entry: first author, year and title all found in the paragraph."""
        found = []
        for key, (path, line, author, year, title) in self.context.references.items():
            if author and _plain(author) in text and year and year in text and title:
                if fuzz.partial_ratio(_plain(title), text) >= 90:
                    found.append(Place(path, line, key, "reference", None, approximate=True))
        return found[0] if len(found) == 1 else None


def _quote(document: ReturnedDocument, start: Position | None,
           end: Position | None) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """The text between two points as the co-author sees it, and the anchors open on each stretch of it."""
    if start is None or end is None:
        return "", ()
    texts, anchors = [], []
    # a comment spanning the whole document is quoted from its first paragraphs only
    last = min(end.paragraph, len(document.paragraphs) - 1, start.paragraph + MAX_QUOTE_PARAGRAPHS)
    for index in range(start.paragraph, last + 1):
        offset, parts = 0, []
        for piece in document.paragraphs[index].pieces:
            lo, hi = offset, offset + len(piece.text)
            offset = hi
            from_ = start.offset if index == start.paragraph else 0
            to = end.offset if index == end.paragraph else 10**9
            if hi <= from_ or lo >= to:
                continue
            anchors.append(piece.anchors)
            if piece.status != "deleted":
                parts.append(piece.text[max(from_ - lo, 0):max(min(to, hi) - lo, 0)])
        texts.append("".join(parts))
    quote = "\n".join(t for t in texts if t).replace(OBJECT, "[image]")
    return quote.strip(), tuple(anchors)


def _marked(pieces) -> str:
    return "".join(p.text if p.status == "same" else f"[-{p.text}-]" if p.status == "deleted" else f"{{+{p.text}+}}"
                   for p in pieces)


def change_in_context(paragraph: Paragraph, change: Change, width: int = 40) -> str:
    """The change inside its paragraph, all tracked changes marked: "and [-more-]{+less+} text…"."""
    first, last = change.pieces[0], change.pieces[-1]
    before = _marked(paragraph.pieces[:first])
    after = _marked(paragraph.pieces[last + 1:])
    middle = _marked(paragraph.pieces[first:last + 1])
    cut_before = len(before) > width
    cut_after = len(after) > width
    text = (("…" + before[-width:].lstrip()) if cut_before else before) + middle + (
        (after[:width].rstrip() + "…") if cut_after else after)
    return text.replace(OBJECT, "[image]").strip()


_COUNT_ORIGINS = (
    ("included", "the number of study files in studies/"),
    ("reports", "studies/*.yaml: reports (plus one main report per study)"),
    ("themes", "review.yaml: themes"),
    ("questions", "review.yaml: questions"),
    ("question.", "studies/*.yaml: questions"),
    ("samples", "studies/*.yaml: participants.samples"),
    ("participants.", "studies/*.yaml: participants.n (or the n of its samples)"),
    ("theme.", "studies/*.yaml: theme"),
    ("subtheme.", "studies/*.yaml: subtheme"),
    ("orientation.", "studies/*.yaml: design.orientation"),
    ("countries", "studies/*.yaml: country"),
    ("country.", "studies/*.yaml: country"),
    ("country_group.", "review.yaml: country_groups and studies/*.yaml: country"),
    ("keyword.", "studies/*.yaml: keywords"),
    ("databases", "review.yaml: prisma.databases"),
    ("prisma.identified", "review.yaml: prisma.database_records (or the records per database)"),
    ("prisma.database.", "review.yaml: prisma.databases"),
    ("prisma.dbr_excluded_reason.", "review.yaml: prisma.dbr_excluded_reasons"),
)


def count_origin(name: str) -> str:
    """Where the data behind a count lives: 'studies/*.yaml: design.orientation' for 'orientation.qualitative'."""
    for prefix, origin in _COUNT_ORIGINS:
        if name == prefix or (prefix.endswith(".") and name.startswith(prefix)):
            return origin
    if name.startswith("prisma."):
        return f"review.yaml: prisma.{name.split('.', 1)[1]}"
    return f"studies/*.yaml: {name.split('.')[0]}"


def _data_flag(place: Place, context: _Context, change: Change | None, original: str) -> str:
    """What to change in the data instead of the text, for a change that edits data; else ''."""
    if change is None:
        return ""
    if place.kind == "table" and not is_text_field(place.field):  # a study's text field: --apply writes it there
        return f"{EDIT_SOURCE}: change {place.source}, then rebuild"
    if place.kind == "figure":
        return f"{EDIT_SOURCE}: change the PRISMA numbers in {place.path}: {place.field}, then rebuild"
    if place.kind == "prose" and place.anchor in context.anchors:
        entry = context.anchors[place.anchor]
        hits = placeholder_hits(entry, original, change.start, change.end,
                                change.text if change.kind == "insertion" else "")
        if hits:
            described = "; ".join(
                f"{h.get('text')!r} is {{{{ n.{h.get('name')} }}}}, counted from {count_origin(h.get('name', ''))}"
                for h in hits)
            return f"{EDIT_SOURCE}: {described}; change the data, then rebuild"
    return ""


def review_items(document: ReturnedDocument, manifest: dict, references: dict, docx_name: str) -> list[ReviewItem]:
    """Every comment, reply, insertion and deletion of one returned document, traced to its source.

    ``references`` maps citation key -> (bib path, line, first author, year, title).
    """
    context = _Context(dict((manifest or {}).get("anchors") or {}), references)
    tracer = _Tracer(document, context)
    items: list[ReviewItem] = []

    parents = dict(document.reply_parents)
    if not document.threads_recorded:
        parents = _infer_threads(document.comments)
    by_id = {c.id: c for c in document.comments}
    comment_places: dict[str, tuple[Place, str, int]] = {}
    for comment in document.comments:
        quote, anchors = _quote(document, comment.start, comment.end)
        paragraph = comment.start.paragraph if comment.start else -1
        place = tracer.at_first(anchors, [quote])
        if place is None and comment.start:
            place = tracer.at_anchors(comment.start.anchors, [quote])
        if place is None and 0 <= paragraph < len(document.paragraphs):
            place = tracer.paragraph(paragraph, [quote])
        comment_places[comment.id] = (place or Place(), quote, paragraph)

    for comment in document.comments:
        parent = parents.get(comment.id)
        place, quote, paragraph = comment_places[comment.id]
        root = parent
        while root in parents:  # a reply to a reply: locate by the thread's first comment
            root = parents[root]
        if parent and (not place.path or comment.start is None) and root in comment_places:
            place, quote, paragraph = comment_places[root]
        items.append(ReviewItem(
            docx=docx_name, reviewer=comment.author, kind="reply" if parent else "comment", id=comment.id,
            date=comment.date, text=comment.text, quote=quote, source=place.source, path=place.path,
            line=place.line, field=place.field, approximate=place.approximate, edit_source="",
            reply_to=parent if parent in by_id else None, paragraph=paragraph))

    for number, change in enumerate(document.changes, start=1):
        paragraph = document.paragraphs[change.paragraph]
        original = paragraph.original
        hints = [change.text if change.kind == "deletion" else "",
                 original[max(change.start - 30, 0):change.start], original[change.end:change.end + 30]]
        place = tracer.at_anchors(change.anchors, hints) or tracer.paragraph(change.paragraph, hints)
        if place.path and not original.strip():
            place = replace(place, approximate=True)  # a paragraph of new text: the file is known, its line is not
        items.append(ReviewItem(
            docx=docx_name, reviewer=change.author, kind=change.kind, id=f"change-{number}", date=change.date,
            text=change.text.replace(OBJECT, "[image]"), quote=change_in_context(paragraph, change),
            source=place.source, path=place.path, line=place.line, field=place.field,
            approximate=place.approximate, edit_source=_data_flag(place, context, change, original),
            reply_to=None, paragraph=change.paragraph))
    return items


def _infer_threads(comments: tuple[Comment, ...]) -> dict[str, str]:
    """Replies from a file whose writer dropped the thread links (LibreOffice 7.x).

    LibreOffice keeps a reply as a comment on exactly the same text as the one it
    answers; the earliest comment on a stretch of text starts the thread.
    """
    groups: dict[tuple, list[Comment]] = {}
    for comment in comments:
        if comment.start and comment.end:
            key = (comment.start.paragraph, comment.start.offset, comment.end.paragraph, comment.end.offset)
            groups.setdefault(key, []).append(comment)
    parents = {}
    for group in groups.values():
        ordered = sorted(group, key=lambda c: c.date)
        for reply in ordered[1:]:
            parents[reply.id] = ordered[0].id
    return parents


# ------------------------------------------------------------------ inputs at the edge


def load_references(root: Path) -> dict:
    """Citation key -> (bib path, line, first author, year, title) for every entry in bib/*.bib."""
    from charter.sources.bibtex import latex_to_unicode, scan_bibtex

    references = {}
    for bib in sorted((root / "bib").glob("*.bib")):
        relative = bib.relative_to(root).as_posix()
        try:
            entries, _problems = scan_bibtex(relative, bib.read_text(encoding="utf-8", errors="replace"))
        except Exception:  # a broken .bib is `invoke check`'s to report; here it only costs matching
            continue
        for entry in entries:
            title = latex_to_unicode(entry.fields.get("title", ""))
            references.setdefault(entry.key, (relative, entry.location.line or None, entry.first_author,
                                              entry.year, title))
    return references


def load_manifest(root: Path, document: ReturnedDocument, docx: Path) -> tuple[dict | None, str]:
    """The anchor manifest: the one inside the returned file, else build/'s; and a warning or ''.

    Raises BadManifest when the map that would be used is damaged or points outside the sources.
    """
    if document.manifest is not None:
        return {"version": 1, "anchors": check_manifest(document.manifest)}, ""
    fallback = root / "build" / MANIFEST_NAME
    if fallback.is_file() and not fallback.is_symlink():
        try:
            built = json.loads(fallback.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise BadManifest(f"build/{MANIFEST_NAME} cannot be read ({error}); run `invoke build` again") from None
        try:
            anchors = check_manifest(built)
        except BadManifest as error:
            raise BadManifest(f"its own anchor map is gone and build/{MANIFEST_NAME} cannot be used: {error}") from None
        return {"version": 1, "anchors": anchors}, (
            f"{docx}: the anchor map is not inside this file (its editor dropped it); using build/{MANIFEST_NAME}, "
            "which fits only if you have not rebuilt since you sent the file out")
    return None, (
        f"{docx}: the anchor map is not inside this file and build/{MANIFEST_NAME} does not exist, "
        "so nothing can be traced to its source; run `invoke build` on the version you sent out, then try again")


# ------------------------------------------------------------------ output


def _merge(items: list[ReviewItem]) -> list[ReviewItem]:
    """Drop repeats of the same remark carried over from one returned file into another."""
    seen, merged = set(), []
    for item in items:
        key = (item.kind, item.reviewer, item.date, item.text, item.source, item.quote)
        if key not in seen:
            seen.add(key)
            merged.append(item)
    return merged


def _grouped(items: list[ReviewItem]) -> dict[str, list[ReviewItem]]:
    """Items by source file, files in the order the document first mentions them, untraced last."""
    groups: dict[str, list[ReviewItem]] = {}
    for item in sorted(items, key=lambda i: (i.path == "", i.paragraph)):
        groups.setdefault(item.path, []).append(item)
    for path, members in groups.items():
        members.sort(key=lambda i: (i.line or 0, i.paragraph))
    return groups


def _short_date(date: str) -> str:
    return date.replace("T", " ")[:16] if date else "no date"


def format_text(items: list[ReviewItem]) -> str:
    """The list for reading: grouped by source file, replies under their comment."""
    if not items:
        return "No comments or tracked changes found.\n"
    lines = []
    by_id = {(i.docx, i.id): i for i in items}
    replies: dict[tuple, list[ReviewItem]] = {}
    for item in items:
        if item.reply_to and (item.docx, item.reply_to) in by_id:
            replies.setdefault((item.docx, item.reply_to), []).append(item)
    several = len({i.docx for i in items}) > 1
    for path, members in _grouped(items).items():
        lines.append(path or "Not traced to a source (find the quoted text by hand)")
        for item in members:
            if item.reply_to and (item.docx, item.reply_to) in by_id:
                continue
            lines.extend(_item_lines(item, several, "  "))
            for reply in sorted(replies.get((item.docx, item.id), []), key=lambda r: r.date):
                lines.extend(_item_lines(reply, several, "      "))
        lines.append("")
    return "\n".join(lines)


def _item_lines(item: ReviewItem, several: bool, indent: str) -> list[str]:
    where = item.field or (f"line {item.line}" if item.line else "") or ("?" if not item.path else "")
    flags = " (approximate: anchor lost, found by matching text)" if item.approximate else ""
    origin = f" [{item.docx}]" if several else ""
    head = (f"{indent}{where + '  ' if where else ''}{item.kind} by {item.reviewer or 'unknown'}, "
            f"{_short_date(item.date)}{origin}{flags}")
    out = [head]
    if item.kind in ("comment", "reply"):
        if item.quote and item.kind == "comment":
            out.append(f"{indent}    on: \"{_shortened(item.quote)}\"")
        out.append(f"{indent}    {item.text}")
    else:
        out.append(f"{indent}    {'inserted' if item.kind == 'insertion' else 'deleted'}: \"{item.text}\"")
        out.append(f"{indent}    in: \"{item.quote}\"")
    if item.edit_source:
        out.append(f"{indent}    ! {item.edit_source}")
    return out


def _shortened(text: str, width: int = 160) -> str:
    """Long quotes cut in the middle for reading; CSV and JSON keep them whole."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width // 2 - 1].rstrip() + " … " + text[-(width // 2 - 2):].lstrip()


CSV_COLUMNS = ("docx", "reviewer", "kind", "id", "reply_to", "date", "source", "path", "line", "field",
               "approximate", "text", "quote", "edit_source")


def format_csv(items: list[ReviewItem]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for item in _ordered(items):
        writer.writerow(asdict(item))
    return buffer.getvalue()


def format_json(items: list[ReviewItem]) -> str:
    items_json = [asdict(i) for i in _ordered(items)]
    return json.dumps({"version": 1, "items": items_json}, ensure_ascii=False, indent=2) + "\n"


def _ordered(items: list[ReviewItem]) -> list[ReviewItem]:
    return [item for members in _grouped(items).values() for item in members]


FORMATS = {"text": format_text, "csv": format_csv, "json": format_json}


def collect(root: Path, paths: list[str], applying: bool = False) -> tuple[list[ReviewItem], list[str], dict]:
    """Read every returned file; return the merged items, messages, and {path: (document, manifest)}.

    A file that cannot be read, or whose anchor map is damaged or points outside
    the review's sources, is left out with a message saying so.
    """
    references = load_references(root)
    items, messages, documents = [], [], {}
    outcome = "nothing was written" if applying else "nothing in it is listed"
    for name in paths:
        path = Path(name)
        if not path.is_file():
            messages.append(f"{name}: no such file; give the path of the DOCX a co-author returned")
            continue
        try:
            document = read_docx(path)
        except NotADocx as error:
            messages.append(str(error))
            continue
        try:
            manifest, warning = load_manifest(root, document, path)
        except BadManifest as error:
            messages.append(f"{name}: {error}; {outcome}. The anchor map in a returned file must be the one "
                            "`invoke build` wrote; ask for the file again or trace the remarks by hand")
            continue
        if warning:
            messages.append(warning)
        documents[name] = (document, manifest)
        items.extend(review_items(document, manifest or {}, references, path.name))
    return _merge(items), messages, documents


def main(root, paths: list[str], fmt: str = "text", apply: bool = False, force: bool = False) -> int:
    """List the comments and tracked changes in returned DOCX files; with apply, write prose edits back.

    With apply, nothing is written unless every file named could be read and trusted.
    """
    root = Path(root)
    if fmt not in FORMATS:
        print(f"unknown format {fmt!r}: use text, csv or json", file=sys.stderr)
        return 2
    items, messages, documents = collect(root, paths, applying=apply)
    for message in messages:
        print(printable(message), file=sys.stderr)
    if not documents:
        return 1
    sys.stdout.write(FORMATS[fmt](items) if fmt == "json" else printable(FORMATS[fmt](items)))
    failed = len(documents) < len(paths)
    if apply and failed:
        print("Nothing was applied: every returned file named must be readable and trusted before any change is "
              "written; remove or replace the files named above and run again.", file=sys.stderr)
    elif apply and not apply_changes(root, documents, force=force,
                                     out=sys.stdout if fmt == "text" else sys.stderr):
        failed = True
    return 1 if failed else 0
