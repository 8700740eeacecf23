"""Write co-authors' tracked changes back to the sources (``invoke review --apply``).

Only what can be placed without guessing is applied: a tracked change inside
one prose paragraph whose anchor survived, or inside a Table 1 cell that shows
exactly one text field of a study file. The changed text, with as many whole
words around it as it takes to be unique, must occur exactly once in the
source paragraph (or field); the paragraph must still read as it did when the
DOCX was built. Anything else is refused with its reason and left for the
author. A file with uncommitted changes is not touched unless ``force``.

The returned file is not trusted: its anchor map only says which anchor a change
sits in. A change is written only into a current source of this review (a
section, or a study file's text field), a regular file inside the project
folder, at a block or field whose text the current source still has. An anchor
pointing anywhere else (tasks.py, .git/, a path out of the folder, a symbolic
link) stops the whole run before anything is written, ``force`` or not. A file
keeps its encoding, BOM, line endings and final newline byte for byte outside
the edited words, and is replaced atomically.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from charter.revision.anchors import BadManifest, check_manifest, placeholder_hits, source_kind
from charter.document.assemble import split_blocks
from charter.revision.docx_review import OBJECT, Paragraph, ReturnedDocument, printable

# Characters that mean something in Markdown: text containing them is not inserted blindly.
MARKDOWN_SPECIAL = set("*_[]{}<>@`#|~^\\$")
MAX_CONTEXT_WORDS = 8
# Characters that reorder or hide text on screen ("Trojan Source"): never written into a source unseen.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
TEXT_FIELDS = ("research_question", "design.method", "participants.description", "validity.internal",
               "validity.external", "findings.")
# A line that starts like this is read by Markdown as a list item, heading, quote or table row, not as text
# continuing the paragraph: a source line break is not kept in front of it.
_BLOCK_START = re.compile(r"[ \t]*(?:[-+*>#|=]|\d+[.)])(?:\s|$)")


def is_text_field(field: str | None) -> bool:
    """Whether a Table 1 field is a study file's own text, which ``--apply`` may write (not a count or a choice)."""
    return bool(field) and any(field == f or (f.endswith(".") and field.startswith(f)) for f in TEXT_FIELDS)


