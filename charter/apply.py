"""Write co-authors' tracked changes back to the sources (``invoke review --apply``).

Only what can be placed without guessing is applied: a tracked change inside
one prose paragraph whose anchor survived, or inside a Table 1 cell that shows
exactly one text field of a study file. The changed text, with as many whole
words around it as it takes to be unique, must occur exactly once in the
source paragraph (or field); the paragraph must still read as it did when the
DOCX was built. Anything else is refused with its reason and left for the
author. A file with uncommitted changes is not touched unless ``force``.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from .docx_review import OBJECT, Paragraph, ReturnedDocument
from .review import placeholder_hits

# Characters that mean something in Markdown: text containing them is not inserted blindly.
MARKDOWN_SPECIAL = set("*_[]{}<>@`#|~^\\$")
MAX_CONTEXT_WORDS = 8
TEXT_FIELDS = ("research_question", "design.method", "participants.description", "validity.internal",
               "validity.external", "findings.")


@dataclass(frozen=True)
class Edit:
    """One run of adjacent tracked changes, to be written into one source block or field."""

    path: str  # project-relative source file
    line: int  # first line of the block (prose) or of the field (study file)
    field: str | None  # dotted field for a study file; None for prose
    block: str  # the block's source text when the DOCX was built (prose only)
    paragraph: str  # the paragraph's text as built (tracked changes undone)
    start: int  # [start, end) of the replaced text in ``paragraph``
    end: int
    new: str
    reviewer: str
    placeholders: tuple[str, ...] = ()  # what the block's placeholders rendered, in order

    @property
    def old(self) -> str:
        return self.paragraph[self.start:self.end]

    @property
    def where(self) -> str:
        return f"{self.path}: {self.field}" if self.field else f"{self.path}:{self.line}"

    def describe(self) -> str:
        return f"{self.reviewer}: \"{self.old}\" → \"{self.new}\""


@dataclass(frozen=True)
class Refusal:
    where: str
    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: not applied ({self.what}): {self.reason}"


# ------------------------------------------------------------------ planning (pure)


def _groups(paragraph: Paragraph) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Runs of adjacent changed pieces: (start, end in the original text, new text, anchors)."""
    runs, offset, current = [], 0, None
    for piece in paragraph.pieces:
        if piece.status == "same":
            if current:
                runs.append(current)
                current = None
            offset += len(piece.text)
            continue
        if current is None:
            current = [offset, offset, "", piece.anchors]
        if piece.status == "deleted":
            offset += len(piece.text)
            current[1] = offset
        else:
            current[2] += piece.text
        current[3] = tuple(dict.fromkeys(current[3] + piece.anchors))
    if current:
        runs.append(current)
    return [tuple(run) for run in runs]


def plan_edits(document: ReturnedDocument, manifest: dict, authors: dict) -> tuple[list[Edit], list[Refusal]]:
    """Decide which tracked changes can be written back, and why the others cannot.

    ``authors`` maps (paragraph index, start offset) -> the reviewer of the change there.
    """
    anchors = dict((manifest or {}).get("anchors") or {})
    edits, refusals = [], []
    for paragraph in document.paragraphs:
        if not any(p.status != "same" for p in paragraph.pieces):
            continue
        for start, end, new, piece_anchors in _groups(paragraph):
            reviewer = authors.get((paragraph.index, start), "")
            what = f"{reviewer}: \"{paragraph.original[start:end]}\" → \"{new}\""
            ours = [a for a in piece_anchors if a in anchors] or [a for a in paragraph.anchors if a in anchors]
            if len(set(ours)) != 1:
                refusals.append(Refusal(f"paragraph \"{paragraph.original[:50].strip()}…\"", what,
                                        "its paragraph's anchor is gone or shared, so its source line is not "
                                        "certain; make this change by hand"))
                continue
            name = ours[-1]
            entry = anchors[name]
            where = f"{entry.get('source')}:{entry.get('line')}" if entry.get("kind") == "prose" else (
                f"{entry.get('source')}: {entry.get('field')}")
            refusal = _refuse(entry, paragraph, start, end, new)
            if refusal:
                refusals.append(Refusal(where, what, refusal))
                continue
            text, lo = paragraph.original, 0
            if entry.get("kind") == "table":
                # a cell may show several fields: the edit applies to this field's stretch only
                lo, hi = _anchor_span(paragraph, name)
                if not (lo <= start and end <= hi):
                    refusals.append(Refusal(where, what, "it crosses from one field of the cell into another; "
                                                         "make this change by hand"))
                    continue
                text = text[lo:hi]
            edits.append(Edit(entry.get("source", ""), int(entry.get("line") or 0),
                              entry.get("field") if entry.get("kind") == "table" else None,
                              entry.get("text") or "", text, start - lo, end - lo, new, reviewer,
                              tuple(p.get("text", "") for p in entry.get("placeholders") or ())))
    return edits, refusals


