"""invoke submit (issue 14): build/submission/ from the reference review and from a second, systematic review.

Real pandoc, Typst, LibreOffice; the files are read back: the DOCX XML, the
PDF text (pypdf), the figure's resolution (Pillow), the DOCX's paragraphs for
an independent word count (python-docx).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image
from pypdf import PdfReader

from charter.checking.check import run as run_check
from charter.sources.metadata import BACK_MATTER, read_metadata
from charter.document.word_counts import words_in
from charter.submission.submit import submit
from conftest import copy_reference_review, write_files
from projects import systematic_project_files

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    root = copy_reference_review(tmp_path_factory.mktemp("submit") / "review")
    submit(root, verbose=False, blind=True, figure_format="tiff", figure_ppi=600)
    return root


SUBMISSION_BLOCK = """
submission:
  line_numbers: true
  spacing: 1.5
  figure_format: png
  figure_ppi: 300
  number_references: false
  word_limits: {abstract: 3, main: 20000}
"""


@pytest.fixture(scope="module")
def systematic(tmp_path_factory) -> Path:
    files = systematic_project_files()
    files["manuscript/metadata.yaml"] += SUBMISSION_BLOCK
    root = write_files(tmp_path_factory.mktemp("submit") / "systematic", files)
    submit(root, verbose=False)
    return root


def _numbers(text: str, page: int) -> list[int]:
    """The line numbers in the text of page ``page`` (1-based): the lines that are a number alone,
    without the page number in the footer."""
    numbers = [int(line) for line in text.splitlines() if re.fullmatch(r"\d{1,4}", line.strip())]
    if page in numbers:  # the footer comes last
        del numbers[len(numbers) - 1 - numbers[::-1].index(page)]
    return numbers


# ------------------------------------------------------------------ the folder


def test_the_folder_holds_what_the_readme_lists(reference: Path):
    folder = reference / "build" / "submission"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["README.txt", "checklist.docx", "checklist.pdf", "figure1.tif", "line-map.json",
                            "manuscript.docx", "manuscript.pdf", "supplementary", "table1.docx", "title-page.docx",
                            "word-counts.json"])
    assert sorted(p.name for p in (folder / "supplementary").iterdir()) == [
        "extraction-table.docx", "extraction-table.xlsx", "search-strategy.docx", "search-strategy.md"]
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    for name in names:
        assert name in readme


def test_blind_the_title_page_names_the_authors_and_the_manuscript_does_not(reference: Path):
    folder = reference / "build" / "submission"
    title_page = "\n".join(p.text for p in docx.Document(folder / "title-page.docx").paragraphs)
    manuscript = "\n".join(p.text for p in docx.Document(folder / "manuscript.docx").paragraphs)
    assert "Bjørlykhaug" in title_page and "University of South-Eastern Norway" in title_page
    assert "Dam Foundation" in title_page  # funding names an institution: on the title page, not in the text
    assert "Dam Foundation" not in manuscript
    assert "Bjørlykhaug, Karlsson" not in manuscript  # the author line; cited works may name them
    words = json.loads((folder / "word-counts.json").read_text(encoding="utf-8"))
    assert f"main text {words['main']}" in title_page


def test_a_table_file_holds_table_1_with_formatted_citations(reference: Path):
    table = docx.Document(reference / "build" / "submission" / "table1.docx")
    assert len(table.tables) == 1
    text = "\n".join(c.text for row in table.tables[0].rows for c in row.cells)
    assert "@" not in text and "Puyat" in text
    assert any(p.text.startswith("Table 1.") for p in table.paragraphs)


def test_the_table_file_is_on_landscape_pages_like_table_1_in_the_manuscript(reference: Path, tmp_path: Path):
    # On a portrait page LibreOffice broke the narrow columns' words without a hyphen ("Settin/g",
    # "Randomise/d"); the manuscript has Table 1 on landscape pages of the manuscript's paper.
    path = reference / "build" / "submission" / "table1.docx"
    section = docx.Document(path).sections[-1]
    assert section.page_width > section.page_height
    assert {section.page_width, section.page_height} == {docx.shared.Twips(11906), docx.shared.Twips(16838)}
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = tmp_path / "profile"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=300, check=True)
    page = PdfReader(tmp_path / "table1.pdf").pages[0]
    assert page.mediabox.width > page.mediabox.height


# ---------------------------------------------------------------- line numbers


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_every_docx_section_has_continuous_line_numbers(project: str, request):
    root = request.getfixturevalue(project)
    with zipfile.ZipFile(root / "build" / "submission" / "manuscript.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    sections = re.findall(r"<w:sectPr\b.*?</w:sectPr>", xml, re.S)
    assert sections
    for section in sections:
        assert re.search(r'<w:lnNumType w:countBy="1" w:restart="continuous"/>', section), section[:300]
        # the schema's order: lnNumType after pgMar, before pgNumType/cols (Word refuses others)
        order = re.findall(r"<w:(\w+)", section)[1:]
        assert order.index("lnNumType") > order.index("pgMar")
        for later in ("pgNumType", "cols", "docGrid"):
            if later in order:
                assert order.index(later) > order.index("lnNumType")


def test_line_numbers_survive_a_libreoffice_round_trip(reference: Path, tmp_path: Path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = f"file:///tmp/lo_{uuid.uuid4().hex}"
    source = reference / "build" / "submission" / "manuscript.docx"
    for target in ("pdf", "docx"):
        out = tmp_path / target
        subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", target,
                        "--outdir", str(out), str(source)], capture_output=True, text=True, timeout=300)
    shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    resaved = tmp_path / "docx" / "manuscript.docx"
    with zipfile.ZipFile(resaved) as archive:
        assert "<w:lnNumType" in archive.read("word/document.xml").decode("utf-8")
    pages = [page.extract_text() for page in PdfReader(tmp_path / "pdf" / "manuscript.pdf").pages]
    first = _numbers(pages[1], 2)
    assert len(first) >= 15 and first == list(range(first[0], first[0] + len(first)))
    # continuous: the second page of text goes on from the first
    second = _numbers(pages[2], 3)
    assert second and second[0] > first[-1]


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_pdf_line_numbers_never_restart(project: str, request):
    root = request.getfixturevalue(project)
    pages = [page.extract_text() for page in PdfReader(root / "build" / "submission" / "manuscript.pdf").pages]
    numbers = [n for index, page in enumerate(pages) for n in _numbers(page, index + 1)]
    assert len(numbers) > 10
    # one run 1, 2, 3, … through every page: never restarting at a page or section
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 2


def test_the_built_manuscript_itself_has_no_line_numbers(reference: Path):
    with zipfile.ZipFile(reference / "build" / "manuscript.docx") as archive:
        assert "lnNumType" not in archive.read("word/document.xml").decode("utf-8")


def test_spacing_is_set_in_the_docx_styles(systematic: Path):
    with zipfile.ZipFile(systematic / "build" / "submission" / "manuscript.docx") as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    defaults = re.search(r"<w:pPrDefault>.*?</w:pPrDefault>", styles, re.S).group(0)
    assert 'w:line="360"' in defaults  # 1.5 lines
    bibliography = re.search(r'<w:style [^>]*w:styleId="Bibliography".*?</w:style>', styles, re.S)
    assert bibliography and "<w:suppressLineNumbers/>" in bibliography.group(0)  # number_references: false


# --------------------------------------------------------------------- figures


def test_figure_resolution_is_as_requested(reference: Path, systematic: Path):
    tiff = Image.open(reference / "build" / "submission" / "figure1.tif")
    assert tiff.format == "TIFF" and tuple(round(v) for v in tiff.info["dpi"]) == (600, 600)
    png = Image.open(systematic / "build" / "submission" / "figure1.png")
    assert png.format == "PNG" and tuple(round(v) for v in png.info["dpi"]) == (300, 300)
    # the same drawing: twice the resolution, twice the pixels (Typst rounds each side)
    assert abs(tiff.size[0] / png.size[0] - 2) < 0.02


# ----------------------------------------------------------------- word counts


def _independent_count(path: Path) -> tuple[int, int]:
    """Words of the abstract and of the main text read from the DOCX: body paragraphs from the first
    top-level heading to the back matter or references, without headings, captions and table notes."""
    document = docx.Document(path)
    back = {heading for _, heading in BACK_MATTER} | {"References"}
    abstract = sum(words_in(p.text) for p in document.paragraphs if p.style.name == "Abstract")
    main, inside = 0, False
    for paragraph in document.paragraphs:
        style = paragraph.style.name
        if style == "Heading 1":
            inside = paragraph.text.strip() not in back
            continue
        if not inside or style.startswith("Heading") or style in ("Image Caption", "Table Caption",
                                                                    "Captioned Figure", "Table Note"):
            continue
        main += words_in(paragraph.text)
    return abstract, main


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_word_counts_equal_an_independent_count_of_the_docx(project: str, request):
    root = request.getfixturevalue(project)
    counts = json.loads((root / "build" / "submission" / "word-counts.json").read_text(encoding="utf-8"))
    abstract, main = _independent_count(root / "build" / "manuscript.docx")
    assert (counts["abstract"], counts["main"]) == (abstract, main)
    assert sum(counts["sections"].values()) == counts["main"]


def test_check_warns_when_a_word_limit_is_exceeded(systematic: Path):
    _, problems = run_check(systematic)
    over = [p for p in problems if p.field == "submission.word_limits.abstract"]
    assert len(over) == 1 and over[0].severity == "warning"
    assert over[0].location.path == "manuscript/metadata.yaml" and over[0].location.line
    text = (systematic / "manuscript" / "metadata.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[over[0].location.line - 1].strip().startswith("word_limits")
    assert not [p for p in problems if p.field == "submission.word_limits.main"]


# ------------------------------------------------------------------- options


def test_bad_options_are_errors_with_file_and_line(tmp_path: Path):
    files = systematic_project_files()
    files["manuscript/metadata.yaml"] += ("\nsubmission:\n  spacing: 3\n  figure_format: gif\n  figure_ppi: 20\n"
                                          "  word_limits: {abstrct: 250}\n  colour: blue\n")
    root = write_files(tmp_path / "bad", files)
    _, problems = read_metadata(root)
    lines = (root / "manuscript" / "metadata.yaml").read_text(encoding="utf-8").splitlines()
    messages = {p.field or p.message: p for p in problems}
    for name, written in (("submission.spacing", "spacing: 3"), ("submission.figure_format", "figure_format: gif"),
                          ("submission.figure_ppi", "figure_ppi: 20")):
        problem = next(p for p in problems if p.field == name)
        assert problem.severity == "error" and written in lines[problem.location.line - 1], problem
    assert any("abstrct" in str(p) for p in problems) and any("colour" in str(p) for p in problems)
    assert messages


def test_a_bad_command_line_value_is_refused_before_building(tmp_path: Path):
    root = write_files(tmp_path / "p", systematic_project_files())
    with pytest.raises(ValueError, match="1, 1.5 or 2"):
        submit(root, verbose=False, spacing=3)
    assert not (root / "build").exists()


def test_no_line_numbers_when_the_journal_does_not_want_them(tmp_path: Path):
    files = systematic_project_files()
    files["manuscript/metadata.yaml"] += "\nsubmission:\n  line_numbers: false\n"
    root = write_files(tmp_path / "p", files)
    submit(root, verbose=False, figure_format="svg")
    with zipfile.ZipFile(root / "build" / "submission" / "manuscript.docx") as archive:
        assert "lnNumType" not in archive.read("word/document.xml").decode("utf-8")
    assert (root / "build" / "submission" / "figure1.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")


# -------------------------------------------------------------------- line map


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@pytest.mark.parametrize("project", ["reference", "systematic"])
def test_the_line_map_points_at_the_source_line_each_pdf_line_starts_in(project: str, request):
    root = request.getfixturevalue(project)
    entries = json.loads((root / "build" / "submission" / "line-map.json").read_text(encoding="utf-8"))
    pages = PdfReader(root / "build" / "submission" / "manuscript.pdf").pages
    numbers = [n for index, page in enumerate(pages) for n in _numbers(page.extract_text(), index + 1)]
    assert [e["line"] for e in entries] == numbers  # every numbered line of the PDF, in order
    prose = [e for e in entries if e.get("what") == "text" and len(e["text"].split()) >= 4]
    assert len(prose) >= (3 if project == "systematic" else 200)
    right = 0
    for entry in prose:
        lines = (root / entry["source"]).read_text(encoding="utf-8").splitlines()
        # a word the line starts with (of three or more letters: "Of 7 included" comes from "Of {{ n.… }} included")
        start = next((_norm(w) for w in entry["text"].split()[:3] if len(_norm(w)) >= 3), _norm(entry["text"]))
        near = lines[max(0, entry["source_line"] - 2):entry["source_line"]]  # this line, or it began on the one before
        right += any(start in _norm(line) for line in near)
    assert right / len(prose) >= 0.9, f"{right} of {len(prose)} lines traced to their source line"


def test_invoke_where_answers_with_the_source_place(reference: Path):
    entries = json.loads((reference / "build" / "submission" / "line-map.json").read_text(encoding="utf-8"))
    entry = next(e for e in entries if (e.get("source") or "").startswith("manuscript/0") and e["line"] > 40)
    from charter.submission.linemap import where

    answer = where(reference, entry["line"])
    assert answer.startswith(f"{entry['source']}:{entry['source_line']}: line {entry['line']} (page {entry['page']})")
    assert "not in build/submission/manuscript.pdf" in where(reference, 99999)


# ------------------------------------------------- tables and figures at the end


def test_tables_and_figures_at_the_end_leave_markers_where_they_were(tmp_path: Path):
    root = copy_reference_review(tmp_path / "review")
    metadata = root / "manuscript" / "metadata.yaml"
    metadata.write_text(metadata.read_text(encoding="utf-8") + "\nsubmission:\n  floats: end\n"
                        "  float_marker: \"<<{label} near here>>\"\n", encoding="utf-8")
    submit(root, verbose=False)
    document = docx.Document(root / "build" / "submission" / "manuscript.docx")
    texts = [p.text for p in document.paragraphs]
    references = texts.index("References")
    markers = [i for i, t in enumerate(texts) if t in ("<<Table 1 near here>>", "<<Figure 1 near here>>")]
    assert len(markers) == 2 and all(i < references for i in markers)
    captions = [i for i, t in enumerate(texts) if t.startswith(("Table 1.", "Figure 1."))]
    assert len(captions) == 2 and all(i > references for i in captions)
    assert len(document.tables) == 1
    # the text's cross-references keep their numbers
    body = " ".join(texts[:references])
    assert "Table 1" in body.replace("<<Table 1 near here>>", "") and "Figure 1" in body.replace(
        "<<Figure 1 near here>>", "")
    pages = [page.extract_text() for page in PdfReader(root / "build" / "submission" / "manuscript.pdf").pages]
    reference_page = max(i for i, t in enumerate(pages) if "References" in t)
    marker_pages = [i for i, t in enumerate(pages) if "near here>>" in t]
    table_page = next(i for i, t in enumerate(pages) if "Table 1. Characteristics" in t)
    assert marker_pages and max(marker_pages) < reference_page < table_page


def test_separate_tables_and_figures_leave_the_manuscript(tmp_path: Path):
    root = write_files(tmp_path / "p", systematic_project_files())
    submit(root, verbose=False, floats="separate")
    folder = root / "build" / "submission"
    document = docx.Document(folder / "manuscript.docx")
    assert document.tables == [] and "[Table 1 about here]" in [p.text for p in document.paragraphs]
    assert len(docx.Document(folder / "table1.docx").tables) == 1 and (folder / "figure1.png").is_file()


def test_invoke_counts_lists_the_word_counts_as_placeholders(reference: Path):
    import io

    from charter.checking.check import print_counts

    out = io.StringIO()
    print_counts(reference, fmt="json", out=out)
    data = json.loads(out.getvalue())
    counts = json.loads((reference / "build" / "submission" / "word-counts.json").read_text(encoding="utf-8"))
    assert data["words.main"]["value"] == counts["main"] and data["words.main"]["placeholder"] == "{{ n.words.main }}"
    assert data["words.abstract"]["value"] == counts["abstract"]
    assert data["words.introduction"]["value"] == counts["sections"]["Introduction"]