def keep_line_breaks(old: str, new: str) -> str:
    """The new text with the source's line breaks (and indentation) kept where the change left the space alone.

    ``old`` is the source stretch a change replaces, ``new`` the co-author's text with plain spaces. A space
    of ``old`` that a character diff finds unchanged in ``new`` keeps the whitespace it had in the source
    (``"full\ntexts"`` -> ``"full text"`` gives ``"full\ntext"``); where the co-author removed the words
    around a break, the break goes with them.
    """
    runs = [m for m in re.finditer(r"\s+", old)]
    if not any("\n" in m.group() for m in runs):
        return new
    flat, kept = [], {}  # old with each whitespace run as one space; position of that space -> the run
    position = 0
    for match in runs:
        flat.append(old[position:match.start()])
        kept[sum(map(len, flat))] = match.group()
        flat.append(" ")
        position = match.end()
    flat.append(old[position:])
    flat_old = "".join(flat)
    out, last = [], 0
    matcher = difflib.SequenceMatcher(None, flat_old, new, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            run = kept.get(block.a + offset)
            j = block.b + offset
            if run and "\n" in run and new[j] == " " and not _BLOCK_START.match(new[j + 1:]):
                out += [new[last:j], run]
                last = j + 1
    return "".join(out) + new[last:]


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
    anchor: str = ""  # the anchor the change sits in
    docx: str = ""  # the returned file it came from

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


def plan_edits(document: ReturnedDocument, manifest: dict, authors: dict,
               docx: str = "") -> tuple[list[Edit], list[Refusal]]:
    """Decide which tracked changes can be written back, and why the others cannot.

    ``manifest`` must have passed ``charter.revision.anchors.check_manifest``; ``authors`` maps
    (paragraph index, start offset) -> the reviewer of the change there.
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
                              tuple(p.get("text", "") for p in entry.get("placeholders") or ()), name, docx))
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
        if not is_text_field(field):
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
    hidden = [ch for ch in new if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS]
    if hidden:
        return (f"the new text contains the invisible character U+{ord(hidden[0]):04X} (a control or text-direction "
                "character); make this change by hand")
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
    """(start, end) of the source block in the file, if the current file still has it as a whole block.

    The manifest keeps the block as built (placeholders filled in) or as written;
    it must be one of the blocks the build would cut from the current text, at
    its line, or else exactly once anywhere in the file (lines above it changed).
    """
    wanted = re.sub(r"\r\n?", "\n", block).rstrip("\n")
    if not wanted.strip():
        return None
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found = []
    for candidate in split_blocks(text):
        body = "\n".join(candidate.lines)
        if body != wanted and _filled(body, placeholders) != wanted:
            continue
        if not 1 <= candidate.first_line <= len(line_starts):
            continue
        at = line_starts[candidate.first_line - 1]
        if text[at:at + len(body)] != body:  # a block that is not one stretch of the file (blank lines dropped)
            continue
        if candidate.first_line == line:
            return at, at + len(body)
        found.append((at, at + len(body)))
    return found[0] if len(found) == 1 else None


def apply_to_prose(text: str, edits: list[Edit]) -> tuple[str, list[Refusal]]:
    """Apply prose edits (all for one file) to its text; return the new text and the refusals."""
    splices, refusals = prose_splices(text, edits)
    return _spliced(text, splices), refusals


def prose_splices(text: str, edits: list[Edit]) -> tuple[list[tuple[int, int, str]], list[Refusal]]:
    """The (start, end, new text) replacements prose edits make in one file's text, and the refusals."""
    refusals = []
    spans: dict[tuple[int, str], tuple[int, int]] = {}  # (line, built text) -> where the block is in the file
    blocks: dict[tuple[int, str], str] = {}  # (line, built text) -> its source text, edits so far applied
    for edit in edits:
        key = (edit.line, edit.block)
        if key not in blocks:
            span = _find_block(text, edit.block, edit.line, edit.placeholders)
            if span is None or any(lo < span[1] and span[0] < hi for lo, hi in spans.values()):
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
        blocks[key] = blocks[key][:lo] + keep_line_breaks(blocks[key][lo:hi], edit.new) + blocks[key][hi:]
    # the smallest replacements that turn each block into its edited text, so that every
    # character the edits did not touch (line breaks above all) stays as it is in the file
    splices = []
    for key, (start, end) in spans.items():
        before, after = text[start:end], blocks[key]
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        splices += [(start + i1, start + i2, after[j1:j2])
                    for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
    return sorted(splices), refusals


def _spliced(text: str, splices: list[tuple[int, int, str]]) -> str:
    """The text with non-overlapping (start, end, new) replacements made."""
    out, position = [], 0
    for lo, hi, new in sorted(splices):
        out += [text[position:lo], new]
        position = hi
    return "".join(out) + text[position:]


def apply_to_study(text: str, edit: Edit) -> tuple[str, str]:
    """Apply an edit in one text field of a study file; return (new text, '') or (text, why not)."""
    splice, why = study_splice(text, edit)
    return (text, why) if why else (_spliced(text, [splice]), "")


def study_splice(text: str, edit: Edit) -> tuple[tuple[int, int, str] | None, str]:
    """The (start, end, new text) replacement an edit makes in a study file, or (None, why not)."""
    try:
        before = yaml.safe_load(text)
    except yaml.YAMLError:
        return None, "the study file does not parse; fix it first (invoke check)"
    container, key, value = _field(before, edit.field or "")
    if not isinstance(value, str) or " ".join(value.split()) != " ".join(edit.paragraph.split()):
        return None, (f"the cell does not show {edit.field} alone, or the file has changed since the build; "
                      f"edit {edit.path}: {edit.field} by hand")
    expected = edit.paragraph[:edit.start] + edit.new + edit.paragraph[edit.end:]
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:max(edit.line - 1, 0)])
    found = locate(text[start:], edit.paragraph, edit.start, edit.end)
    if isinstance(found, str):
        return None, found.replace("source paragraph", "study file") + f"; edit {edit.path}: {edit.field} by hand"
    lo, hi = found[0] + start, found[1] + start
    wanted = yaml.safe_load(text)
    container2, key2, _ = _field(wanted, edit.field or "")
    container2[key2] = expected
    # a value folded over several lines keeps its line breaks where the words around them stayed
    for new in dict.fromkeys((keep_line_breaks(text[lo:hi], edit.new), edit.new)):
        try:
            after = yaml.safe_load(text[:lo] + new + text[hi:])
        except yaml.YAMLError:
            after = None
        if after == wanted:
            return (lo, hi, new), ""
    # quoting, folding or an escape made the text mean something else
    return None, f"it could not be written into the YAML safely; edit {edit.path}: {edit.field} by hand"


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


# ------------------------------------------------------------------ a source file's bytes


