"""The build cache (charter.compile.cache): an incremental build is byte for byte a clean build, and only costs less.

Each test builds a copy of the reference review, changes one kind of input,
rebuilds with the cache and compares every output with a clean build (the
cache and all of build/ deleted) of the same sources in the same folder.
Real pandoc and Typst throughout; which stages were skipped is read from
``BuildResult.skipped``.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from charter.compile.build import build
from conftest import REPO
from charter.compile.cache import CACHE_DIR, MANIFEST, PARSED, BuildCache
from charter.sources.load import load_project

OUTPUTS = ("manuscript.docx", "manuscript.pdf", "manuscript.md", "manuscript.json", "manuscript.typ",
           "manuscript.anchors.json", "counts.json", "table1.json", "table1.md", "figure1.json", "prisma.svg",
           "prisma.png")


def outputs(root: Path) -> dict[str, bytes]:
    return {name: (root / "build" / name).read_bytes() for name in OUTPUTS}


def clean_build(root: Path) -> dict[str, bytes]:
    """Delete build/ (and with it the cache), build everything, return the outputs."""
    shutil.rmtree(root / "build")
    result = build(root, verbose=False)
    assert result.skipped == []
    return outputs(root)


def assert_same(incremental: dict[str, bytes], clean: dict[str, bytes]) -> None:
    different = [name for name in OUTPUTS if incremental[name] != clean[name]]
    assert different == [], f"incremental build differs from a clean build in {different}"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def own_template(root: Path, name: str) -> Path:
    """The review's own copy of one of Charter's templates (which then overrides Charter's)."""
    own = root / "templates" / name
    if not own.is_file():
        own.parent.mkdir(exist_ok=True)
        shutil.copy2(REPO / "charter" / "templates" / name, own)
    return own


@pytest.fixture
def built(reference_copy: Path) -> Path:
    """The reference review, built once, so build/.cache holds every stage."""
    result = build(reference_copy, verbose=False)
    assert result.skipped == []
    return reference_copy


# ---------------------------------------------------------------- no change


def test_a_no_op_rebuild_runs_nothing_and_leaves_the_outputs_alone(built: Path):
    before = {name: (built / "build" / name).stat().st_mtime_ns for name in ("manuscript.docx", "manuscript.pdf")}
    result = build(built, verbose=False)
    assert result.skipped == ["build"]
    assert [name for name, _ in result.timings] == ["up to date?"]  # no pandoc, no Typst, not even loading
    assert {name: (built / "build" / name).stat().st_mtime_ns for name in before} == before
    assert result.outputs == {"docx": built / "build" / "manuscript.docx", "pdf": built / "build" / "manuscript.pdf"}


def test_a_no_op_rebuild_repeats_the_warnings(built: Path):
    edit(built / "studies" / "puyat2013.yaml", "country: Canada", "country: Atlantis")  # in no country group
    first = build(built, verbose=False)
    again = build(built, verbose=False)
    assert again.skipped == ["build"]
    assert any("Atlantis" in str(w) for w in first.warnings)
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]


# ------------------------------------------------------- one kind of change


CHANGES = [
    pytest.param(lambda root: edit(root / "manuscript" / "06-conclusion.md", "\n\n",
                                   "\n\nA new sentence about social support.\n\n"),
                 {"PRISMA diagram"}, id="prose"),
    pytest.param(lambda root: edit(root / "studies" / "puyat2013.yaml", "Cross-sectional; disorders",
                                   "Cross-sectional survey; disorders"),
                 {"PRISMA diagram"}, id="one study"),
    pytest.param(lambda root: edit(root / "review.yaml", "by theme\"", "by theme and sub-theme\""),
                 {"PRISMA diagram"}, id="review.yaml"),
    pytest.param(lambda root: edit(root / "review.yaml", "dbr_assessed: 53", "dbr_assessed: 54")
                 or edit(root / "review.yaml", "dbr_excluded: 24", "dbr_excluded: 25"),
                 set(), id="review.yaml PRISMA numbers"),
    pytest.param(lambda root: edit(root / "bib" / "included.bib", "{General Hospital Psychiatry}",
                                   "{General Hospital Psychiatry Journal}"),
                 {"PRISMA diagram"}, id="bibliography"),
    pytest.param(lambda root: edit(own_template(root, "manuscript.typ"), "margin: (x: 2.5cm, y: 2.5cm)",
                                   "margin: (x: 2.4cm, y: 2.5cm)"),
                 {"PRISMA diagram", "pandoc: read + citeproc", "DOCX"}, id="Typst template"),
    pytest.param(lambda root: edit(own_template(root, "make_reference_docx.py"), "def make_reference_docx",
                                   "# a changed template\ndef make_reference_docx"),
                 {"PRISMA diagram", "pandoc: read + citeproc", "PDF"}, id="DOCX template"),
]


