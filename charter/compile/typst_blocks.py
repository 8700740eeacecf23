"""Pandoc's Typst writer, run on the large blocks apart and remembered: the same Typst source, faster.

Why: at 3,000 studies the writer spends 6.7 s on a document whose Table 1 and
bibliography are nine tenths of it, and writes them again after any edit of
the text. Written apart, the two blocks are remembered by their JSON (a prose
edit changes neither), and on a clean build the three runs go side by side.

How: each large top-level block (a Table or a Div) is replaced in the tree by
a one-word placeholder of a block type the writer ends in the same way (a
Table and a Para end with a blank line; a Div and a raw block do not), the
rest is written with the template as before, each large block is written as a
document of its own, and the placeholders' lines are replaced by the blocks'
text. The writer keeps no state between top-level blocks that these two kinds
use, so the result is the whole run's bytes; ``tests/test_typst_blocks.py``
compares the two on both example reviews and a generated one, and a
placeholder that does not come back alone on its line makes this module write
the whole document in one run instead.

Kept in build/.typst-cache/ by SHA-256 of pandoc's version, the arguments and
the block's JSON; only the latest build's blocks are kept.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from charter.compile import jsontree
from charter.compile.remembered import RunStore

# A top-level block whose JSON is larger than this is written apart (Table 1 of about 100 studies).
LARGE_BLOCK_BYTES = 256_000
CACHE_FOLDER = ".typst-cache"  # inside build/

# What stands in for each kind of block: ends the way the block does in the writer's output.
_STAND_IN = {"Table": lambda word: {"t": "Para", "c": [{"t": "Str", "c": word}]},
             "Div": lambda word: {"t": "RawBlock", "c": ["typst", word]}}

Runner = Callable[[Sequence[str], bytes], subprocess.Popen]


class SpliceFailed(Exception):
    """A placeholder did not come back alone on its line: the whole document is written in one run."""


def split_large(tree: dict, min_bytes: int = LARGE_BLOCK_BYTES) -> tuple[dict, list[tuple[str, bytes]]]:
    """The tree with each large Table or Div replaced by a placeholder, and (placeholder, block document JSON)."""
    blocks, parts = [], []
    for index, block in enumerate(tree["blocks"]):
        data = jsontree.dump(block) if block.get("t") in _STAND_IN else b""
        if len(data) <= min_bytes:
            blocks.append(block)
            continue
        word = f"CHARTERSPLICE{index}X{hashlib.sha256(data).hexdigest()[:16]}"
        blocks.append(_STAND_IN[block["t"]](word))
        document = b'{"pandoc-api-version":' + jsontree.dump(tree["pandoc-api-version"]) + \
            b',"meta":{},"blocks":[' + data + b"]}"
        parts.append((word, document))
    return {**tree, "blocks": blocks}, parts


def joined(rest: dict, parts: list[tuple[str, bytes]]) -> dict:
    """The tree ``split_large`` was given: each placeholder replaced by its block again."""
    blocks = {word: jsontree.load(document)["blocks"][0] for word, document in parts}
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


def write_in_parts(rest: bytes, parts: list[tuple[str, bytes]], start: Runner, template_args: Sequence[str],
                   block_args: Sequence[str], remembered: Remembered) -> tuple[int, str, str]:
    """(exit code, Typst text, stderr) of the writer: ``rest`` (the document JSON with placeholders) with the
    template, each of ``parts`` (from ``split_large``) apart or as remembered, side by side.

    ``start(args, data)`` starts pandoc with the data on its standard input. A failed run gives its exit
    code and messages, as the whole run would.
    """
    known = {word: remembered.get(document) for word, document in parts}
    running = {word: start(block_args, document) for word, document in parts if known[word] is None}
    main = start(template_args, rest)
    results = {}
    for word, process in [*running.items(), ("", main)]:
        out, err = process.communicate()
        results[word] = (process.returncode, out.decode("utf-8"), err.decode("utf-8", "replace"))
    failed = [r for r in results.values() if r[0] != 0]
    if failed:
        return failed[0][0], "", "".join(r[2] for r in results.values())
    for word, document in parts:
        if known[word] is None:
            remembered.put(document, results[word][1], results[word][2])
            known[word] = results[word][1], results[word][2]
    remembered.prune()
    text = splice(results[""][1], {word: out for word, (out, _) in known.items()})
    return 0, text, results[""][2] + "".join(err for _, err in known.values())
