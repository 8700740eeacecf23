"""Pandoc's JSON documents read and written quickly: orjson when installed, else the json module, same bytes.

A 3,000-study manuscript is 23 MB of pandoc JSON (Table 1's cells); the
standard json module takes about 3 s to read it and 1 s to write it, orjson
1.8 s and 0.13 s (CPU, this machine), and the build reads and writes it more
than once. ``dump`` writes what pandoc writes (compact, UTF-8, no escaped
non-ASCII, a final newline), so the grouped citation runs' output is the
plain run's byte for byte whichever library wrote it (tests/test_jsontree.py).
"""

from __future__ import annotations

import gc
import json

try:
    import orjson
except ImportError:  # optional: the standard library gives the same result, more slowly
    orjson = None


def load(data: bytes | str):
    """A JSON document as Python values.

    Python's cycle collector is paused meanwhile: a document of millions of lists and dicts
    (Table 1 at 3,000 studies) otherwise sets it off again and again, each time going over every
    object made so far, and the reading takes 4–7 times as long (17 MB: 1.0–1.8 s, not 0.25 s).
    A pandoc document holds no cycles to collect.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(data) if orjson is not None else json.loads(data)
    finally:
        if collecting:
            gc.enable()


def dump(tree) -> bytes:
    """The JSON text as pandoc writes it: ``{"a":1,"b":"ø"}`` and a newline, UTF-8."""
    if orjson is not None:
        try:
            return orjson.dumps(tree) + b"\n"
        except TypeError:  # what orjson refuses (an integer past 64 bits, a lone surrogate): the json module
            pass
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
