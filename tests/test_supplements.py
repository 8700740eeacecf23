"""Supplementary files: the search strategy (Markdown, DOCX) and the full extraction table (XLSX, DOCX),
read back with openpyxl and python-docx, on the reference review and on a systematic review."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import docx
import pypandoc
import pytest
from conftest import copy_reference_review, write_files
from openpyxl import load_workbook
from projects import systematic_project_files

from charter.sources.load import load_project
from charter.submission.supplements import NOT_REPORTED, SupplementError, extraction_fields, write_supplements


def _cell(value):
    return None if value == NOT_REPORTED else value


def _check_xlsx(root: Path, out: Path) -> None:
    project = load_project(root)
    sheet = load_workbook(out / "extraction-table.xlsx")["Extraction"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, body = rows[0], rows[1:]
    fields = extraction_fields(project)
    assert header == [f.label for f in fields]
    # every study, once
    assert sorted(r[0] for r in body) == sorted(s.id for s in project.studies)
    column = {f.name: i for i, f in enumerate(fields)}
    for study in project.studies:
        row = next(r for r in body if r[0] == study.id)
        assert _cell(row[column["research_question"]]) == study.research_question
        assert _cell(row[column["participants.n"]]) == study.participants.n  # a number stays a number
        assert _cell(row[column["design.method"]]) == study.design.method
        assert _cell(row[column["findings"]]) == ("\n".join(study.findings) or None)
        assert _cell(row[column["keywords"]]) == (", ".join(study.keywords) or None)
        for extra in project.review.extra_fields:  # the review's own fields too, not only Table 1's
            value = study.extra.get(extra.name)
            value = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
            assert _cell(row[column[extra.name]]) == value, (study.id, extra.name)


def _check_docx(root: Path, out: Path) -> None:
    project = load_project(root)
    search = docx.Document(out / "search-strategy.docx")
    text = "\n".join([p.text for p in search.paragraphs] +
                     [c.text for t in search.tables for row in t.rows for c in row.cells])
    for name in (*project.review.search.databases, *project.review.search.terms, *project.review.search.languages):
        assert name in text
    assert (project.review.search.last_search or NOT_REPORTED) in text
    table, = docx.Document(out / "extraction-table.docx").tables
    fields = extraction_fields(project)
    assert len(table.rows) == 1 + len(project.studies) * (len(fields) - 2)
    values = [row.cells[2].text for row in table.rows]
    for study in project.studies:
        assert study.research_question in values or study.research_question is None


def test_reference_review_supplements(tmp_path):
    root = copy_reference_review(tmp_path / "review")
    out = tmp_path / "out"
    written = write_supplements(root, out)
    assert [p.name for p in written] == ["search-strategy.md", "search-strategy.docx", "extraction-table.xlsx",
                                         "extraction-table.docx"]
    # the Markdown is escaped so that pandoc reads every value literally
    plain = " ".join(pypandoc.convert_file(str(out / "search-strategy.md"), "plain", format="markdown").split())
    assert "Dates covered 2000-01 to 2020-01" in plain and "7. Social work, psychiatric" in plain
    assert "All databases 2,819" in plain and "PsycINFO (Ovid)" in plain
    _check_xlsx(root, out)
    _check_docx(root, out)


def test_systematic_review_supplements(tmp_path):
    root = write_files(tmp_path / "sr", systematic_project_files())
    out = tmp_path / "out"
    write_supplements(root, out)
    project = load_project(root)
    assert project.review.extra_fields and project.review.questions
    _check_xlsx(root, out)
    _check_docx(root, out)


def test_data_errors_stop_the_supplements(tmp_path):
    root = copy_reference_review(tmp_path / "review")
    study = root / "studies/andrea2016.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("theme: a", "theme: zz"), encoding="utf-8")
    with pytest.raises(SupplementError, match="invoke check"):
        write_supplements(root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_libreoffice_opens_the_spreadsheet_and_the_table(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it with apt-get")
    root = copy_reference_review(tmp_path / "review")
    out = tmp_path / "out"
    write_supplements(root, out)
    profile = tmp_path / "lo-profile"
    for name, target in (("extraction-table.xlsx", "csv"), ("extraction-table.docx", "txt")):
        process = subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to",
                                  target, "--outdir", str(tmp_path / "lo"), str(out / name)],
                                 capture_output=True, text=True, timeout=180)
        converted = tmp_path / "lo" / f"extraction-table.{target}"
        assert converted.is_file(), f"LibreOffice could not open {name}: {process.stderr}"
    rows = list(csv.reader((tmp_path / "lo/extraction-table.csv").open(encoding="utf-8", errors="replace")))
    assert len(rows) == 1 + len(load_project(root).studies)
    assert "Social support, mental health status" in (tmp_path / "lo/extraction-table.txt").read_text(
        encoding="utf-8", errors="replace")