def _anchor_span(paragraph: Paragraph, name: str) -> tuple[int, int]:
    """[lo, hi) of the paragraph's original text that lies inside the named anchor."""
    offset, lo, hi = 0, None, None
    for piece in paragraph.pieces:
        length = 0 if piece.status == "inserted" else len(piece.text)
        if name in piece.anchors:
            lo = offset if lo is None else lo
            hi = offset + length
        offset += length
    return (lo or 0, hi if hi is not None else len(paragraph.original))


def _refuse(entry: dict, paragraph: Paragraph, start: int, end: int, new: str) -> str:
    """Why this change cannot be applied safely, or '' when it can."""
    kind = entry.get("kind")
    if kind == "figure":
        return "it edits the PRISMA figure; change the numbers in review.yaml: prisma instead"
    if kind == "metadata":
        return f"title-page items are not applied; change manuscript/metadata.yaml: {entry.get('field')} by hand"
    if kind == "table":
        field = entry.get("field") or ""
        if not any(field == f or (f.endswith(".") and field.startswith(f)) for f in TEXT_FIELDS):
            return f"it changes data; edit {entry.get('source')}: {field} instead"
    elif kind != "prose":
        return f"anchors of kind {kind!r} are not applied"
    hits = placeholder_hits(entry, paragraph.original, start, end, new) if kind == "prose" else []
    if hits:
        return f"it changes a number made by {{{{ n.{hits[0].get('name')} }}}}; change the data instead"
    if OBJECT in new or OBJECT in paragraph.original[start:end]:
        return "it inserts or deletes an image or object"
    if "\n" in new:
        return "it inserts a line or paragraph break; make this change by hand"
    special = sorted(MARKDOWN_SPECIAL & set(new))
    if special and kind == "prose":
        return f"the new text contains {' '.join(special)}, which Markdown reads as markup; make this change by hand"
    return ""


# ------------------------------------------------------------------ locating text in a source


def _pattern(text: str) -> str:
    """Regex for text with any run of whitespace (line breaks included) where it has whitespace."""
    return "".join(r"\s+" if part.isspace() else re.escape(part) for part in re.split(r"(\s+)", text) if part)


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\S+", text)]


def locate(block: str, paragraph: str, start: int, end: int) -> tuple[int, int] | str:
    """Where paragraph[start:end] is in the block's source: (lo, hi), or why it cannot be placed.

    Whole words of context are added on each side until the text occurs exactly
    once in the block; the changed stretch is then the part between the contexts.
    """
    starts = _word_starts(paragraph)
    ends = [m.end() for m in re.finditer(r"\S+", paragraph)]
    # begin and finish on word boundaries, so "more" never matches inside "furthermore"
    left_choices = sorted({s for s in starts if s <= start}, reverse=True)
    right_choices = sorted({e for e in ends if e >= end})
    if not left_choices or (start < len(paragraph) and paragraph[start - 1:start].isspace()):
        left_choices = [start] + left_choices
    if not right_choices or paragraph[end:end + 1].isspace():
        right_choices = [end] + right_choices
    seen = 0
    for k in range(MAX_CONTEXT_WORDS + 1):
        lo = left_choices[min(k, len(left_choices) - 1)]
        hi = right_choices[min(k, len(right_choices) - 1)]
        if not paragraph[lo:hi].strip():
            continue
        pattern = (r"(?<!\w)" if lo == 0 or not paragraph[lo - 1].isalnum() else "") + \
            f"({_pattern(paragraph[lo:start])})({_pattern(paragraph[start:end])})({_pattern(paragraph[end:hi])})" + \
            (r"(?!\w)" if hi == len(paragraph) or not paragraph[hi].isalnum() else "")
        found = _all_matches(re.compile(pattern), block)
        if len(found) == 1:
            return found[0].start(2), found[0].end(2)
        seen = max(seen, len(found))
        if lo == left_choices[-1] and hi == right_choices[-1]:
            break
    if seen:
        return "the changed text occurs more than once in the source paragraph, even with the words around it"
    return ("the changed text is not literally in the source paragraph (markup, a citation or a placeholder "
            "sits inside it)")


