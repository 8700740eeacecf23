"""The checklist's page numbers match the PDF on the second example review, examples/asymptomatic-covid: a
systematic review, so PRISMA 2020 and its abstract checklist (the reference review's pages, PRISMA-ScR, are
tested in test_checklist.py). Tags are added to a copy; every place the checklist gives a page is looked up in
the text pypdf reads from the built PDF: the page holds it, and no page before does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import REPO
from pypdf import PdfReader

from charter.compile.build import build
from charter.submission.checklist import build_checklist

EXAMPLE = REPO / "examples" / "asymptomatic-covid"


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.split("\n")]


def _bare(text: str) -> str:
    """pypdf gives Typst's hyphens (hyphenation and real ones) as soft hyphens or hyphens at line ends."""
    return " ".join(re.sub("[\u00ad-]\\s*", "", text).split())


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("checklist") / "asymptomatic-covid"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build", ".charter-cache", "__pycache__"))
    _edit(root, "manuscript/01-introduction.md", "# Introduction\n", '# Introduction {checklist="3,4"}\n')
    _edit(root, "manuscript/02-methods.md", "## Eligibility and search\n",
          '## Eligibility and search {checklist="5,6"}\n')
    _edit(root, "manuscript/02-methods.md", "## Synthesis\n", '## Synthesis {#synthesis checklist="13d"}\n')
    _edit(root, "manuscript/03-results.md", "## People with infection and asymptomatic infection\n",
          '## People with infection and asymptomatic infection {checklist="20b"}\n')
    _edit(root, "manuscript/04-discussion.md", "## Limitations of this example\n",
          '## Limitations of this example {checklist="23b,23c"}\n')
    discussion = (root / "manuscript/04-discussion.md").read_text(encoding="utf-8").split("\n\n")
    discussion[2] = '::: {checklist="23a"}\n' + discussion[2] + "\n:::"  # the second paragraph of the Discussion
    (root / "manuscript/04-discussion.md").write_text("\n\n".join(discussion), encoding="utf-8")
    with (root / "review.yaml").open("a", encoding="utf-8") as file:
        file.write('\nchecklist:\n  "24a": "not applicable: this example was not registered"\n'
                   '  "9": manuscript/02-methods.md#data-used-in-this-example\n'
                   '  "27": manuscript/04-discussion.md\n  A2: abstract\n')
    build(root, verbose=False)
    _, rows = build_checklist(root, root / "build")
    return root, {row.item: row for row in rows}


def test_the_example_reports_against_prisma_2020_and_its_abstract_checklist(example):
    root, rows = example
    assert {row.checklist for row in rows.values()} == {"PRISMA 2020", "PRISMA 2020 for Abstracts"}
    assert len(rows) == 42 + 12
    tables = docx.Document(root / "build/checklist.docx").tables
    assert [len(t.rows) for t in tables] == [1 + 42, 1 + 12]


def test_every_page_the_checklist_gives_is_the_pdf_page_that_holds_the_place(example):
    root, rows = example
    pages = [p.extract_text() for p in PdfReader(root / "build/manuscript.pdf").pages]
    expected = {"3": "Introduction", "4": "Introduction", "5": "Eligibility and search",
                "6": "Eligibility and search", "13d": "Synthesis", "9": "Data used in this example",
                "20b": "People with infection and asymptomatic infection", "23b": "Limitations of this example",
                "23c": "Limitations of this example", "27": "Discussion", "A2": "Abstract"}
    for item, heading in expected.items():
        place, = rows[item].places
        assert place.page is not None, item
        assert _bare(heading) in [_bare(line) for line in _lines(pages[place.page - 1])], (item, place.page)
        assert all(_bare(heading) not in [_bare(line) for line in _lines(page)]
                   for page in pages[:place.page - 1]), item
    # the tagged paragraph: its first plain words are on its page, and on no page before
    place, = rows["23a"].places
    paragraph = (root / "manuscript/04-discussion.md").read_text(encoding="utf-8").split("\n\n")[2]
    words = _bare(" ".join(paragraph.split("\n")[1].split()[:5]))
    assert words in _bare(pages[place.page - 1]) and place.heading == "Discussion"
    assert all(words not in _bare(page) for page in pages[:place.page - 1])
    # what Charter writes, located without tags: the flow diagram (16a) and Table 1 (17) by their captions
    for item, caption in (("16a", "Figure 1."), ("17", "Table 1.")):
        place, = rows[item].places
        assert place.automatic
        assert any(line.startswith(caption) for line in _lines(pages[place.page - 1])), item
        assert not any(line.startswith(caption) for page in pages[:place.page - 1] for line in _lines(page)), item
    assert rows["1"].places[0].page == 1 and rows["A1"].places[0].page == 1
    assert "search-strategy" in rows["7"].where  # review.yaml has a search: block
    assert rows["24a"].where.startswith("Not applicable")
    # every place with a page, tagged or not, is on a page the PDF has
    assert all(1 <= p.page <= len(pages) for row in rows.values() for p in row.places if p.page is not None)
