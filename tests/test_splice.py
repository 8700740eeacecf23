"""Table 1 and Figure 1 spliced in Python (charter/compile/splice.py) give the Lua filter's splice, byte for byte.

The grouped citation runs read the Markdown with the filter told to splice
nothing and put the blocks in themselves. Each review is built three ways:
the plain run (one pandoc run, the filter splices), the grouped runs with the
filter splicing, and the grouped runs with the splice in Python (what a large
review gets); pandoc's JSON, the DOCX's text and the PDF's text must be the
same. A hand-made document puts placements where the build never does
(metadata, a block quote, a footnote, authored parts with a heading and code),
so the walk and the authored parts are compared with the filter's own result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, copy_reference_review

sys.path.insert(0, str(REPO))
from benchmarks.generate import generate  # noqa: E402
from charter.compile import citations, jsontree, splice  # noqa: E402
from charter.compile.build import build  # noqa: E402
from charter.compile.pandoc import FILTERS, pandoc_path  # noqa: E402


def _review(kind: str, tmp_path: Path) -> Path:
    if kind == "reference":
        return copy_reference_review(tmp_path / "review")
    if kind == "generated":
        return generate(70, tmp_path / "review")
    root = tmp_path / "review"
    shutil.copytree(REPO / "examples" / kind, root, ignore=shutil.ignore_patterns("build"))
    # its numeric style (PLOS) is always formatted in one run; an author-date style takes the grouped runs
    metadata = root / "manuscript" / "metadata.yaml"
    text = metadata.read_text(encoding="utf-8")
    assert "csl: plos-medicine" in text
    metadata.write_text(text.replace("csl: plos-medicine", "csl: apa"), encoding="utf-8")
    return root


def _outputs(root: Path) -> dict:
    from pypdf import PdfReader

    result = build(root, verbose=False)
    with zipfile.ZipFile(result.outputs["docx"]) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    outputs = {"json": (root / "build" / "manuscript.json").read_bytes(), "docx": document,
               "pdf": "\n".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages)}
    shutil.rmtree(root / "build")
    return outputs


@pytest.mark.parametrize("kind", ["reference", "asymptomatic-covid", "generated"])
def test_a_build_spliced_in_python_is_the_filters_byte_for_byte(tmp_path: Path, monkeypatch, kind: str):
    root = _review(kind, tmp_path)
    monkeypatch.setattr(citations, "BUCKET_WORKS", 15)
    grouped, python_splices = [], []
    partitioned, python_splice = citations._partitioned, splice.spliced

    def grouped_spy(*args, **kwargs):
        result = partitioned(*args, **kwargs)
        grouped.append(result is not None)
        return result

    def splice_spy(tree, documents):
        result = python_splice(tree, documents)
        python_splices.append((sorted(documents), result is not None and result != tree))
        return result

    monkeypatch.setattr(citations, "_partitioned", grouped_spy)
    monkeypatch.setattr(splice, "spliced", splice_spy)
    monkeypatch.setenv("CHARTER_CITATIONS", "plain")
    plain = _outputs(root)
    monkeypatch.setenv("CHARTER_CITATIONS", "groups")
    in_python = _outputs(root)
    assert grouped == [True] and python_splices == [(["fig-prisma", "tbl-studies"], True)]

    reader_init = citations._Reader.__init__
    monkeypatch.setattr(citations._Reader, "__init__",  # no settings: the filter splices, as in the plain run
                        lambda self, pandoc, settings, scratch: reader_init(self, pandoc, None, scratch))
    by_the_filter = _outputs(root)
    assert grouped == [True, True] and python_splices[-1] == ([], False)

    assert in_python["json"] == plain["json"] == by_the_filter["json"]
    assert in_python["docx"] == plain["docx"] == by_the_filter["docx"]
    assert in_python["pdf"] == plain["pdf"] == by_the_filter["pdf"]
    assert "Table 1" in plain["pdf"]


# ------------------------------------------------- against the filter itself

DOCUMENT = """\
---
title: Placements where the build never puts them
charter-labels:
  tbl-studies: "Table 1"