_PLACEHOLDER = re.compile(r"\{\{\s*n\.[^{}]*\}\}")


def _filled(source: str, placeholders: tuple[str, ...]) -> str | None:
    """The source block with its placeholders replaced by what they rendered; None if they do not line up."""
    found = list(_PLACEHOLDER.finditer(source))
    if len(found) != len(placeholders):
        return None
    for match, shown in zip(reversed(found), reversed(placeholders)):
        source = source[:match.start()] + shown + source[match.end():]
    return source


def _all_matches(pattern: re.Pattern, text: str, limit: int = 2) -> list[re.Match]:
    """Matches starting at every position, overlapping ones included (finditer skips those: "a a" in "a a a")."""
    found, position = [], 0
    while len(found) < limit:
        match = pattern.search(text, position)
        if match is None:
            break
        found.append(match)
        position = match.start() + 1
    return found


def _find_block(text: str, block: str, line: int, placeholders: tuple[str, ...] = ()) -> tuple[int, int] | None:
    """(start, end) of the source block in the file, if it still reads as when the DOCX was built.

    The manifest keeps the block as built (placeholders filled in) or as written;
    the lines at the block's line must give it either way.
    """
    lines = text.splitlines(keepends=True)
    count = block.count("\n") + 1
    if line >= 1 and line - 1 + count <= len(lines):
        at = sum(len(x) for x in lines[:line - 1])
        here = "".join(lines[line - 1:line - 1 + count]).rstrip("\r\n")
        if here == block.rstrip("\n") or _filled(here, placeholders) == block.rstrip("\n"):
            return at, at + len(here)
    at = text.find(block)
    if block.strip() and at >= 0 and text.find(block, at + 1) < 0:
        return at, at + len(block)
    return None


def apply_to_prose(text: str, edits: list[Edit]) -> tuple[str, list[Refusal]]:
    """Apply prose edits (all for one file) to its text; return the new text and the refusals."""
    refusals = []
    spans: dict[tuple[int, str], tuple[int, int]] = {}  # (line, built text) -> where the block is in the file
    blocks: dict[tuple[int, str], str] = {}  # (line, built text) -> its source text, edits so far applied
    for edit in edits:
        key = (edit.line, edit.block)
        if key not in blocks:
            span = _find_block(text, edit.block, edit.line, edit.placeholders)
            if span is None:
                refusals.append(Refusal(edit.where, edit.describe(),
                                        "the paragraph has changed in the source since the DOCX was built; "
                                        "make this change by hand"))
                continue
            spans[key], blocks[key] = span, text[span[0]:span[1]]
        found = locate(blocks[key], edit.paragraph, edit.start, edit.end)
        if isinstance(found, str):
            refusals.append(Refusal(edit.where, edit.describe(), found + "; make this change by hand"))
            continue
        lo, hi = found
        blocks[key] = blocks[key][:lo] + edit.new + blocks[key][hi:]
    # put the edited blocks back, last first so earlier offsets stay valid
    for key, (lo, hi) in sorted(spans.items(), key=lambda item: item[1][0], reverse=True):
        text = text[:lo] + blocks[key] + text[hi:]
    return text, refusals


