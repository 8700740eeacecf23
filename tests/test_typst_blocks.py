"""The Typst writer run on large blocks apart (charter/compile/typst_blocks.py) writes the whole run's bytes.

Each review is built once; then its pandoc JSON is written to Typst in one run (nothing apart) and with
every top-level Table and Div apart (threshold 0, far more blocks than a real build splits), first fresh,
then from what was remembered; and with Table 1's rows in chunks of a few rows (far smaller chunks than
a real build's). Any byte of difference fails.
"""

from __future__ import annotations

import json
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


def _typst(build_dir: Path, name: str, min_bytes: int, chunk_rows: int = 0) -> bytes:
    out = build_dir / name
    messages = json_to_typst(build_dir / "manuscript.json", out, TEMPLATE, version="test", min_block_bytes=min_bytes,
                             chunk_rows=chunk_rows)
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
    assert len(remembered) == len(apart) + 1  # and the run with the template
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
    assert len(parts) == 2 and all(part.word.isalnum() and part.rows is None for part in parts)
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


# ---------------------------------------------------------------- Table 1's rows in chunks


def _table_rows(build_dir: Path, chunk_rows: int) -> typst_blocks.TableRows:
    tree = for_typst(jsontree.load((build_dir / "manuscript.json").read_bytes()))
    _, parts = typst_blocks.split_large(tree, 0, chunk_rows)
    tables = [part.rows for part in parts if part.rows is not None]
    assert len(tables) == 1  # Table 1; no other table of these reviews has more than a few rows
    return tables[0]


@pytest.mark.parametrize("kind", ["reference", "asymptomatic-covid", "generated"])
def test_table_rows_written_in_chunks_give_the_whole_runs_bytes(tmp_path: Path, kind: str):
    build_dir = _built(kind, tmp_path)
    whole = _typst(build_dir, "whole.typ", WHOLE)
    rows = _table_rows(build_dir, 3)
    assert len(rows.chunks) >= 4
    assert _typst(build_dir, "chunks.typ", 0, chunk_rows=3) == whole
    assert _typst(build_dir, "again.typ", 0, chunk_rows=3) == whole  # every chunk as remembered
    assert whole == (build_dir / "manuscript.typ").read_bytes()  # the build's own (its default chunks)


def _rows_of(tree: dict, chunk_rows: int) -> typst_blocks.TableRows:
    _, parts = typst_blocks.split_large(for_typst(tree), 0, chunk_rows)
    return next(part.rows for part in parts if part.rows is not None)


