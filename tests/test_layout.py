"""Page layout read back from real outputs: Table 1's note keeps to the table, table cells are not
hyphenated, and title-page notes (corresponding author, equal contribution) are real footnotes."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from charter.document.assemble import title_page_notes
from charter.compile.build import build
from charter.sources.metadata import Author
from conftest import write_files
from projects import STUDY_BERG, minimal_project_files


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def project_with_extra_studies(root: Path, extra: int) -> Path:
    """The minimal project with `extra` more studies in theme b (first authors Zeta000, Zeta001, …): the
    last rows of Table 1."""
    files = minimal_project_files()
    bib = files["bib/references.bib"]
    for i in range(extra):
        key = f"extra{i:03d}"
        files[f"studies/{key}.yaml"] = STUDY_BERG.replace("id: berg2018", f"id: {key}").replace("theme: a", "theme: b")
        bib += (f"\n@article{{{key},\n  author = {{Zeta{i:03d}, Anna}},\n  title = {{Extra study {i}}},\n"
                f"  journal = {{Journal of Examples}},\n  year = {{2018}},\n}}\n")
    files["bib/references.bib"] = bib
    review = files["review.yaml"]
    for old, new in (("dbr_excluded: 49", f"dbr_excluded: {49 - extra}"),
                     ("new_studies: 3", f"new_studies: {3 + extra}"), ("new_reports: 4", f"new_reports: {4 + extra}"),
                     ("total_studies: 3", f"total_studies: {3 + extra}"),
                     ("total_reports: 4", f"total_reports: {4 + extra}")):
        assert review.count(old) == 1
        review = review.replace(old, new)
    files["review.yaml"] = review
    files["manuscript/02-findings.md"] = "# Findings\n\n@tbl-studies lists the studies.\n\n{{ table:studies }}\n"
    return write_files(root, files)


# With the note as a block after the table (before this change), 13 extra studies filled the
# first landscape page exactly and the note stood alone on the next one (measured: note on
# page 3, last row on page 2); 12 and 14 were laid out well then too.
@pytest.mark.parametrize("extra", [12, 13, 14])
def test_table_note_is_on_the_page_of_the_last_rows(tmp_path, extra):
    root = project_with_extra_studies(tmp_path / "p", extra)
    build(root, formats=("pdf",), verbose=False)
    pages = pdf_pages(root / "build" / "manuscript.pdf")
    note_pages = [i for i, text in enumerate(pages) if "Note. QUAL = qualitative" in text]
    assert len(note_pages) == 1, note_pages
    note_page = pages[note_pages[0]]
    last = f"Zeta{extra - 1:03d}"
    assert last in note_page, f"the note's page lacks the last row ({last}):\n{note_page}"
    # the note comes after the last row on its page, not before it
    assert note_page.index(last) < note_page.index("Note. QUAL = qualitative")


HYPHENATABLE = ("asymptomatic presymptomatic transmission characteristically overwhelmingly "
                "investigation questionnaires accommodation neighbourhoods responsibilities")


def test_table_cells_are_not_hyphenated(tmp_path):
    files = minimal_project_files()
    files["studies/berg2018.yaml"] = files["studies/berg2018.yaml"].replace(
        "  - Friends offered a sense of ordinary life.", f"  - {HYPHENATABLE.capitalize()}.")
    # a narrow findings column, so the words cannot all fit on a line
    files["review.yaml"] = files["review.yaml"].replace("{field: findings, heading: Main findings, width: 2}",
                                                        "{field: findings, heading: Main findings, width: 0.5}")
    files["manuscript/02-findings.md"] = "# Findings\n\n@tbl-studies lists the studies.\n\n{{ table:studies }}\n"
    root = write_files(tmp_path / "p", files)
    build(root, verbose=False)
    table_pages = [t for t in pdf_pages(root / "build" / "manuscript.pdf") if "Table 1." in t]
    assert table_pages
    text = "\n".join(table_pages)
    assert "overwhelmingly" in text  # the words are there, whole
    broken = re.findall(r"[a-z]+[-\u00ad]\n[a-z]+", text)
    assert not broken, f"words hyphenated in Table 1: {broken}"
    with zipfile.ZipFile(root / "build" / "manuscript.docx") as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    compact = re.search(r'<w:style [^>]*w:styleId="Compact".*?</w:style>', styles, re.S).group(0)
    assert re.search(r"<w:suppressAutoHyphens\s*/>", compact)


TWO_AUTHORS = """\
title: Social support and recovery
authors:
  - name: Kari Nordmann
    affiliation: 1
    email: kari.nordmann@example.org
    corresponding: true
    equal_contribution: true
  - name: Ola Hansen
    affiliation: 2
    equal_contribution: true
  - name: Per Olsen
    affiliation: 1
affiliations:
  - {id: 1, name: University of Bergen}
  - {id: 2, name: University of Oslo}
