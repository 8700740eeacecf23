"""charter.compile.jsontree writes pandoc's JSON exactly as pandoc does, with orjson or with the json module."""

from __future__ import annotations

import json
import subprocess

import pytest

from charter.compile import jsontree
from charter.compile.pandoc import pandoc_path

RULES = "-" * 30 + " " + "-" * 7  # a simple table with relative column widths: floats in the JSON
TRICKY = "tab\there, quote \" back\\slash, \x01\x1f\x7f, line\u2028sep, ø 王 😀 \u00a0 \ufeff end"


def _document() -> dict:
    """A pandoc document through pandoc itself, with the characters and numbers JSON writers disagree on."""
    markdown = (f"# {TRICKY}\n\n{TRICKY} [@key, p. 12]\n\n"
                "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
                ": caption\n\n" + RULES + "\nlong column   short\n" + RULES + "\n")
    process = subprocess.run([pandoc_path(), "--from", "markdown", "--to", "json"], input=markdown.encode("utf-8"),
                             capture_output=True, check=True)
    return process.stdout


@pytest.mark.parametrize("library", ["orjson", "json"])
def test_dump_is_what_pandoc_writes(library: str, monkeypatch) -> None:
    if library == "json":
        monkeypatch.setattr(jsontree, "orjson", None)
    elif jsontree.orjson is None:
        pytest.skip("orjson is not installed")
    written = _document()
    tree = jsontree.load(written)
    assert tree == json.loads(written)
    assert jsontree.dump(tree) == written  # pandoc's own bytes: compact, UTF-8, a final newline
    again = subprocess.run([pandoc_path(), "--from", "json", "--to", "json"], input=jsontree.dump(tree),
                           capture_output=True, check=True).stdout
    assert again == written


def test_what_orjson_refuses_is_written_by_the_json_module() -> None:
    tree = {"t": "Str", "c": 2 ** 70}  # past 64 bits: orjson refuses it
    assert jsontree.dump(tree) == b'{"t":"Str","c":1180591620717411303424}\n'


def test_the_cycle_collector_resumes_as_it_was() -> None:
    import gc

    assert gc.isenabled()
    with jsontree.collector_paused():
        assert not gc.isenabled()
        jsontree.load(b'{"t":"Space"}')  # an inner pause leaves resuming to the outer one
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError):
        jsontree.load(b"{not json")
    assert gc.isenabled()  # also after a failed read
    gc.disable()
    try:
        jsontree.load(b"[]")
        assert not gc.isenabled()  # paused by someone else: stays paused
    finally:
        gc.enable()