def _edit_one_row(build_dir: Path, chunk_rows: int) -> None:
    """Change a word in one study's row of Table 1, past the middle, where the edit moves no chunk's end."""
    path = build_dir / "manuscript.json"
    tree = jsontree.load(path.read_bytes())
    at, table = next((at, b) for at, b in enumerate(tree["blocks"]) if b["t"] == "Table")
    rows = table["c"][4][0][3]
    before = _rows_of(tree, chunk_rows)
    for number in range(len(rows) // 2, len(rows) - 1):
        data = jsontree.dump(rows[number])
        if b'"c":"n"' not in data:  # a theme's heading row
            continue
        edited_rows = [*rows[:number], json.loads(data.replace(b'"c":"n"', b'"c":"N"', 1)), *rows[number + 1:]]
        body = [*table["c"][4][0][:3], edited_rows]
        edited = {**tree, "blocks": [*tree["blocks"][:at], {**table, "c": [*table["c"][:4], [body], table["c"][5]]},
                                     *tree["blocks"][at + 1:]]}
        if _rows_of(edited, chunk_rows).skeleton == before.skeleton:
            path.write_bytes(jsontree.dump(edited))
            return
    raise AssertionError("no row to edit")


def test_an_edited_row_writes_one_chunk_again(tmp_path: Path, monkeypatch):
    """Counted, not timed: after one study's row changed, every other chunk and block is taken as remembered."""
    build_dir = _built("generated", tmp_path)
    _typst(build_dir, "first.typ", 0, chunk_rows=4)
    before = set((build_dir / typst_blocks.CACHE_FOLDER).iterdir())
    _edit_one_row(build_dir, 4)
    written, found = [], []
    put, get = typst_blocks.Remembered.put, typst_blocks.Remembered.get

    def counting_put(self, document, out, err):
        written.append(document)
        return put(self, document, out, err)

    def counting_get(self, document):
        result = get(self, document)
        found.append(result is not None)
        return result

    monkeypatch.setattr(typst_blocks.Remembered, "put", counting_put)
    monkeypatch.setattr(typst_blocks.Remembered, "get", counting_get)
    edited = _typst(build_dir, "edited.typ", 0, chunk_rows=4)
    rows = _table_rows(build_dir, 4)
    assert len(written) == 1 and written[0] in rows.chunks and b'"c":"N"' in written[0]
    # + the skeleton, the bibliography and the run with the template: the rest of the document is unchanged
    assert len(found) == len(rows.chunks) + 3 and found.count(False) == 1
    after = set((build_dir / typst_blocks.CACHE_FOLDER).iterdir())
    assert len(after - before) == 1 and len(before - after) == 1  # the old chunk forgotten
    assert edited == _typst(build_dir, "edited-whole.typ", WHOLE)


def test_chunks_end_where_their_rows_say_not_where_they_start():
    """A row added at the top changes one chunk: the chunks after it are the same documents."""
    def row(number: int) -> list:
        cell = [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": [{"t": "Str", "c": f"s{number}"}]}]]
        return [["", [], []], [cell, cell]]

    def table(rows: list) -> dict:
        columns = [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]] * 2
        return {"t": "Table", "c": [["tbl", [], []], [None, []], columns, [["", [], []], []],
                                    [[["", [], []], 0, [], rows]], [["", [], []], []]]}

    version = b"[1,23,1]"
    first = typst_blocks.table_rows(table([row(n) for n in range(200)]), b"", version, 8)
    second = typst_blocks.table_rows(table([row(-1)] + [row(n) for n in range(200)]), b"", version, 8)
    assert len(first.chunks) >= 10
    assert len(set(second.chunks) - set(first.chunks)) == 1


def test_a_chunk_that_does_not_come_back_as_written_gives_the_table_in_one_run(tmp_path: Path):
    """A remembered chunk whose sentinel rows are not as written (a garbled cache) is noticed: the bytes stay the
    whole run's."""
    build_dir = _built("generated", tmp_path)
    whole = _typst(build_dir, "whole.typ", WHOLE)
    _typst(build_dir, "chunks.typ", 0, chunk_rows=4)
    chunks = [path for path in (build_dir / typst_blocks.CACHE_FOLDER).iterdir()
              if "CHARTERROWSBEGIN" in json.loads(path.read_text(encoding="utf-8"))["out"]]
    assert len(chunks) > 3
    for garble in (lambda out: out.replace("[CHARTERROWSEND],", "[CHARTERROWSEND], [x],"),  # not alone on its line
                   lambda out: out.replace("[CHARTERROWSBEGIN],", "[CHARTERROWSBEGIN],\n[CHARTERROWSEND],"),  # twice
                   lambda out: out.replace("    [CHARTERROWSBEGIN],", "  [CHARTERROWSBEGIN],")):  # another indent
        for path in chunks:
            stored = json.loads(path.read_text(encoding="utf-8"))
            assert garble(stored["out"]) != stored["out"]
            stored["out"] = garble(stored["out"])
            path.write_text(json.dumps(stored), encoding="utf-8")
        assert _typst(build_dir, "fallback.typ", 0, chunk_rows=4) == whole
        _typst(build_dir, "chunks.typ", 0, chunk_rows=0)  # forget the chunks
        _typst(build_dir, "chunks.typ", 0, chunk_rows=4)  # and remember them again


@pytest.mark.parametrize("skeleton, chunk", [
    pytest.param("  [W0],\n  [W0],", "  [CHARTERROWSBEGIN],\n  [r],\n  [CHARTERROWSEND],", id="placeholder twice"),
    pytest.param("  [W1],", "  [CHARTERROWSBEGIN],\n  [r],\n  [CHARTERROWSEND],", id="placeholder missing"),
    pytest.param("  [W0],", "    [CHARTERROWSBEGIN],\n    [r],\n    [CHARTERROWSEND],", id="another indent"),
    pytest.param("  [W0],", "  [CHARTERROWSEND],\n  [r],\n  [CHARTERROWSBEGIN],", id="end before begin"),
    pytest.param("  [W0],", "  [r],\n  [CHARTERROWSEND],", id="no begin"),
    pytest.param("  [W0],", "  [CHARTERROWSBEGIN], [r],\n  [CHARTERROWSEND],", id="begin not alone on its line"),
    pytest.param("  [W0],", "  [CHARTERROWSBEGIN],\n[CHARTERROWSEND],\n  [CHARTERROWSEND],", id="end twice"),
])
def test_a_table_whose_chunks_do_not_fit_is_refused(skeleton: str, chunk: str):
    with pytest.raises(typst_blocks.SpliceFailed):
        typst_blocks.table_text(skeleton, ["W0"], [chunk])


def test_chunk_rows_put_in_place_of_their_placeholders():
    skeleton = "#table(\n  [h],\n  [W0],\n  [W1],\n  [f],\n)"
    chunks = ["x\n  [CHARTERROWSBEGIN],\n  [a],\n\n  [b],\n  [CHARTERROWSEND],\ny",
              "  [CHARTERROWSBEGIN],\n  [c],\n  [CHARTERROWSEND],"]
    expected = "#table(\n  [h],\n  [a],\n\n  [b],\n  [c],\n  [f],\n)"
    assert typst_blocks.table_text(skeleton, ["W0", "W1"], chunks) == expected


def test_a_table_holding_the_sentinel_word_is_not_cut():
    cell = [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": [{"t": "Str", "c": "CHARTERROWSBEGIN"}]}]]
    table = {"t": "Table", "c": [["", [], []], [None, []], [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]],
                                 [["", [], []], []], [[["", [], []], 0, [], [[["", [], []], [cell]]] * 50]],
                                 [["", [], []], []]]}
    assert typst_blocks.table_rows(table, jsontree.dump(table), b"[1,23,1]", 4) is None


def test_the_run_with_the_template_is_remembered_by_the_templates_text(tmp_path: Path):
    """An edited template is never answered from memory; a template calling a partial is not remembered at all."""
    build_dir = _built("generated", tmp_path)
    template = tmp_path / "manuscript.typ"
    template.write_bytes(TEMPLATE.read_bytes())

    def written(name: str, min_bytes: int = 0) -> bytes:
        out = build_dir / name
        json_to_typst(build_dir / "manuscript.json", out, template, version="test", min_block_bytes=min_bytes)
        return out.read_bytes()

    first = written("first.typ")
    assert written("again.typ") == first  # from memory
    template.write_bytes(TEMPLATE.read_bytes() + b"// edited template\n")
    edited = written("edited.typ")
    assert edited != first and b"// edited template" in edited and edited == written("whole.typ", WHOLE)
    stored = len(list((build_dir / typst_blocks.CACHE_FOLDER).iterdir()))
    (tmp_path / "extra.typ").write_bytes(b"// a partial\n")
    template.write_bytes(TEMPLATE.read_bytes() + b"$extra()$\n")
    assert b"// a partial" in written("partial.typ")
    assert len(list((build_dir / typst_blocks.CACHE_FOLDER).iterdir())) == stored - 1  # the blocks only
    (tmp_path / "extra.typ").write_bytes(b"// the partial edited\n")
    assert b"// the partial edited" in written("partial-edited.typ")


def test_a_missing_template_gives_pandocs_message_when_blocks_are_written_apart(tmp_path: Path):
    build_dir = _built("generated", tmp_path)
    from charter.compile.pandoc import CompileError

    with pytest.raises(CompileError, match="no-such-template.typ"):
        json_to_typst(build_dir / "manuscript.json", tmp_path / "out.typ", tmp_path / "no-such-template.typ",
                      min_block_bytes=0)


def test_a_study_edit_rebuilds_one_chunk_and_the_pdf_is_the_one_runs(tmp_path: Path, monkeypatch):
    """A real build with Table 1 in the default chunks; after a study edit the build writes one chunk of Table 1
    again (counted), and its Typst source and PDF text are those of the writer's one run."""
    from pypdf import PdfReader

    from charter.compile.build import pdf_inputs
    from charter.compile.pandoc import compile_typst
    from charter.sources.metadata import read_metadata

    root = generate(150, tmp_path / "review")
    build(root, verbose=False, formats=("pdf",))
    build_dir = root / "build"
    assert len(_table_rows(build_dir, typst_blocks.CHUNK_ROWS).chunks) >= 2
    studies = sorted((root / "studies").glob("*.yaml"))
    study = studies[len(studies) // 2]  # as the benchmark's study edit
    study.write_text(study.read_text(encoding="utf-8").replace('research_question: "', 'research_question: "Also ', 1),
                     encoding="utf-8")
    written = []
    put = typst_blocks.Remembered.put
    monkeypatch.setattr(typst_blocks.Remembered, "put",
                        lambda self, document, out, err: (written.append(document), put(self, document, out, err))[1])
    build(root, verbose=False, formats=("pdf",))
    assert len(written) == 1 and b"CHARTERROWSBEGIN" in written[0] and b"Also" in written[0]
    whole = _typst(build_dir, "whole.typ", WHOLE)
    assert whole == (build_dir / "manuscript.typ").read_bytes()
    inputs = pdf_inputs(read_metadata(root)[0], False)
    compile_typst(build_dir / "whole.typ", build_dir / "whole.pdf", root=build_dir, inputs=inputs)
    texts = [[page.extract_text() for page in PdfReader(build_dir / name).pages]
             for name in ("manuscript.pdf", "whole.pdf")]
    assert texts[0] == texts[1] and any("Also" in page for page in texts[0])