@dataclass(frozen=True)
class SourceText:
    """A source file as read: the text the build sees, and what it takes to give back the same bytes."""

    bom: bytes  # b"\xef\xbb\xbf" or b""
    raw: str  # decoded, line endings as in the file
    text: str  # every line ending as "\n" (what the build read, what the manifest's lines count)
    crlf_at: tuple[int, ...]  # positions in ``text`` of the "\n"s that are "\r\n" in the file

    @classmethod
    def decode(cls, data: bytes) -> SourceText:
        """Read UTF-8 bytes (with or without a BOM); UnicodeDecodeError for anything else."""
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        raw = data[len(bom):].decode("utf-8")
        crlf_at, removed = [], 0
        for match in re.finditer(r"\r\n?", raw):
            if len(match.group()) == 2:
                crlf_at.append(match.start() - removed)
                removed += 1
        return cls(bom, raw, re.sub(r"\r\n?", "\n", raw), tuple(crlf_at))

    def raw_offset(self, position: int) -> int:
        """Where a position of ``text`` is in ``raw``."""
        return position + bisect.bisect_left(self.crlf_at, position)

    def encode(self, splices: list[tuple[int, int, str]]) -> bytes:
        """The file's bytes with the replacements (positions in ``text``) made and nothing else changed."""
        newline = "\r\n" if len(self.crlf_at) * 2 > self.text.count("\n") else "\n"
        out, position = [], 0
        for lo, hi, new in sorted(splices):
            raw_lo, raw_hi = self.raw_offset(lo), self.raw_offset(hi)
            out += [self.raw[position:raw_lo], new.replace("\n", newline)]
            position = raw_hi
        return self.bom + ("".join(out) + self.raw[position:]).encode("utf-8")


# ------------------------------------------------------------------ writing (the edge)


class Unsafe(Exception):
    """A change points outside this review's sources: nothing at all is written."""


def source_file(root: Path, path: str, kind: str) -> Path:
    """The file a change may be written to: a current source of this kind, a regular file inside root.

    Raises Unsafe with the reason otherwise, FileNotFoundError when the source is gone.
    """
    shown = path if len(path) <= 80 else path[:77] + "..."
    if source_kind(path) != kind or kind not in ("prose", "table"):
        raise Unsafe(f"points at {shown!r}, which is not a source file of this review"
                     if source_kind(path) is None else
                     f"points at {shown!r}, but only a manuscript section or a study file is ever written")
    top = root.resolve()
    file = top
    for part in path.split("/"):  # no link anywhere on the way: a link can lead out of the folder
        file = file / part
        if file.is_symlink():
            raise Unsafe(f"points at {shown!r}, where {file.relative_to(top).as_posix()} is a symbolic link; "
                         "Charter writes only regular files inside the review folder")
    if not file.exists():
        raise FileNotFoundError(path)
    try:
        file.resolve(strict=True).relative_to(top)
    except (ValueError, OSError):
        raise Unsafe(f"points at {shown!r}, which lies outside the review folder") from None
    if not file.is_file():
        raise Unsafe(f"points at {shown!r}, which is not a regular file")
    return file


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


def write_atomically(file: Path, data: bytes) -> None:
    """Replace a file's content in one step: a unique temporary file beside it, then a rename over it."""
    mode = file.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".charter-tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@dataclass(frozen=True)
class _Plan:
    """What one run would do: the new bytes per file, the diffs, the count applied, the refusals."""

    writes: dict  # Path -> (its bytes as read, its new bytes)
    diffs: list  # lines of unified diff
    applied: int
    refusals: list  # Refusal
    unsafe: list  # messages; when any, nothing is written


def _plan_file(root: Path, path: str, edits: list[Edit], force: bool) -> tuple[Path | None, SourceText | None,
                                                                               str, list[Refusal]]:
    """Check one target file; (file, its text, '', []) or (None, None, unsafe message, refusals)."""
    kind = "table" if edits[0].field is not None else "prose"
    try:
        file = source_file(root, path, kind)
    except Unsafe as error:
        edit = edits[0]
        return None, None, f"{edit.docx}: anchor {edit.anchor} {error}; nothing was written.", []
    except FileNotFoundError:
        return None, None, "", [Refusal(e.where, e.describe(), f"{path} does not exist any more; make this change "
                                                              "by hand") for e in edits]
    blocked = "" if force else _uncommitted(root, path)
    if blocked:
        return None, None, "", [Refusal(e.where, e.describe(), blocked) for e in edits]
    try:
        source = SourceText.decode(file.read_bytes())
    except UnicodeDecodeError:
        return None, None, "", [Refusal(e.where, e.describe(), f"{path} is not UTF-8 text, so it is not rewritten; "
                                                              "save it as UTF-8 (invoke check says where)")
                                for e in edits]
    except OSError as error:
        return None, None, "", [Refusal(e.where, e.describe(), f"{path} cannot be read ({error.strerror})")
                                for e in edits]
    return file, source, "", []


