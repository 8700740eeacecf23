"""Smoke test of the benchmark: the synthetic review is a valid review, and the harness measures at a tiny size."""

from __future__ import annotations

import io
import statistics
import sys
import zipfile
from pathlib import Path

import yaml

from conftest import REPO

sys.path.insert(0, str(REPO))  # benchmarks/ is not an installed package: import it from the checkout
from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import main as run_benchmark  # noqa: E402
from charter.checking.check import main as check  # noqa: E402
from charter.sources.load import load_project  # noqa: E402


def test_a_synthetic_review_passes_check_with_every_feature_the_issue_asks_for(tmp_path: Path):
    root = generate(40, tmp_path / "review")
    out = io.StringIO()
    assert check(root, strict=True, out=out) == 0, out.getvalue()
    project = load_project(root)
    assert len(project.studies) == 40
    assert project.review.prisma.total_studies == 40
    assert {s.theme for s in project.studies} == {"a", "b", "c"}
    assert {s.subtheme for s in project.studies} >= {"status", "severe", "direct", "indirect", None}
    assert any(s.reports for s in project.studies)
    authors = (root / "bib" / "included.bib").read_text(encoding="utf-8")
    for name in ("Bjørlykhaug", "王", "Muhammad bin Abdullah"):
        assert name in authors
    manuscript = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "manuscript").glob("*.md")))
    assert "{{ table:studies }}" in manuscript and "{{ figure:prisma }}" in manuscript
    assert all(f"@{s.id}" in manuscript for s in project.studies)  # every study cited in the prose


def test_synthetic_study_texts_are_as_long_as_the_reference_reviews(tmp_path: Path):
    root = generate(60, tmp_path / "review")
    lengths = {"synthetic": [], "reference": []}
    for kind, folder in (("synthetic", root / "studies"), ("reference", REPO / "studies")):
        for path in folder.glob("*.yaml"):
            study = yaml.safe_load(path.read_text(encoding="utf-8"))
            lengths[kind].append(len(study["research_question"]) + sum(len(f) for f in study["findings"]))
    reference = statistics.median(lengths["reference"])
    assert 0.7 * reference <= statistics.median(lengths["synthetic"]) <= 1.3 * reference


def test_the_same_size_gives_the_same_review(tmp_path: Path):
    first, second = generate(12, tmp_path / "one"), generate(12, tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_the_harness_measures_every_row_at_a_tiny_size(tmp_path: Path):
    out = io.StringIO()
    summaries = run_benchmark([3], runs=1, out=out, keep=tmp_path / "bench")
    row = summaries[3]
    for name in ("check", "  load and validate", "  pandoc: read + citeproc", "build (clean)",
                 "floor: pandoc → DOCX", "floor: pandoc → Typst", "floor: Typst → PDF", "no-op rebuild: new process",
                 "no-op rebuild: build() call",
                 "rebuild: prose edit", "rebuild: one study edit", "peak MiB: build"):
        assert row[name] is not None and row[name] > 0, name
    assert row["build / floor"] == row["build (clean)"] / row["floor (DOCX + PDF)"]
    # a build does what a check does and more (pandoc, Typst): never less memory; at 3 studies the two
    # peaks can be equal to the sampling's resolution, so "more" cannot be asserted
    assert row["peak MiB: build"] >= row["peak MiB: check"]
    # the whole build counts its processes side by side: at least its own process and its largest child
    assert row["peak MiB: build"] >= max(row["peak MiB: build's own process"], row["peak MiB: build's largest child"])
    assert row["rebuild: prose edit: CPU"] > 0
    table = out.getvalue()
    assert "| measured (median) | 3 studies |" in table and "| build / floor |" in table
    floor = tmp_path / "bench" / "review-3" / "build" / "floor"
    assert (floor / "manuscript.pdf").is_file()
    # the floor formats what the build formats: Table 1 spliced in by the filter, in both formats
    with zipfile.ZipFile(floor / "manuscript.docx") as docx:
        assert "Research question" in docx.read("word/document.xml").decode("utf-8")
    assert "Research question" in (floor / "manuscript.typ").read_text(encoding="utf-8")


def test_the_targets_are_checked_against_the_largest_size_and_300():
    from benchmarks.run import targets

    def row(wall: float, cpu: float, peak: float) -> dict:
        return {"build (clean)": wall, "build (clean): CPU": cpu, "peak MiB: build": peak,
                "peak MiB: build's own process": peak / 2, "peak MiB: build's largest child": peak / 2,
                "rebuild: one study edit": wall / 2, "rebuild: one study edit: CPU": cpu / 2,
                "rebuild: prose edit": wall / 2, "rebuild: prose edit: CPU": cpu / 2}

    checks = targets({300: row(6.0, 5.0, 300), 3000: row(59.0, 65.0, 1400)})
    by_name = {name: met for name, _, met in checks}
    assert all(by_name.values()), checks  # 59 s < 60 s; per study 0.0197 vs 0.02 (wall), 1.3× (CPU)
    checks = targets({300: row(6.0, 5.0, 300), 3000: row(90.0, 50.0, 1600)})
    assert [met for _, _, met in checks] == [False, False, False, False, True, False]  # linear in CPU, not in wall time


def test_the_small_review_harness_alternates_codes_and_measures_both_against_the_floor(tmp_path: Path):
    from benchmarks.small import main as small_benchmark
    from conftest import write_files
    from projects import minimal_project_files

    root = write_files(tmp_path / "review", minimal_project_files())
    (root / "tasks.py").write_text("from charter.tasks import *  # noqa: F401,F403\n", encoding="utf-8")
    out = io.StringIO()
    tables = small_benchmark([root], runs=1, compare="HEAD", out=out)
    rows = tables["review"]
    assert list(rows) == ["HEAD", "this code"]  # the older code first, then this one, in each run
    for row in rows.values():
        assert row["build wall"] > 0 and row["build CPU"] > 0 and row["floor wall"] > 0 and row["floor CPU"] > 0
        assert row["ratio wall"] == row["build wall"] / row["floor wall"]  # one run: its own pair
    assert "| review | HEAD |" in out.getvalue() and "| review | this code |" in out.getvalue()
