"""Word counts as placeholders in the text (issue 14, item 4): "Word count: {{ n.words.main }}" in any section.

The reference review and a second (systematic) review are built with such a sentence in a section of their own
and in the abstract; the number is read back from the DOCX and the PDF and compared with a count of the DOCX's
own paragraphs done here, by the rule of docs/submission.md written out again (not charter's function).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from charter.compile.build import BuildError, build
from charter.checking.check import run as run_check
from charter.sources.metadata import BACK_MATTER
from conftest import copy_reference_review, write_files
from projects import systematic_project_files

STATEMENT = ("# Word count\n\nWord count: {{{{ n.words.main }}}} words in the main text, {{{{ n.words.abstract }}}} in the "
             "abstract; the {first} section has {{{{ n.words.{section} }}}} words.\n")


def _words(text: str) -> int:
    """A word: a run between spaces holding a letter or a digit (docs/submission.md), counted independently."""
    return len([token for token in text.split() if re.search(r"\w", token) and not re.fullmatch(r"_+", token)])


def _independent_counts(path: Path) -> tuple[int, int, dict[str, int]]:
    """Abstract, main text and each first-level section, from the DOCX's paragraphs: body text from the first
    top-level heading to the back matter or the references; headings, captions and table notes left out."""
    document = docx.Document(path)
    back = {heading for _, heading in BACK_MATTER} | {"References"}
    abstract = sum(_words(p.text) for p in document.paragraphs if p.style.name == "Abstract")
    main, sections, current = 0, {}, None
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        if style == "Heading 1":
            current = None if paragraph.text.strip() in back else paragraph.text.strip()
            if current:
                sections.setdefault(current, 0)
            continue
        if current is None or style.startswith("Heading") or style in ("Image Caption", "Table Caption",
                                                                       "Captioned Figure", "Table Note"):
            continue
        number = _words(paragraph.text)
        main += number
        sections[current] += number
    return abstract, main, sections


def _stated(text: str) -> tuple[int, int, int]:
    match = re.search(r"Word count: ([\d,]+) words in the main text, ([\d,]+) in the abstract; the \w+ section "
                      r"has ([\d,]+) words", " ".join(text.split()))
    assert match, text[:300]
    return tuple(int(g.replace(",", "")) for g in match.groups())


def _with_statement(root: Path, first: str, section: str) -> Path:
    (root / "manuscript" / "99-word-count.md").write_text(STATEMENT.format(first=first, section=section),
                                                          encoding="utf-8")
    metadata = root / "manuscript" / "metadata.yaml"
    text = metadata.read_text(encoding="utf-8")
    # in the abstract too: it then states a count and is counted itself
    text = re.sub(r"(\nabstract: \|\n)", r"\1  The main text has {{ n.words.main }} words.\n", text, count=1)
    assert "{{ n.words.main }} words." in text
    metadata.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    root = _with_statement(copy_reference_review(tmp_path_factory.mktemp("words") / "review"), "Introduction",
                           "introduction")
    build(root, verbose=False)
    return root


@pytest.fixture(scope="module")
def systematic(tmp_path_factory) -> Path:
    files = systematic_project_files()
    if "\nabstract: |\n" not in files["manuscript/metadata.yaml"]:
        pytest.fail("the systematic project's abstract is not a block: adapt _with_statement")
    root = write_files(tmp_path_factory.mktemp("words") / "systematic", files)
    first = next(line[2:].split("{")[0].strip() for path in sorted((root / "manuscript").glob("0*.md"))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    _with_statement(root, first, re.sub(r"[^a-z0-9]+", "_", first.lower()).strip("_"))
    build(root, verbose=False)
    return root


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_the_word_count_a_section_states_equals_a_count_of_the_docx(project: str, request):
    root = request.getfixturevalue(project)
    path = root / "build" / "manuscript.docx"
    paragraphs = [p.text for p in docx.Document(path).paragraphs]
    main_stated, abstract_stated, section_stated = _stated(next(p for p in paragraphs if p.startswith("Word count:")))
    abstract, main, sections = _independent_counts(path)
    first = next(iter(sections))
    assert (main_stated, abstract_stated, section_stated) == (main, abstract, sections[first])
    # the sentence stating the count is counted: the count is of the text as printed, the number included
    assert sections["Word count"] == _words(next(p for p in paragraphs if p.startswith("Word count:")))
    assert main > 1000 if project == "reference" else main > 30
    # the abstract states the main text's count too
    abstract_text = " ".join(p.text for p in docx.Document(path).paragraphs if p.style.name == "Abstract")
    assert f"The main text has {main:,} words." in abstract_text
    assert "\u27e6" not in "\n".join(paragraphs) + abstract_text  # no stand-in left


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_the_pdf_states_the_same_counts(project: str, request):
    root = request.getfixturevalue(project)
    text = "\n".join(page.extract_text() for page in PdfReader(root / "build" / "manuscript.pdf").pages)
    _, main, sections = _independent_counts(root / "build" / "manuscript.docx")
    main_stated, _, section_stated = _stated(text)
    assert (main_stated, section_stated) == (main, sections[next(iter(sections))])
    assert f"The main text has {main:,} words." in " ".join(text.split())
    assert "\u27e6" not in text


def test_the_numbers_are_the_builds_in_the_anchor_manifest(reference: Path):
    manifest = json.loads((reference / "build" / "manuscript.anchors.json").read_text(encoding="utf-8"))
    words = {e["text"] for e in manifest["numbers"].values() if e["count"].startswith("words.")}
    _, main, sections = _independent_counts(reference / "build" / "manuscript.docx")
    assert {f"{main:,}", f"{sections['Introduction']:,}"} <= words
    assert "\u27e6" not in json.dumps(manifest, ensure_ascii=False)


def test_a_build_reusing_pandocs_reading_fills_the_counts_in_too(tmp_path: Path):
    root = _with_statement(write_files(tmp_path / "p", systematic_project_files()), "Results", "results")
    build(root, formats=("docx",), verbose=False)
    first = [p.text for p in docx.Document(root / "build" / "manuscript.docx").paragraphs]
    result = build(root, formats=("docx", "pdf"), verbose=False)  # pandoc's reading is reused from the cache
    assert "pandoc: read + citeproc" in result.skipped
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages).split())
    stated = next(p for p in first if p.startswith("Word count:"))
    assert _stated(stated)[0] == _stated(text)[0]
    manifest = json.loads((root / "build" / "manuscript.anchors.json").read_text(encoding="utf-8"))
    assert "\u27e6" not in json.dumps(manifest, ensure_ascii=False)


def test_mistakes_are_reported_with_file_and_line_before_pandoc(tmp_path: Path):
    files = systematic_project_files()
    files["manuscript/99-word-count.md"] = ("# Word count\n\nThe text has {{ n.words.main | words }} words; the "
                                            "results {{ n.words.reslts }}.\n")
    root = write_files(tmp_path / "p", files)
    _, problems = run_check(root)
    messages = [str(p) for p in problems if p.location.path == "manuscript/99-word-count.md"]
    assert any(m.startswith("manuscript/99-word-count.md:3:") and "without '| words'" in m for m in messages), messages
    assert any("unknown placeholder 'n.words.reslts'" in m and "n.words.results" in m
               for m in messages), messages
    with pytest.raises(BuildError, match="without '| words'"):
        build(root, verbose=False)
    assert not (root / "build" / "manuscript.docx").exists()
