"""`charter init`: a new review that checks and builds at once, with the sections its reporting guideline asks for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from charter.start.init import main as charter
from conftest import REPO

# The section headings of each starter, from the reporting guidelines' checklists
# (PRISMA-ScR: Tricco et al. 2018; PRISMA 2020: Page et al. 2021), in their words.
SCOPING_HEADINGS = ["Introduction", "Methods", "Protocol and registration", "Eligibility criteria",
                    "Information sources and search", "Selection of sources of evidence",
                    "Data charting and data items", "Critical appraisal of individual sources of evidence",
                    "Synthesis of results", "Results", "Selection of sources of evidence",
                    "Characteristics of sources of evidence", "Results of individual sources and synthesis of results",
                    "Discussion", "Summary of evidence", "Limitations", "Conclusions"]
SYSTEMATIC_HEADINGS = ["Introduction", "Methods", "Eligibility criteria", "Information sources", "Search strategy",
                       "Selection process", "Data collection process", "Data items",
                       "Study risk of bias assessment", "Effect measures", "Synthesis methods",
                       "Reporting bias assessment", "Certainty assessment", "Results", "Study selection",
                       "Study characteristics", "Risk of bias in studies", "Results of individual studies",
                       "Results of syntheses", "Reporting biases", "Certainty of evidence", "Discussion",
                       "Limitations", "Implications", "Other information", "Registration and protocol",
                       "Availability of data, code and other materials"]


def invoke(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run invoke as a user would, in the review folder (this checkout's charter on the path)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd or root, capture_output=True, text=True,
                          env=env)


def headings(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


@pytest.mark.parametrize(("review_type", "expected"), [
    pytest.param("scoping", SCOPING_HEADINGS, id="scoping (PRISMA-ScR)"),
    pytest.param("systematic", SYSTEMATIC_HEADINGS, id="systematic (PRISMA 2020)"),
])
def test_a_new_review_checks_and_builds_at_once(tmp_path, review_type, expected, capsys):
    root = tmp_path / "my review"
    assert charter(["init", str(root), "--type", review_type]) == 0
    assert "invoke check && invoke build" in capsys.readouterr().out
    for rel in ("review.yaml", "tasks.py", ".gitignore", ".github/workflows/manuscript.yml", "bib/references.bib",
                "manuscript/metadata.yaml", "studies/example2024.yaml"):
        assert (root / rel).is_file(), rel
    assert f"type: {review_type}" in (root / "review.yaml").read_text(encoding="utf-8")

    check = invoke(root, "check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 errors, 0 warnings" in check.stdout
    built = invoke(root, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    found = headings(root / "build" / "manuscript.docx")
    assert found[:len(expected)] == expected
    assert found[len(expected):] == ["Acknowledgements", "Author contributions", "Funding", "Disclosure statement",
                                     "References"]
    text = "\n".join(p.text for p in docx.Document(str(root / "build" / "manuscript.docx")).paragraphs)
    assert "TODO" in text  # the build shows what is still to fill in
    assert (root / "build" / "manuscript.pdf").read_bytes().startswith(b"%PDF")


def test_the_tasks_run_on_the_folder_of_tasks_py_from_any_sub_folder(tmp_path):
    root = tmp_path / "review"
    charter(["init", str(root)])
    counts = invoke(root, "counts", "--format", "json", cwd=root / "manuscript")
    assert counts.returncode == 0, counts.stderr
    assert '"placeholder": "{{ n.included }}"' in counts.stdout


def test_style_is_validated_and_written_to_metadata(tmp_path, capsys):
    assert charter(["init", str(tmp_path / "a"), "--style", "apa"]) == 0
    assert "csl: apa " in (tmp_path / "a" / "manuscript" / "metadata.yaml").read_text(encoding="utf-8")
    assert charter(["init", str(tmp_path / "b"), "--style", "nosuchjournal"]) == 1
    assert capsys.readouterr().err.startswith("charter init: unknown citation style 'nosuchjournal'")
    assert not (tmp_path / "b").exists()


def test_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert charter(["init", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"charter init: {tmp_path} is not empty: name a new or empty folder, or add "
                                       "--force to write the review files into it (files of the same name are "
                                       "overwritten; nothing else is touched)\n")
    assert not (tmp_path / "review.yaml").exists()
    assert charter(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "review.yaml").is_file()
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_unknown_type_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        charter(["init", str(tmp_path / "x"), "--type", "umbrella"])
    assert exit.value.code == 2
    assert "invalid choice: 'umbrella'" in capsys.readouterr().err


def test_the_repository_tasks_py_is_the_package_tasks_plus_bench():
    text = (REPO / "tasks.py").read_text(encoding="utf-8")
    assert "from charter.tasks import *" in text
    starter = (REPO / "charter" / "starter" / "common" / "tasks.py").read_text(encoding="utf-8")
    assert "from charter.tasks import *" in starter


def _document_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.mark.parametrize("review_type", ["scoping", "systematic"])
def test_a_new_review_reads_sensibly_and_its_checklist_starts_mapped(tmp_path, review_type):
    # The starter once said "We searched not reported databases." and, its headings untagged, left a
    # systematic review's submission pack with 47 checklist items "reported nowhere".
    root = tmp_path / "review"
    assert charter(["init", str(root), "--type", review_type]) == 0
    submitted = invoke(root, "submit")
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert "nowhere" not in submitted.stdout + submitted.stderr
    assert "not reported anywhere" not in submitted.stdout + submitted.stderr
    text = _document_text(root / "build" / "manuscript.docx")
    assert "not reported databases" not in text
    assert "Number of databases searched: not reported." in text
    optional = {"scoping": {"12", "16"}, "systematic": set()}[review_type]
    rows = [[cell.text for cell in row.cells] for table in
            docx.Document(str(root / "build" / "submission" / "checklist.docx")).tables for row in table.rows[1:]]
    assert len(rows) == {"scoping": 22, "systematic": 42 + 12}[review_type]
    unmapped = [row[1] for row in rows if not row[-1].strip() and row[1] not in optional]
    assert unmapped == []

    # the databases listed, per database only: their number and their total follow
    review_yaml = root / "review.yaml"
    review_yaml.write_text(review_yaml.read_text(encoding="utf-8").replace(
        "  databases: []            # [{name", "  databases: [{name: MEDLINE, records: 812}, {name: CINAHL, records: 301}]  #",
        1),
        encoding="utf-8")
    (root / "manuscript" / "02-methods.md").write_text(
        (root / "manuscript" / "02-methods.md").read_text(encoding="utf-8")
        + "\nThe searches returned {{ n.prisma.database_records }} records.\n", encoding="utf-8")
    built = invoke(root, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    text = _document_text(root / "build" / "manuscript.docx")
    assert "Number of databases searched: 2." in text
    assert "The searches returned 1,113 records." in text
    counts = invoke(root, "counts").stdout
    meanings = {line.split()[0]: " ".join(line.split()[2:]) for line in counts.splitlines()
                if line.startswith(("n.prisma.identified ", "n.prisma.database_records "))}
    assert len(meanings) == 2 and len(set(meanings.values())) == 2, meanings


def test_build_prints_stage_times_only_when_asked_or_slow(tmp_path, capsys, monkeypatch):
    # Every build used to end with "times: up to date? 0.03s, load and validate 0.04s, ..." (README: what it prints).
    import shutil

    from charter.compile import build as build_module

    root = tmp_path / "review"
    assert charter(["init", str(root)]) == 0
    plain = invoke(root, "build")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "wrote " in plain.stdout and "times:" not in plain.stdout + plain.stderr
    shutil.rmtree(root / "build")
    verbose = invoke(root, "build", "--verbose")
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    assert [line for line in verbose.stdout.splitlines() if line.startswith("times: ")][0].count("s, ") >= 3
    shutil.rmtree(root / "build")
    capsys.readouterr()
    monkeypatch.setattr(build_module, "TIMES_AFTER", 0.0)  # a build slower than the limit says where the time went
    build_module.build(root, formats=("docx",))
    assert "times: " in capsys.readouterr().out
