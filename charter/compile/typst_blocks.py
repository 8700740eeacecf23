"""Pandoc's Typst writer, run on the large blocks apart and remembered: the same Typst source, faster.

Why: at 3,000 studies the writer spends 6.7 s on a document whose Table 1 and
bibliography are nine tenths of it, and writes them again after any edit of
the text. Written apart, the two blocks are remembered by their JSON (a prose
edit changes neither), and on a clean build the three runs go side by side.

How: each large top-level block (a Table or a Div) is replaced in the tree by
a one-word placeholder of a block type the writer ends in the same way (a
Table and a Para end with a blank line; a Div and a raw block do not), the
rest is written with the template as before (and remembered too, by the
template's text and the rest's JSON), each large block is written as a
document of its own, and the placeholders' lines are replaced by the blocks'
text. The writer keeps no state between top-level blocks that these two kinds
use, so the result is the whole run's bytes; ``tests/test_typst_blocks.py``
compares the two on both example reviews and a generated one, and a
placeholder that does not come back alone on its line makes this module write
the whole document in one run instead.

A large Table goes further: its body rows are written in chunks of about
``CHUNK_ROWS`` rows, each a table of its own between two sentinel rows, and
the table itself once with one placeholder row per chunk (its skeleton: head,
caption, footer). The writer writes each row on its own lines, the same
whatever rows are beside it (``fromRow`` in pandoc's Typst writer), so the
chunks' rows put in place of the placeholder rows are the whole table's text.
A chunk ends after a row whose JSON's CRC is 0 modulo ``CHUNK_ROWS``, so a
study edited, added or removed changes one chunk, not every chunk after it:
an edit writes one chunk again (0.1 s) instead of Table 1 (5 s of CPU at
3,000 studies). A sentinel or placeholder that does not come back alone on
its line, at the placeholder's indent, makes this module write that table in
one run instead.

Kept in build/.typst-cache/ by SHA-256 of pandoc's version, the arguments and
the block's (or chunk's, or skeleton's) JSON, and for the run with the
template, the template's text and the rest's JSON (not remembered when the
template calls a partial, another file); only the latest build's runs are
kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from charter.compile import jsontree
from charter.compile.remembered import RunStore

# A top-level block whose JSON is larger than this is written apart (Table 1 of about 100 studies).
LARGE_BLOCK_BYTES = 256_000
CACHE_FOLDER = ".typst-cache"  # inside build/
# A large table's body rows are written in chunks of about this many rows (a chunk ends after a row whose
# JSON's CRC-32 is 0 modulo CHUNK_ROWS), and never more than MAX_CHUNK_ROWS.
CHUNK_ROWS = 64
MAX_CHUNK_ROWS = 4 * CHUNK_ROWS
_ROWS_WORD = "CHARTERROWS"  # no table that holds this word is written in chunks
_BEGIN, _END = f"{_ROWS_WORD}BEGIN", f"{_ROWS_WORD}END"

# What stands in for each kind of block: ends the way the block does in the writer's output.
_STAND_IN = {"Table": lambda word: {"t": "Para", "c": [{"t": "Str", "c": word}]},
             "Div": lambda word: {"t": "RawBlock", "c": ["typst", word]}}

Runner = Callable[[Sequence[str], bytes], subprocess.Popen]


class SpliceFailed(Exception):
    """A placeholder did not come back alone on its line: the whole document is written in one run."""


class TableRows(NamedTuple):
    """A large table as the writer's runs: the skeleton (a placeholder row per chunk) and the chunks of rows."""

    skeleton: bytes  # the table's document with each chunk's rows replaced by one placeholder row
    words: list[str]  # each chunk's placeholder, in order
    chunks: list[bytes]  # each chunk's document: its rows between a _BEGIN and an _END row


class Part(NamedTuple):
    """A large top-level block written apart: its placeholder, its document, and its chunks if it is a table."""

    word: str
    document: bytes
    rows: TableRows | None = None

    def documents(self) -> list[bytes]:
        """The documents the writer is run on for this block."""
        return [self.document] if self.rows is None else [self.rows.skeleton, *self.rows.chunks]


def _document(version: bytes, blocks: bytes) -> bytes:
    return b'{"pandoc-api-version":' + version + b',"meta":{},"blocks":[' + blocks + b"]}"