def plan_changes(root: Path, documents: dict, force: bool = False) -> _Plan:
    """Work out every write of a run before any is made (reads the sources and asks git; writes nothing)."""
    refusals: list[Refusal] = []
    unsafe: list[str] = []
    by_file: dict[str, list[Edit]] = {}
    for name, (document, manifest) in documents.items():
        try:
            checked = {"version": 1, "anchors": check_manifest(manifest or {"anchors": {}})}
        except BadManifest as error:
            unsafe.append(f"{name}: {error}; nothing was written.")
            continue
        edits, refused = plan_edits(document, checked, _authors(document), docx=name)
        refusals.extend(refused)
        for edit in edits:
            by_file.setdefault(edit.path, []).append(edit)

    writes, diffs, applied = {}, [], 0
    for path, edits in by_file.items():
        kinds = {e.field is None for e in edits}
        if len(kinds) > 1:  # one file both a section and a study file: only a crafted map says so
            unsafe.append(f"{edits[0].docx}: anchor {edits[0].anchor} points at {path!r} as a section and as a "
                          "study file at once; nothing was written.")
            continue
        file, source, message, refused = _plan_file(root, path, edits, force)
        if message:
            unsafe.append(message)
        refusals.extend(refused)
        if source is None:
            continue
        if edits[0].field is None:
            splices, refused = prose_splices(source.text, edits)
            refusals.extend(refused)
            applied += len(edits) - len(refused)
        else:
            splices, text = [], source.text
            for edit in edits:  # one after another, each on the text the ones before it left
                splice, why = study_splice(text, edit)
                if why:
                    refusals.append(Refusal(edit.where, edit.describe(), why))
                    continue
                text = _spliced(text, [splice])
                applied += 1
            splices = _whole_file_splices(source.text, text)
        if splices:
            after = _spliced(source.text, splices)
            diffs += difflib.unified_diff(source.text.splitlines(keepends=True), after.splitlines(keepends=True),
                                          fromfile=f"a/{path}", tofile=f"b/{path}")
            writes[file] = (source.bom + source.raw.encode("utf-8"), source.encode(splices))
    return _Plan(writes, diffs, applied, refusals, unsafe)


def _whole_file_splices(before: str, after: str) -> list[tuple[int, int, str]]:
    """The replacements turning before into after, outside the common start and end kept as they are."""
    head = 0
    limit = min(len(before), len(after))
    while head < limit and before[head] == after[head]:
        head += 1
    tail = 0
    while tail < limit - head and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    if head == len(before) == len(after):
        return []
    matcher = difflib.SequenceMatcher(None, before[head:len(before) - tail], after[head:len(after) - tail],
                                      autojunk=False)
    return [(head + i1, head + i2, after[head + j1:head + j2])
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def apply_changes(root: Path, documents: dict, force: bool = False, out: TextIO | None = None) -> bool:
    """Apply the safe tracked changes of every returned document; print diffs and refusals. True if none refused.

    ``documents`` maps the returned file's name to (ReturnedDocument, manifest). Every
    change is checked first; when any points outside the review's sources, nothing is written.
    """
    out = out or sys.stdout
    plan = plan_changes(Path(root), documents, force=force)
    if plan.unsafe:
        for message in plan.unsafe:
            sys.stderr.write(printable(f"{message}\n"))
        sys.stderr.write("Nothing was applied: a returned file's anchor map points outside this review's sources. "
                  "Its remarks are listed above; make the changes by hand.\n")
        return False
    moved = [file for file, (before, _) in plan.writes.items() if file.read_bytes() != before]
    if moved:  # saved in an editor while this ran: its new text would undo that save
        for file in moved:
            sys.stderr.write(f"{file.relative_to(Path(root).resolve()).as_posix()}: changed on disk while the "
                             "changes were being worked out; nothing was written. Run again.\n")
        return False
    out.writelines(plan.diffs)
    for file, (_, data) in plan.writes.items():
        write_atomically(file, data)
    out.write(f"Applied {plan.applied} tracked change{'s' if plan.applied != 1 else ''} to the sources.\n")
    for refusal in plan.refusals:
        out.write(printable(f"{refusal}\n"))
    return not plan.refusals


def _authors(document: ReturnedDocument) -> dict:
    """(paragraph, start offset in the original text) -> who made the change there."""
    authors = {}
    for change in document.changes:
        authors.setdefault((change.paragraph, change.start), change.author)
    return authors
