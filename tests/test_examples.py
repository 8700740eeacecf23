"""The example reviews in examples/ check clean and build, run as a user would run them
(`invoke check --strict`, `invoke build` in the example's folder), and their DOCX and PDF read
back right: one Table 1 row per study file shown, first author and year before each numeric
citation, "not reported" where a study does not report a value."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "asymptomatic-covid"


def run_invoke(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["invoke", *args], cwd=folder, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the example (and the root tasks.py its tasks.py loads), checked and built."""
    root = tmp_path_factory.mktemp("examples")
    shutil.copy2(REPO / "tasks.py", root / "tasks.py")
    folder = root / "examples" / EXAMPLE.name
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("build", ".charter-cache", "__pycache__"))
    check = run_invoke(folder, "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 errors, 0 warnings" in check.stdout
    result = run_invoke(folder, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def study_files() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((EXAMPLE / "studies").glob("*.yaml"))]


def first_author_labels() -> dict[str, str]:
    """Study id -> "Surname et al. year" from the example's bibliography (every entry has 'and others')."""
    bib = (EXAMPLE / "bib" / "included.bib").read_text(encoding="utf-8")
    labels = {}
    for key, author, year in re.findall(r"@article\{(\w+),\n  author\s+= \{([^,{}]+?)(?:,[^}]*)? and others\},"
                                        r"(?:.|\n)*?year\s+= \{(\d{4})\}", bib):
        labels[key] = f"{author} et al. {year}"
    return labels


def test_the_example_is_a_real_second_review():
    review = yaml.safe_load((EXAMPLE / "review.yaml").read_text(encoding="utf-8"))
    studies = study_files()
    assert review["type"] == "systematic" and len(studies) >= 60
    assert review["prisma"]["total_studies"] == len(studies) + review["prisma"]["studies_without_files"]
    assert any("samples" in (s.get("participants") or {}) for s in studies)
    assert any(s.get("region", "x") is None for s in studies)
    metadata = yaml.safe_load((EXAMPLE / "manuscript" / "metadata.yaml").read_text(encoding="utf-8"))
    assert metadata["csl"] == "plos-medicine"
    assert "CC BY" in (EXAMPLE / "README.md").read_text(encoding="utf-8")


def test_docx_table1_has_a_row_per_study_of_question_1_labelled_by_first_author(built):
    shown = [s for s in study_files() if "q1" in s["questions"]]
    document = docx.Document(str(built / "build" / "manuscript.docx"))
    table = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Study"))
    first_cells = [row.cells[0].text for row in table.rows[1:]]
    study_rows = [text for text in first_cells if re.search(r"\[\d+\]", text)]
    assert len(study_rows) == len(shown)
    labels = first_author_labels()
    for study in shown:
        label = labels[study["id"]]
        # the label, then the numeric citation (the reference list's number)
        assert any(re.match(re.escape(label) + r" \[\d+\]", text) for text in study_rows), label
    cells = "\n".join(cell.text for row in table.rows for cell in row.cells)
    assert "not reported" in cells
    assert "Cluster 2 (2 asymptomatic): n = 4" in cells  # a study's second sample


def test_pdf_has_every_label_numeric_citations_and_not_reported(built):
    text = "\n".join(page.extract_text() for page in PdfReader(str(built / "build" / "manuscript.pdf")).pages)
    flat = re.sub(r"\s+", " ", text)
    labels = first_author_labels()
    for study in study_files():
        if "q1" in study["questions"]:
            assert re.search(re.escape(labels[study["id"]]) + r" \[\d+\]", flat), labels[study["id"]]
    assert "not reported" in flat
    assert re.search(r"Table 1\. Studies of the proportion", flat)
    # numeric citations in the text, not author-date ones
    assert re.search(r"\[\d+(?:[,–-]\d+)*\]", flat.split("Table 1.")[0])