def split_large(tree: dict, min_bytes: int = LARGE_BLOCK_BYTES,
                chunk_rows: int = CHUNK_ROWS) -> tuple[dict, list[Part]]:
    """The tree with each large Table or Div replaced by a placeholder, and a ``Part`` for each of them.

    A large table with more body rows than ``chunk_rows`` (0: never) is also cut into chunks of rows.
    """
    blocks, parts = [], []
    version = jsontree.dump(tree["pandoc-api-version"]).rstrip(b"\n")
    for index, block in enumerate(tree["blocks"]):
        data = jsontree.dump(block).rstrip(b"\n") if block.get("t") in _STAND_IN else b""
        if len(data) <= min_bytes:
            blocks.append(block)
            continue
        # the same word whatever the block holds, so that the rest of the document, and its run, stay the
        # same after an edit of Table 1 alone (a word that also stands alone in the text: ``splice`` refuses)
        word = f"CHARTERSPLICE{index}X"
        blocks.append(_STAND_IN[block["t"]](word))
        rows = table_rows(block, data, version, chunk_rows) if block["t"] == "Table" and chunk_rows else None
        parts.append(Part(word, _document(version, data), rows))
    return {**tree, "blocks": blocks}, parts


def _one_cell_row(word: str) -> list:
    cell = [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": [{"t": "Str", "c": word}]}]]
    return [["", [], []], [cell]]


def _chunks(rows: list, chunk_rows: int) -> list[list[bytes]]:
    """The rows' JSON in chunks, each ending after a row whose CRC-32 is 0 modulo ``chunk_rows`` (or at the cap)."""
    chunks, current = [], []
    for row in rows:
        data = jsontree.dump(row).rstrip(b"\n")
        current.append(data)
        if zlib.crc32(data) % chunk_rows == 0 or len(current) >= MAX_CHUNK_ROWS:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def table_rows(block: dict, data: bytes, version: bytes, chunk_rows: int = CHUNK_ROWS) -> TableRows | None:
    """The table's skeleton and chunks of body rows (``data`` is its JSON); None when it is not worth it or not safe."""
    attr, _caption, colspecs, _head, bodies, _foot = block["c"]
    if sum(len(body[3]) for body in bodies) <= chunk_rows or _ROWS_WORD.encode() in data:
        return None  # few rows, or a cell that could be mistaken for a sentinel
    # a chunk: a table with the same attributes and columns (the writer's indent), no head, caption or footer
    empty = [["", [], []], []]
    chunk_table = {"t": "Table", "c": [attr, [None, []], colspecs, empty, [[["", [], []], 0, [], [_ROWS_WORD]]], empty]}
    before, after = jsontree.dump(chunk_table).rstrip(b"\n").split(f'"{_ROWS_WORD}"'.encode())  # not in ``data``
    begin, end = (jsontree.dump(_one_cell_row(word)).rstrip(b"\n") for word in (_BEGIN, _END))
    words, chunks, skeleton_bodies = [], [], []
    for body_attr, head_columns, head_rows, body_rows in bodies:
        placeholders = []
        for rows in _chunks(body_rows, chunk_rows):
            words.append(f"{_ROWS_WORD}{len(words)}X")
            placeholders.append(_one_cell_row(words[-1]))
            chunks.append(_document(version, before + b",".join([begin, *rows, end]) + after))
        skeleton_bodies.append([body_attr, head_columns, head_rows, placeholders])
    skeleton = {"t": "Table", "c": [*block["c"][:4], skeleton_bodies, block["c"][5]]}
    return TableRows(_document(version, jsontree.dump(skeleton).rstrip(b"\n")), words, chunks)


def table_text(skeleton: str, words: Sequence[str], chunks: Sequence[str]) -> str:
    """The table's text: each placeholder row's line of ``skeleton`` replaced by its chunk's rows."""
    lines = skeleton.split("\n")
    wanted = {f"[{word}],": number for number, word in enumerate(words)}
    found: dict[int, tuple[int, str]] = {}
    for at, line in enumerate(lines):
        written = line.lstrip(" ")
        if written in wanted:
            if wanted[written] in found:
                raise SpliceFailed(f"{written} twice in the table")
            found[wanted[written]] = at, line[:len(line) - len(written)]
    if len(found) != len(words):
        raise SpliceFailed("a chunk's placeholder row is missing from the table")
    replaced = {}
    for number, text in enumerate(chunks):
        at, indent = found[number]
        chunk_lines = text.split("\n")
        begins = [i for i, line in enumerate(chunk_lines) if line.lstrip(" ") == f"[{_BEGIN}],"]
        ends = [i for i, line in enumerate(chunk_lines) if line.lstrip(" ") == f"[{_END}],"]
        if len(begins) != 1 or len(ends) != 1 or begins[0] >= ends[0] \
                or chunk_lines[begins[0]] != f"{indent}[{_BEGIN}]," or chunk_lines[ends[0]] != f"{indent}[{_END}],":
            raise SpliceFailed(f"chunk {number + 1}'s rows did not come back between its sentinel rows")
        replaced[at] = chunk_lines[begins[0] + 1:ends[0]]
    return "\n".join(piece for at, line in enumerate(lines) for piece in replaced.get(at, [line]))


def joined(rest: dict, parts: list[Part]) -> dict:
    """The tree ``split_large`` was given: each placeholder replaced by its block again."""
    blocks = {part.word: jsontree.load(part.document)["blocks"][0] for part in parts}
    stand_ins = {jsontree.dump(_STAND_IN[block["t"]](word)): word for word, block in blocks.items()}
    return {**rest, "blocks": [blocks[stand_ins[key]] if (key := jsontree.dump(block)) in stand_ins else block
                               for block in rest["blocks"]]}


def splice(main: str, texts: dict[str, str]) -> str:
    """The main text with each placeholder's line replaced by its block's text (without its final newline)."""
    lines = main.split("\n")
    found = {}
    for number, line in enumerate(lines):
        if line in texts:
            if line in found:
                raise SpliceFailed(f"{line} twice")
            found[line] = number
    if set(found) != set(texts):
        raise SpliceFailed("a placeholder is missing")
    for word, number in found.items():
        lines[number] = texts[word].rstrip("\n")
    return "\n".join(lines)


class Remembered:
    """The writer's text and messages for a block's JSON, kept between builds in build/.typst-cache/."""

    def __init__(self, folder: Path, version: str, args: Sequence[str]) -> None:
        self.store = RunStore(folder)
        self.prefix = hashlib.sha256(json.dumps([version, list(args)]).encode("utf-8")).digest()

    def name(self, document: bytes) -> str:
        return hashlib.sha256(self.prefix + document).hexdigest()

    def get(self, document: bytes) -> tuple[str, str] | None:
        return self.store.get(self.name(document))

    def put(self, document: bytes, out: str, err: str) -> None:
        self.store.put(self.name(document), out, err)

    def prune(self) -> None:
        """Forget the blocks this build did not use (an older Table 1)."""
        self.store.prune()


# A template that calls a partial ($name()$) reads another file: its runs are not remembered.
_PARTIAL = re.compile(rb"\$\{?\s*[\w./-]+(:[\w./-]+)?\(\)")


def _main_key(template: bytes | None, rest: bytes) -> bytes | None:
    """What the run with the template is remembered by: the template's text and the document; None: not at all."""
    if template is None or _PARTIAL.search(template):
        return None
    return b"template\0" + template + b"\0" + rest


def write_in_parts(rest: bytes, parts: list[Part], start: Runner, template_args: Sequence[str],
                   block_args: Sequence[str], remembered: Remembered, at_once: int | None = None,
                   template: bytes | None = None) -> tuple[int, str, str]:
    """(exit code, Typst text, stderr) of the writer: ``rest`` (the document JSON with placeholders) with the
    template, each of ``parts`` (from ``split_large``: a block, or a table's skeleton and chunks) apart, the
    runs not remembered ``at_once`` side by side (default: one per core, at least two), largest first.

    ``template``: the template's text; given, the run with the template is remembered too (by that text
    and ``rest``: after an edit of Table 1 alone it does not change). ``start(args, data)`` starts pandoc
    with the data on its standard input. A failed run gives its exit code and messages, as the whole run
    would.
    """
    main_key = _main_key(template, rest)
    known = {document: remembered.get(document) for part in parts for document in part.documents()}
    main = remembered.get(main_key) if main_key is not None else None
    jobs = {document: (list(block_args), document) for document, text in known.items() if text is None}
    if main is None:
        jobs[None] = (list(template_args), rest)  # the run with the template: key None

    def run(job: tuple[list[str], bytes]) -> tuple[int, str, str]:
        process = start(*job)
        out, err = process.communicate()
        return process.returncode, out.decode("utf-8"), err.decode("utf-8", "replace")

    order = sorted(jobs, key=lambda key: -len(jobs[key][1]))  # the longest runs first
    with ThreadPoolExecutor(max_workers=at_once or max(2, os.cpu_count() or 1)) as pool:
        results = dict(zip(order, pool.map(run, [jobs[key] for key in order])))
    if any(code != 0 for code, _, _ in results.values()):
        failed = [results[key] for key in sorted(results, key=lambda key: key is not None)]  # the template's first
        return next(code for code, _, _ in failed if code != 0), "", "".join(err for _, _, err in failed)
    for key, (_, out, err) in results.items():
        if key is None:
            main = out, err
            if main_key is not None:
                remembered.put(main_key, out, err)
        else:
            remembered.put(key, out, err)
            known[key] = out, err
    texts, messages = {}, main[1]
    for part in parts:
        written = [known[document] for document in part.documents()]
        messages += "".join(err for _, err in written)
        if part.rows is None:
            texts[part.word] = written[0][0]
            continue
        try:
            texts[part.word] = table_text(written[0][0], part.rows.words, [out for out, _ in written[1:]])
        except SpliceFailed:  # never seen: this table in one run
            code, texts[part.word], err = run((list(block_args), part.document))
            if code != 0:
                return code, "", messages + err
    remembered.prune()
    return 0, splice(main[0], texts), messages
