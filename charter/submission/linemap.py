"""Which source line is line N of the line-numbered PDF: build/submission/line-map.json, ``invoke where N``.

Typst numbers the lines but keeps no trace of where a paragraph came from, so
the map is made from the PDF itself: pypdf gives each piece of text with its
position; a line number is a number alone in the left margin, and the text at
the same height is its line. The lines are then found, in order, in the
manuscript's text as pandoc made it (build/manuscript.json, citations
formatted), whose blocks carry the anchor ids of build/manuscript.anchors.json
(file and first line of each paragraph). Within a paragraph the source line is
the one whose words the PDF line starts with, or, failing that, the line at the
same proportion of the paragraph. Lines of tables, figures and the reference
list have no source line of prose; the map says what they are.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from charter.document.word_counts import plain_text
from charter.paths import written_through_link
from charter.revision.docx_review import printable

_MARGIN = 62.0  # points: Typst puts line numbers left of the text, which starts at 2.5 cm (70.9 pt)


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def pdf_lines(pdf: Path) -> list[tuple[int, int, str]]:
    """(line number, page, text of that line) for every numbered line of the PDF."""
    from pypdf import PdfReader

    found = []
    for page_number, page in enumerate(PdfReader(pdf).pages, start=1):
        pieces: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, pieces=pieces):
            if text.strip():
                pieces.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

        page.extract_text(visitor_text=visit)
        numbers = [(y, int(t)) for x, y, t in pieces if x < _MARGIN and re.fullmatch(r"\s*\d{1,5}\s*", t)]
        for y, number in numbers:
            text = " ".join(t.strip() for x, yy, t in sorted(pieces, key=lambda p: p[0])
                            if x >= _MARGIN and abs(yy - y) < 2.0)
            found.append((number, page_number, text))
    return sorted(found)


@dataclass(frozen=True)
class _Block:
    start: int  # offset in the document's normalised text
    source: str | None
    line: int | None
    what: str


def _blocks(document: dict, anchors: dict) -> tuple[str, list[_Block]]:
    """The document's text, normalised, and where each block starts; title-page items from the anchors."""
    text, blocks = "", []

    def add(piece: str, source, line, what):
        nonlocal text
        blocks.append(_Block(len(text), source, line, what))
        text += _norm(piece)

    for anchor_id, anchor in sorted(anchors.items()):
        if anchor_id.startswith("ch_m") and anchor.get("field") in ("title", "abstract", "keywords") or \
                (anchor_id.startswith("ch_m") and str(anchor.get("field", "")).startswith(("authors", "affil"))):
            add(anchor.get("text") or "", anchor.get("source"), anchor.get("line"), "title page")
    for block in document.get("blocks", []):
        kind = block.get("t")
        if kind == "Div":
            anchor_id, classes = block["c"][0][0], block["c"][0][1]
            anchor = anchors.get(anchor_id)
            if anchor and anchor.get("field") in ("title", "abstract", "keywords"):
                continue
            if anchor:
                add(plain_text(block), anchor.get("source"), anchor.get("line"), "text")
            elif anchor_id == "refs":
                add(plain_text(block), None, None, "the reference list (from bib/)")
            elif "charter-table-note" in classes:
                add(plain_text(block), None, None, "Table 1's note (review.yaml)")
            else:
                add(plain_text(block), None, None, "generated text")
        elif kind == "Table":
            add(plain_text(block), None, None, "Table 1 (from the study files)")
        elif kind == "Header":
            add(plain_text(block), None, None, "a heading Charter writes")
    return text, blocks


def _source_line(root: Path, block: _Block, fraction: float, start_words: str) -> int | None:
    """The line of the paragraph's source the PDF line starts in."""
    if block.source is None or block.line is None:
        return block.line
    try:
        lines = (root / block.source).read_text(encoding="utf-8").splitlines()
    except OSError:
        return block.line
    paragraph = []
    for index in range(block.line - 1, len(lines)):
        if index > block.line - 1 and not lines[index].strip():
            break
        paragraph.append(lines[index])
    if start_words:
        hits = [i for i, line in enumerate(paragraph) if start_words in _norm(line)]
        if len(hits) == 1:
            return block.line + hits[0]
    return block.line + min(len(paragraph) - 1, int(fraction * len(paragraph)))


def line_map(root: Path, pdf: Path, document: dict, anchors: dict) -> list[dict]:
    """One entry per numbered line: its number, page, text, and source file and line when it has one."""
    text, blocks = _blocks(document, anchors)
    starts = [b.start for b in blocks]
    cursor, entries = 0, []
    for number, page, line_text in pdf_lines(pdf):
        needle = _norm(line_text)
        entry = {"line": number, "page": page, "text": line_text}
        position = -1
        if len(needle) >= 12:  # a short line ("2017).") could match anywhere: it goes with the line before
            position = text.find(needle, cursor, cursor + len(needle) + 4000)
            if position < 0 and len(needle) >= 30:  # after an unnumbered table: further on
                position = text.find(needle, cursor)
            if position < 0:  # a line the PDF joined or split differently: its first words
                position = text.find(needle[:24], cursor, cursor + 4000)
        elif entries and "source" in entries[-1]:
            entry.update({k: entries[-1][k] for k in ("source", "source_line", "what")})
        if position >= 0:
            index = bisect_right(starts, position) - 1
            block = blocks[index]
            end = blocks[index + 1].start if index + 1 < len(blocks) else len(text)
            fraction = (position - block.start) / max(1, end - block.start)
            cursor = position + len(needle)
            source_line = _source_line(root, block, fraction, _norm(" ".join(line_text.split()[:3])))
            entry.update({"source": block.source, "source_line": source_line, "what": block.what})
        entries.append(entry)
    return entries


def where(root: str | Path, number: int) -> str:
    """Answer "the referee says line N": the source place of line N of build/submission/manuscript.pdf."""
    return printable(_where(root, number))  # the map's texts come from the PDF: no control characters printed


def _where(root: str | Path, number: int) -> str:
    path = Path(root) / "build" / "submission" / "line-map.json"
    linked = written_through_link(root, "build/submission/line-map.json")
    if linked:  # planted in build/: not read
        return linked.replace("Charter writes only into", "Charter reads its line map only from")
    if not path.is_file():
        return "no line map yet: run invoke submit (it writes build/submission/line-map.json)"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        entry = next((e for e in entries if e["line"] == number), None)
        last = entries[-1]["line"] if entries else 0
        head = f"line {number} (page {entry['page']}): \u201c{str(entry['text'])[:70]}\u201d" if entry else ""
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
        return ("build/submission/line-map.json is damaged (it is not the map invoke submit writes): run invoke "
                "submit again to write it anew")
    if entry is None:
        return f"line {number} is not in build/submission/manuscript.pdf (its lines are numbered 1 to {last})"
    if entry.get("source"):
        return f"{entry['source']}:{entry['source_line']}: {head}"
    if entry.get("what"):
        return f"{head} is in {entry['what']}, not in the prose of manuscript/"
    return f"{head}: not found in the manuscript's text (a table, caption or generated line)"