abstract: |
  The abstract.

  :::: {#tbl-studies .charter-placement}
  ::::
---

Text citing @tbl-studies and @smith2020.

> :::: {#tbl-studies .charter-placement}
> ::: {.charter-caption}
> Studies by *design*, see @tbl-studies.
>
> # A heading
>
> ```
> code is left out
> ```
>
> A second paragraph.
> :::
> ::: {.charter-note}
> :::
> ::::

A footnote.[^1]

[^1]: The note.

    :::: {#fig-prisma .charter-placement}
    ::::

:::: {#tbl-studies .charter-placement}
::: {.charter-note}
Abbreviations: *n*, number.
:::
::::

:::: {#tbl-other .charter-placement}
::::

::: {#fig-prisma}
Not a placement.
:::
"""

CITATION = {"citationId": "x", "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
            "citationNoteNum": 0, "citationHash": 0}
TABLE = {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": [
    {"t": "RawBlock", "c": ["typst", "#set page(flipped: true)"]},
    {"t": "Table", "c": [
        ["", [], []],
        [None, [{"t": "Plain", "c": [{"t": "Strong", "c": [{"t": "Str", "c": "Table 1."}]}, {"t": "Space"},
                                     {"t": "Str", "c": "Built."}]}]],
        [[{"t": "AlignDefault"}, {"t": "ColWidth", "c": 0.35}], [{"t": "AlignLeft"}, {"t": "ColWidthDefault"}]],
        [["", [], []], []],
        [[["", [], []], 0, [], [[["", [], []], [
            [["", [], []], {"t": "AlignDefault"}, 1, 1,
             [{"t": "Plain", "c": [{"t": "Cite", "c": [[CITATION], [{"t": "Str", "c": "@tbl-studies"}]]}]}]],
            [["ch_s1", [], [["data-x", "ø"]]], {"t": "AlignDefault"}, 1, 1,
             [{"t": "Plain", "c": [{"t": "Image", "c": [["", [], []], [], ["figure.png", ""]]}]}]]]]]]],
        [["", [], []], []]]},
    {"t": "Div", "c": [["", ["charter-table-note"], []], [{"t": "Para", "c": [{"t": "Str", "c": "Built note."}]}]]}]}
FIGURE = {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": [
    {"t": "Div", "c": [["ch_f0001", ["charter-docx-only"], []], [{"t": "Para", "c": [{"t": "Str", "c": "Figure"}]}]]},
    {"t": "RawBlock", "c": ["typst", "#figure[]"]}]}


def _read(folder: Path, settings: dict, markdown: str = DOCUMENT) -> bytes:
    """Pandoc's JSON of the document through the Lua filter with these settings, as the build runs it."""
    (folder / "doc.md").write_text(markdown, encoding="utf-8")
    (folder / "settings.json").write_bytes(jsontree.dump(settings))
    environment = {**os.environ, "CHARTER_FILTER_SETTINGS": str(folder / "settings.json")}
    process = subprocess.run([pandoc_path(), "--sandbox", "doc.md", "--to", "json", "--lua-filter",
                              str(FILTERS / "charter.lua")], capture_output=True, env=environment, cwd=folder)
    assert process.returncode == 0, process.stderr.decode()
    return process.stdout


def _files(folder: Path) -> dict:
    (folder / "table.json").write_bytes(jsontree.dump(TABLE))
    (folder / "figure.json").write_bytes(jsontree.dump(FIGURE))
    return {"tbl-studies": "table.json", "fig-prisma": "figure.json"}


def test_the_splice_in_python_is_the_filters_wherever_the_placement_is(tmp_path: Path):
    settings = {"splice": _files(tmp_path), "images": {"figure.png": "images/figure.png"}}
    by_the_filter = _read(tmp_path, settings)
    read = jsontree.load(_read(tmp_path, splice.unspliced_settings(settings)))
    documents = {"tbl-studies": TABLE, "fig-prisma": FIGURE}
    in_python = splice.spliced(read, documents)
    assert jsontree.dump(in_python) == by_the_filter
    text = by_the_filter.decode("utf-8")
    assert text.count('"Built."') == 2  # the placements without an authored caption keep the built one
    assert text.count("Built note.") == 1  # only the abstract's placement has no authored note
    assert '"figure.png"' in text  # the filter's image paths never reach the spliced blocks
    assert read["blocks"][0] is in_python["blocks"][0]  # what holds no placement is shared, not copied


@pytest.mark.parametrize("caption", [
    pytest.param("- a list item", id="a list"),
    pytest.param("> a block quote", id="a block quote"),
    pytest.param("| a | line block |", id="a line block"),
])
def test_an_authored_part_the_filter_may_not_take_is_left_to_the_filter(tmp_path: Path, caption: str):
    markdown = f":::: {{#tbl-studies .charter-placement}}\n::: {{.charter-caption}}\n{caption}\n:::\n::::\n"
    settings = {"splice": _files(tmp_path), "images": {}}
    read = jsontree.load(_read(tmp_path, splice.unspliced_settings(settings), markdown))
    assert splice.spliced(read, {"tbl-studies": TABLE}) is None


def test_a_file_of_another_pandoc_api_is_left_to_the_filter():
    tree = {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": []}
    assert splice.spliced(tree, {"tbl-studies": {**TABLE, "pandoc-api-version": [1, 22]}}) is None
    assert splice.spliced(tree, {"tbl-studies": {**TABLE, "pandoc-api-version": [1, 23]}}) == tree