def apply_to_study(text: str, edit: Edit) -> tuple[str, str]:
    """Apply an edit in one text field of a study file; return (new text, '') or (text, why not)."""
    try:
        before = yaml.safe_load(text)
    except yaml.YAMLError:
        return text, "the study file does not parse; fix it first (invoke check)"
    container, key, value = _field(before, edit.field or "")
    if not isinstance(value, str) or " ".join(value.split()) != " ".join(edit.paragraph.split()):
        return text, (f"the cell does not show {edit.field} alone, or the file has changed since the build; "
                      f"edit {edit.path}: {edit.field} by hand")
    expected = edit.paragraph[:edit.start] + edit.new + edit.paragraph[edit.end:]
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:max(edit.line - 1, 0)])
    found = locate(text[start:], edit.paragraph, edit.start, edit.end)
    if isinstance(found, str):
        return text, found.replace("source paragraph", "study file") + f"; edit {edit.path}: {edit.field} by hand"
    lo, hi = found[0] + start, found[1] + start
    after_text = text[:lo] + edit.new + text[hi:]
    try:
        after = yaml.safe_load(after_text)
    except yaml.YAMLError:
        after = None
    wanted = yaml.safe_load(text)
    container2, key2, _ = _field(wanted, edit.field or "")
    container2[key2] = expected
    if after != wanted:  # quoting, folding or an escape made the text mean something else
        return text, f"it could not be written into the YAML safely; edit {edit.path}: {edit.field} by hand"
    return after_text, ""


def _field(data, dotted: str):
    """(container, key, value) of a dotted field; list items are numbered from 0 ("findings.0"), as the build does."""
    container, key = None, None
    value = data
    for part in dotted.split("."):
        container = value
        if isinstance(value, list) and part.isdigit():
            key = int(part)
            value = value[key] if 0 <= key < len(value) else None
        elif isinstance(value, dict):
            key = part
            value = value.get(part)
        else:
            return None, None, None
    return container, key, value


# ------------------------------------------------------------------ writing (the edge)


def _uncommitted(root: Path, path: str) -> str:
    """'' when git says the file has no uncommitted changes; else why it may not be touched."""
    try:
        result = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", path],
                                capture_output=True, text=True, check=False)
    except OSError:
        return "git is not installed, so uncommitted changes cannot be ruled out; commit first or use --force"
    if result.returncode != 0:
        return "the project is not a git repository, so the change could not be undone; use --force to apply anyway"
    if result.stdout.strip():
        return "the file has uncommitted changes; commit them first, or use --force"
    return ""


def apply_changes(root: Path, documents: dict, force: bool = False, out: TextIO | None = None) -> bool:
    """Apply the safe tracked changes of every returned document; print diffs and refusals. True if none refused."""
    import sys

    out = out or sys.stdout
    refusals: list[Refusal] = []
    by_file: dict[str, list[Edit]] = {}
    for document, manifest in documents.values():
        authors = _authors(document)
        edits, refused = plan_edits(document, manifest, authors)
        refusals.extend(refused)
        for edit in edits:
            by_file.setdefault(edit.path, []).append(edit)

    applied = 0
    for path, edits in by_file.items():
        blocked = "" if force else _uncommitted(root, path)
        if blocked:
            refusals.extend(Refusal(e.where, e.describe(), blocked) for e in edits)
            continue
        file = root / path
        if not file.is_file():
            refusals.extend(Refusal(e.where, e.describe(), f"{path} does not exist") for e in edits)
            continue
        before = file.read_text(encoding="utf-8")
        text = before
        prose = [e for e in edits if e.field is None]
        if prose:
            text, refused = apply_to_prose(text, prose)
            refusals.extend(refused)
            applied += len(prose) - len(refused)
        for edit in (e for e in edits if e.field is not None):
            text, why = apply_to_study(text, edit)
            if why:
                refusals.append(Refusal(edit.where, edit.describe(), why))
            else:
                applied += 1
        if text != before:
            out.writelines(difflib.unified_diff(before.splitlines(keepends=True), text.splitlines(keepends=True),
                                                fromfile=f"a/{path}", tofile=f"b/{path}"))
            file.write_text(text, encoding="utf-8")
    out.write(f"Applied {applied} tracked change{'s' if applied != 1 else ''} to the sources.\n")
    for refusal in refusals:
        out.write(f"{refusal}\n")
    return not refusals


def _authors(document: ReturnedDocument) -> dict:
    """(paragraph, start offset in the original text) -> who made the change there."""
    authors = {}
    for change in document.changes:
        authors.setdefault((change.paragraph, change.start), change.author)
    return authors
