"""The review loop end to end: a real build, tracked changes made by LibreOffice's own engine, then `--apply`.

What the list says about a change and what `--apply` does with it must agree: a Table 1 cell that shows a
study file's text field is written back (docs/security.md allows it) and is not flagged "edit the source";
a cell computed from data (a number, a choice) is flagged and refused. A paragraph written over several
source lines keeps its line breaks, except where the co-author's change removed the words across one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from charter.compile.build import build
from charter.revision import review
from conftest import write_files
from projects import changed, minimal_project_files

LO_EDIT = Path("/work/shared/tools/lo_edit.py")

SECTION = """\
# Introduction

We included {{ n.included }} studies in this review [@ahmad2020; @berg2018].
Recovery is a personal
process that unfolds over time, and support from others
shapes it in many ways.

{{ table:studies }}
"""


def lo_edit(source: Path, target: Path, pairs: list[tuple[str, str]], home: Path) -> None:
    """Replace each phrase with tracked changes on, in LibreOffice (one private profile), and save as DOCX."""
    if not LO_EDIT.exists() or shutil.which("soffice") is None:
        pytest.skip("LibreOffice or /work/shared/tools/lo_edit.py is not available")
    home.mkdir(parents=True, exist_ok=True)
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
    args = [python, str(LO_EDIT), str(source), str(target), *(text for pair in pairs for text in pair)]
    process = subprocess.run(args, capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(home)})
    if process.returncode != 0 and "No module named 'uno'" in process.stderr:
        pytest.skip("no python with uno to drive LibreOffice")
    assert process.returncode == 0, process.stderr


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(project, the DOCX a co-author edited in LibreOffice, the sources as built)."""
    files = minimal_project_files()
    files = changed(files, "review.yaml", "    - {field: findings, heading: Main findings, width: 2}",
                    "    - {field: findings, heading: Main findings, width: 2}\n"
                    "    - {field: participants, heading: Participants}\n"
                    "    - {field: population, heading: Problems}")
    files = changed(files, "studies/berg2018.yaml", "  method: Semi-structured interviews, thematic analysis",
                    "  method: Semi-structured interviews,\n    thematic analysis")  # one value, two lines
    files["manuscript/01-introduction.md"] = SECTION
    tmp = tmp_path_factory.mktemp("loop")
    root = write_files(tmp / "review", files)
    build(root, formats=("docx",), verbose=False)
    edited = tmp / "returned.docx"
    lo_edit(root / "build" / "manuscript.docx", edited, [
        ("personal process", "personal, lived process"),  # across a source line break, both words kept
        ("from others shapes", "shapes"),  # the words across a line break removed
        ("interviews, thematic", "interviews, reflexive thematic"),  # Table 1: design.method, over two lines
        ("n = 120", "n = 125"),  # Table 1: participants.n, a number
        ("moderate", "severe"),  # Table 1: population, a choice
    ], tmp / "home")
    return root, edited, {path: (root / path).read_text(encoding="utf-8") for path in files}


def test_the_list_flags_exactly_the_changes_apply_refuses(returned, capsys):
    root, edited, _ = returned
    listed, messages, _ = review.collect(root, [str(edited)])
    assert messages == []
    items = [item for item in listed if item.kind in ("insertion", "deletion")]
    flagged = {item.field for item in items if item.edit_source}
    assert flagged == {"participants.n", "population"}
    method = [item for item in items if item.field == "design.method"]
    assert method and all(item.edit_source == "" for item in method)  # --apply writes it into the study file

    copy = shutil.copytree(root, root.parent / "listed")
    assert review.main(copy, [str(edited)], apply=True, force=True) == 1  # the two data edits are refused
    out = capsys.readouterr().out
    assert "studies/ahmad2020.yaml: participants.n: not applied" in out
    assert "studies/ahmad2020.yaml: population: not applied" in out
    assert "design.method: not applied" not in out


def test_apply_keeps_the_source_line_breaks_the_change_left_alone(returned, capsys):
    root, edited, before = returned
    copy = shutil.copytree(root, root.parent / "applied")
    review.main(copy, [str(edited)], apply=True, force=True)
    capsys.readouterr()
    assert (copy / "manuscript/01-introduction.md").read_text(encoding="utf-8") == (
        "# Introduction\n\n"
        "We included {{ n.included }} studies in this review [@ahmad2020; @berg2018].\n"
        "Recovery is a personal, lived\n"
        "process that unfolds over time, and support shapes it in many ways.\n\n{{ table:studies }}\n")
    assert (copy / "studies/berg2018.yaml").read_text(encoding="utf-8") == before["studies/berg2018.yaml"].replace(
        "  method: Semi-structured interviews,\n    thematic analysis",
        "  method: Semi-structured interviews,\n    reflexive thematic analysis")
    for path in ("studies/ahmad2020.yaml", "review.yaml", "studies/carter2019.yaml"):
        assert (copy / path).read_text(encoding="utf-8") == before[path]

