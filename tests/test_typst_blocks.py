"""The Typst writer run on large blocks apart (charter/compile/typst_blocks.py) writes the whole run's bytes.

Each review is built once; then its pandoc JSON is written to Typst in one run (nothing apart) and with
every top-level Table and Div apart (threshold 0, far more blocks than a real build splits), first fresh,
then from what was remembered. Any byte of difference fails.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_reference_review

sys.path.insert(0, str(REPO))
from benchmarks.generate import generate  # noqa: E402
from charter import PACKAGE_DIR  # noqa: E402
from charter.compile import jsontree, typst_blocks  # noqa: E402
from charter.compile.build import build  # noqa: E402
from charter.compile.pandoc import for_typst, json_to_typst  # noqa: E402

TEMPLATE = PACKAGE_DIR / "templates" / "manuscript.typ"
WHOLE = 10**12  # a threshold no block reaches: the one run


def _built(kind: str, tmp_path: Path) -> Path:
    if kind == "reference":
        root = copy_reference_review(tmp_path / "review")
    elif kind == "asymptomatic-covid":
        root = tmp_path / "review"
        shutil.copytree(REPO / "examples" / "asymptomatic-covid", root, ignore=shutil.ignore_patterns("build"))
    else:
        root = generate(40, tmp_path / "review")
    build(root, verbose=False, formats=("pdf",))
    return root / "build"


def _typst(build_dir: Path, name: str, min_bytes: int) -> bytes:
    out = build_dir / name
    messages = json_to_typst(build_dir / "manuscript.json", out, TEMPLATE, version="test", min_block_bytes=min_bytes)
    assert not [m for m in messages if m.level == "ERROR"]
    return out.read_bytes()


@pytest.mark.parametrize("kind", ["reference", "asymptomatic-covid", "generated"])
def test_blocks_written_apart_give_the_whole_runs_bytes(tmp_path: Path, kind: str):
    build_dir = _built(kind, tmp_path)
    tree = for_typst(jsontree.load((build_dir / "manuscript.json").read_bytes()))  # as the writer gets it
    apart = [b["t"] for b in tree["blocks"] if b["t"] in ("Table", "Div")]
    assert "Table" in apart and "Div" in apart  # Table 1 and the bibliography at least
    whole = _typst(build_dir, "whole.typ", WHOLE)
    assert not (build_dir / typst_blocks.CACHE_FOLDER).exists()  # nothing was written apart
    assert _typst(build_dir, "fresh.typ", 0) == whole
    remembered = sorted((build_dir / typst_blocks.CACHE_FOLDER).iterdir())
    assert len(remembered) == len(apart)
    assert _typst(build_dir, "again.typ", 0) == whole
    assert sorted((build_dir / typst_blocks.CACHE_FOLDER).iterdir()) == remembered
    assert whole == (build_dir / "manuscript.typ").read_bytes()  # what the build itself wrote


def test_a_changed_block_is_written_again_and_the_old_one_forgotten(tmp_path: Path):
    build_dir = _built("generated", tmp_path)
    _typst(build_dir, "first.typ", 0)
    before = set((build_dir / typst_blocks.CACHE_FOLDER).iterdir())
    path = build_dir / "manuscript.json"
    tree = jsontree.load(path.read_bytes())
    table = next(b for b in tree["blocks"] if b["t"] == "Table")
    table_json = jsontree.dump(table)
    edited_table = jsontree.load(table_json.replace(b'"c":"Study"', b'"c":"Studie"', 1))
    assert edited_table != table
    tree["blocks"] = [edited_table if b is table else b for b in tree["blocks"]]
    path.write_bytes(jsontree.dump(tree))
    edited = _typst(build_dir, "edited.typ", 0)
    assert edited == _typst(build_dir, "edited-whole.typ", WHOLE)
    assert edited != (build_dir / "first.typ").read_bytes()
    after = set((build_dir / typst_blocks.CACHE_FOLDER).iterdir())
    assert len(after) == len(before) and after != before  # one block replaced, nothing left over


def test_a_splice_that_fails_falls_back_to_the_whole_run(tmp_path: Path, monkeypatch):
    build_dir = _built("generated", tmp_path)
    whole = _typst(build_dir, "whole.typ", WHOLE)

    def failing(main, texts):
        raise typst_blocks.SpliceFailed("for the test")

    monkeypatch.setattr(typst_blocks, "splice", failing)
    assert _typst(build_dir, "fallback.typ", 0) == whole


def test_split_and_join_give_back_the_tree():
    table = {"t": "Table", "c": [["tbl", [], []], [None, []], [], [["", [], []], []], [], [["", [], []], []]]}
    div = {"t": "Div", "c": [["refs", [], []], [{"t": "Para", "c": [{"t": "Str", "c": "x" * 50}]}]]}
    small = {"t": "Para", "c": [{"t": "Str", "c": "a" * 500}]}
    tree = {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": [small, table, div, small]}
    rest, parts = typst_blocks.split_large(tree, 10)
    assert [b["t"] for b in rest["blocks"]] == ["Para", "Para", "RawBlock", "Para"]  # Paras are never apart
    assert len(parts) == 2 and all(word.isalnum() for word, _ in parts)
    assert typst_blocks.joined(rest, parts) == tree


def test_a_placeholder_must_come_back_alone_on_its_line():
    assert typst_blocks.splice("a\nW1\nb", {"W1": "table\n"}) == "a\ntable\nb"
    with pytest.raises(typst_blocks.SpliceFailed):
        typst_blocks.splice("a W1\nb", {"W1": "table\n"})
    with pytest.raises(typst_blocks.SpliceFailed):
        typst_blocks.splice("W1\nW1", {"W1": "table\n"})


def test_a_pandoc_that_stops_early_gives_its_message_not_a_traceback(tmp_path: Path):
    """pandoc refuses a missing template before reading its 2 MB input: the broken pipe is not an error of ours."""
    from charter.compile.pandoc import CompileError

    document = {"pandoc-api-version": [1, 23, 1], "meta": {},
                "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "x" * 2_000_000}]}]}
    (tmp_path / "manuscript.json").write_bytes(jsontree.dump(document))
    with pytest.raises(CompileError, match="templates/no-such-template.typ"):
        json_to_typst(tmp_path / "manuscript.json", tmp_path / "out.typ", tmp_path / "no-such-template.typ")
    assert not (tmp_path / "out.typ").exists()
