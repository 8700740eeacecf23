"""Pandoc's JSON documents read and written quickly: orjson when installed, else the json module, same bytes.

A 3,000-study manuscript is 23 MB of pandoc JSON (Table 1's cells); the
standard json module takes about 3 s to read it and 1 s to write it, orjson
1.8 s and 0.13 s (CPU, this machine), and the build reads and writes it more
than once. ``dump`` writes what pandoc writes (compact, UTF-8, no escaped
non-ASCII, a final newline), so the grouped citation runs' output is the
plain run's byte for byte whichever library wrote it (tests/test_jsontree.py).
Python's cycle collector is paused while a document is read
(``collector_paused``, also used around the grouped runs' work on the tree).
"""

from __future__ import annotations

import gc
import json
from contextlib import contextmanager

try:
    import orjson
except ImportError:  # optional: the standard library gives the same result, more slowly
    orjson = None


@contextmanager
def collector_paused():
    """Pause Python's cycle collector while large pandoc documents are read and worked on.

    A document of millions of lists and dicts (Table 1 at 3,000 studies) sets the collector off
    again and again, each time going over every object made so far: reading 17 MB took 1.0–1.8 s
    of CPU instead of 0.25 s, and the grouped citation runs' work on the tree 1–2 s more. Pandoc
    documents hold no cycles; what else is made meanwhile is collected when the collector resumes.
    """
    collecting = gc.isenabled()  # already paused (by an outer caller): leave it to resume it
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load(data: bytes | str):
    """A JSON document as Python values (the collector paused meanwhile: ``collector_paused``)."""
    with collector_paused():
        return orjson.loads(data) if orjson is not None else json.loads(data)


def dump(tree) -> bytes:
    """The JSON text as pandoc writes it: ``{"a":1,"b":"ø"}`` and a newline, UTF-8."""
    if orjson is not None:
        try:
            return orjson.dumps(tree) + b"\n"
        except TypeError:  # what orjson refuses (an integer past 64 bits, a lone surrogate): the json module
            pass
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