@pytest.mark.parametrize(("change", "skipped"), CHANGES)
def test_an_incremental_build_is_a_clean_build(built: Path, change, skipped: set[str]):
    change(built)
    result = build(built, verbose=False)
    assert set(result.skipped) == skipped
    assert_same(outputs(built), clean_build(built))


def test_a_new_tool_version_redoes_every_stage_that_uses_the_tool(built: Path):
    manifest_path = built / "build" / CACHE_DIR / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["tools"]["pandoc"]["version"].startswith("pandoc ")
    manifest["tools"]["pandoc"]["version"] = "pandoc 3.8"  # as if pandoc had been replaced since
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = build(built, verbose=False)
    assert result.skipped == []  # the diagram's key holds every tool version too: nothing is reused
    assert_same(outputs(built), clean_build(built))


# ------------------------------------------------- parsed files are reused


def test_a_study_edit_parses_only_that_study(built: Path):
    edit(built / "studies" / "puyat2013.yaml", "Cross-sectional; disorders", "Cross-sectional survey; disorders")
    cache = BuildCache(built / "build")
    parsed = []
    original = cache._parse

    def counting(store, rel, key, parse):
        return original(store, rel, key, lambda: parsed.append(rel) or parse())

    cache._parse = counting
    project = cache.load_project(built)
    assert parsed == ["studies/puyat2013.yaml"]
    assert project == load_project(built)


@pytest.mark.parametrize("change", [
    pytest.param(lambda root: None, id="nothing"),
    pytest.param(lambda root: edit(root / "studies" / "puyat2013.yaml", "country: Canada", "country: Atlantis"),
                 id="a warning"),
    pytest.param(lambda root: edit(root / "studies" / "puyat2013.yaml", "theme: a", "theme: z"), id="an error"),
    pytest.param(lambda root: edit(root / "review.yaml", "key: quantitative", "key: quant"), id="vocabulary"),
    pytest.param(lambda root: (root / "studies" / "puyat2013.yaml").unlink(), id="a deleted study"),
    pytest.param(lambda root: edit(root / "bib" / "included.bib", "@article{andrea2016,", "@article{puyat2013,"),
                 id="duplicate key"),
])
def test_the_cached_load_equals_the_plain_load(built: Path, change):
    change(built)
    cache = BuildCache(built / "build")
    assert cache.load_project(built) == load_project(built)
    cache.save()
    assert BuildCache(built / "build").load_project(built) == load_project(built)


# -------------------------------------------------- a damaged cache or output


def _delete_cache(root: Path) -> None:
    shutil.rmtree(root / "build" / CACHE_DIR)


def _corrupt_cache(root: Path) -> None:
    (root / "build" / CACHE_DIR / MANIFEST).write_text("{not json", encoding="utf-8")
    (root / "build" / CACHE_DIR / PARSED).write_bytes(b"\x80\x05garbage")


def _foreign_cache(root: Path) -> None:
    (root / "build" / CACHE_DIR / MANIFEST).write_text(json.dumps({"format": 1, "stages": [], "tools": "x"}))
    (root / "build" / CACHE_DIR / PARSED).write_bytes(pickle.dumps(["not", "a", "cache"]))


def _damage_pdf(root: Path) -> None:
    pdf = root / "build" / "manuscript.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-100])


def _delete_json(root: Path) -> None:
    (root / "build" / "manuscript.json").unlink()


@pytest.mark.parametrize("damage", [
    pytest.param(_delete_cache, id="cache deleted"),
    pytest.param(_corrupt_cache, id="cache corrupt"),
    pytest.param(_foreign_cache, id="cache of another shape"),
    pytest.param(_damage_pdf, id="PDF changed by hand"),
    pytest.param(_delete_json, id="intermediate JSON deleted"),
])
def test_a_damaged_cache_or_output_only_costs_time(built: Path, damage):
    expected = outputs(built)
    damage(built)
    result = build(built, verbose=False)
    assert "build" not in result.skipped
    assert_same(outputs(built), expected)
    assert build(built, verbose=False).skipped == ["build"]  # and the cache is whole again