abstract: We mapped {{ n.included }} studies.
keywords: [social support]
csl: apa
"""


@pytest.fixture(scope="module")
def footnoted(tmp_path_factory) -> Path:
    files = minimal_project_files()
    files["manuscript/metadata.yaml"] = TWO_AUTHORS
    files["manuscript/01-introduction.md"] += "\nA note in the text.^[A footnote of the text.]\n"
    root = write_files(tmp_path_factory.mktemp("footnotes") / "p", files)
    build(root, verbose=False)
    return root


def test_title_page_notes_are_footnotes_in_the_docx(footnoted):
    document = docx.Document(str(footnoted / "build" / "manuscript.docx"))
    authors = [p for p in document.paragraphs if p.style.name == "Author"]
    assert [p.text for p in authors] == ["Kari Nordmann1*†", "Ola Hansen2†", "Per Olsen1"]
    assert not any("Corresponding" in p.text or "equally" in p.text for p in document.paragraphs)
    footnotes = next(part for part in document.part.package.parts if part.partname == "/word/footnotes.xml")
    notes = footnotes.blob.decode("utf-8")
    assert "Corresponding author: Kari Nordmann, kari.nordmann@example.org" in notes
    assert "Kari Nordmann and Ola Hansen contributed equally to this work." in notes
    # the first author's two notes are marked * and † (customMarkFollows), not numbered
    xml = authors[0]._p.xml
    assert xml.count('w:customMarkFollows="1"') == 2
    assert re.findall(r"customMarkFollows=\"1\"/>\s*<w:t>(.)</w:t>", xml) == ["*", "†"]


def test_title_page_notes_are_footnotes_in_the_pdf(footnoted):
    first = pdf_pages(footnoted / "build" / "manuscript.pdf")[0]
    author_line = next(line for line in first.splitlines() if "Kari Nordmann" in line)
    assert "Corresponding" not in author_line
    assert "Ola Hansen2†" in author_line
    # footnotes sit at the foot of the page, after the text; the text's own footnote is numbered 1
    assert first.index("*Corresponding author: Kari Nordmann") > first.index("Keywords")
    assert "†Kari Nordmann and Ola Hansen contributed equally to this work." in first
    assert "1A footnote of the text." in first


def test_libreoffice_shows_the_title_page_footnotes_at_the_foot_of_page_one(footnoted, tmp_path):
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(footnoted / "build" / "manuscript.docx")],
                   check=True, capture_output=True, timeout=180)
    first = pdf_pages(tmp_path / "manuscript.pdf")[0]
    assert first.index("Corresponding author: Kari Nordmann") > first.index("Keywords")
    assert "† Kari Nordmann and Ola Hansen contributed equally" in first
    assert "††" not in first


def test_notes_are_shared_and_a_single_equal_contributor_gets_none():
    a = Author("A", corresponding=True)
    b = Author("B", corresponding=True, equal_contribution=True)
    c = Author("C")
    notes = title_page_notes([a, b, c])
    assert [[(n.number, first) for n, first in marks] for marks in notes] == [[(1, True)], [(1, False)], []]
    assert notes[0][0][0].text == "Corresponding authors: A; B"
    d = Author("D", equal_contribution=True)
    e = Author("E", equal_contribution=True)
    notes = title_page_notes([d, c, e])
    assert notes[0][0][0].text == "D and E contributed equally to this work."
    assert [[first for _, first in marks] for marks in notes] == [[True], [], [False]]


# A title that the PDF broke as "multiple scle-/rosis" when every paragraph was hyphenated; headings and
# the ragged-right reference list had the same breaks ("Scandina-/vian", "Jour-/nal").
LONG_TITLE = "Exercise training for fatigue in adults with multiple sclerosis: a systematic review of trials"


def test_title_headings_and_references_are_not_hyphenated(tmp_path):
    files = minimal_project_files()
    files["manuscript/metadata.yaml"] = files["manuscript/metadata.yaml"].replace(
        "title: Social support and recovery from mental health problems", f"title: \"{LONG_TITLE}\"")
    files["manuscript/01-introduction.md"] += (
        "\n## Characteristically overwhelmingly interdisciplinary neighbourhood-based rehabilitation "
        "responsibilities\n\nText.\n")
    root = write_files(tmp_path / "p", files)
    build(root, formats=("pdf",), verbose=False)
    pages = pdf_pages(root / "build" / "manuscript.pdf")
    title = pages[0][:pages[0].index("Kari Nordmann")]
    assert "sclerosis" in title and not re.search(r"[a-z][-\u00ad]\s*\n\s*[a-z]", title), title
    text = "\n".join(pages)
    start = text.index("Characteristically")
    heading = text[start:text.index("Text.", start)]
    assert not re.search(r"[a-z][-\u00ad]\s*\n\s*[a-z]", heading), heading
    body = text.replace("\u00ad", "-")
    references = body[body.rindex("References"):]
    assert not re.search(r"[a-z]-\n[a-z]", references), references


def test_a_long_author_list_starts_on_the_title_page_in_libreoffice(tmp_path):
    # Nineteen authors (the covid example has them): at double spacing, each on a line kept with the
    # next, the author block did not fit under the title, so LibreOffice moved all of it to page 2
    # and page 1 held the title alone.
    files = minimal_project_files()
    authors = "".join(f"  - name: Author Number{i:02d}\n    affiliation: 1\n" for i in range(1, 19))
    files["manuscript/metadata.yaml"] = files["manuscript/metadata.yaml"].replace(
        "affiliations:\n", authors + "affiliations:\n", 1)
    root = write_files(tmp_path / "p", files)
    build(root, formats=("docx",), verbose=False)
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(root / "build" / "manuscript.docx")],
                   check=True, capture_output=True, timeout=180)
    first = pdf_pages(tmp_path / "manuscript.pdf")[0]
    assert "Kari Nordmann" in first and "Author Number18" in first, first
    assert "Department of Health Sciences" in first, first
