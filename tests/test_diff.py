"""invoke diff / invoke changes: tracked changes between two versions, checked on real DOCX, PDF and LibreOffice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_files
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import changed, minimal_project_files

from charter.revision import changes as data_changes
from charter.revision.diff import DATA_AUTHOR, DiffError, data_changes_between, make_diff
from charter.revision.docx_review import read_docx
from charter.revision.textdiff import DELETION, INSERTION, diff_documents, plain

HERE = Path(__file__).resolve().parent
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _uno_available() -> bool:
    if shutil.which("soffice") is None or not SYSTEM_PYTHON.exists():
        return False
    return subprocess.run([str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True).returncode == 0


needs_uno = pytest.mark.skipif(not _uno_available(), reason="LibreOffice with python3-uno is not installed")


# ------------------------------------------------------------ the tree diff


def _para(text: str, anchor: str = "") -> dict:
    inlines = []
    for index, word in enumerate(text.split(" ")):
        if index:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    para = {"t": "Para", "c": inlines}
    return {"t": "Div", "c": [[anchor, ["charter-prose"], []], [para]]} if anchor else para


def _doc(*blocks) -> dict:
    return {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": list(blocks)}


def _who(*_):
    return "Ann", "2026-01-01T00:00:00Z"


def _spans(node, kind: str) -> list[str]:
    found = []

    def walk(n):
        if isinstance(n, dict):
            if n.get("t") == "Span" and kind in n["c"][0][1]:
                found.append(plain(n["c"][1]))
                return
            walk(n.get("c"))
        elif isinstance(n, list):
            for item in n:
                walk(item)

    walk(node["blocks"] if isinstance(node, dict) and "blocks" in node else node)
    return found


def _resolve(node, keep: str, drop: str):
    """Accept (keep insertions) or reject (keep deletions) every change of a marked tree."""
    if isinstance(node, list):
        out = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "Span" and drop in item["c"][0][1]:
                continue
            if isinstance(item, dict) and item.get("t") == "Span" and keep in item["c"][0][1]:
                out.extend(_resolve(item["c"][1], keep, drop))
                continue
            out.append(_resolve(item, keep, drop))
        return out
    if isinstance(node, dict):
        return {k: _resolve(v, keep, drop) if k == "c" else v for k, v in node.items()}
    return node


def _readable(blocks) -> str:
    return " ".join(plain(blocks).split())


def test_one_changed_word_is_one_deletion_and_one_insertion():
    old = _doc(_para("This scoping review charts what has been written.", "ch_p0001"))
    new = _doc(_para("This scoping review maps what has been written.", "ch_p0001"))
    marked, changes = diff_documents(old, new, _who)
    assert _spans(marked, DELETION) == ["charts"]
    assert _spans(marked, INSERTION) == ["maps"]
    assert [(c.kind, c.removed, c.added) for c in changes] == [("changed", "charts", "maps")]


def test_a_changed_number_is_the_number_alone_not_its_punctuation():
    old = _doc(_para("We included 29 studies (n = 1,379)."))
    new = _doc(_para("We included 30 studies (n = 1,380)."))
    marked, _ = diff_documents(old, new, _who)
    assert _spans(marked, DELETION) == ["29", "1,379"]
    assert _spans(marked, INSERTION) == ["30", "1,380"]


def test_paragraph_inserted_deleted_and_moved():
    long_text = "A paragraph long enough to count as moved when it turns up unchanged somewhere else entirely."
    old = _doc(_para("Introduction text stays.", "ch_p0001"), _para(long_text, "ch_p0002"),
               _para("This paragraph goes away for good.", "ch_p0003"), _para("Closing words.", "ch_p0004"))
    new = _doc(_para(long_text, "ch_p0001"), _para("Introduction text stays.", "ch_p0002"),
               _para("Closing words.", "ch_p0003"), _para("A brand new paragraph arrives.", "ch_p0004"))
    marked, changes = diff_documents(old, new, _who)
    kinds = sorted(c.kind for c in changes)
    assert kinds == ["deleted", "inserted", "moved"]
    assert _readable(_resolve(marked["blocks"], INSERTION, DELETION)) == _readable(new["blocks"])
    assert _readable(_resolve(marked["blocks"], DELETION, INSERTION)) == _readable(old["blocks"])


def _table(rows: list[list[str]]) -> dict:
    def cell(text):
        return [["", [], []], {"t": "AlignDefault"}, 1, 1, [{"t": "Plain", "c": _para(text)["c"]}]]

    body_rows = [[["", [], []], [cell(text) for text in row]] for row in rows]
    return {"t": "Table", "c": [["tbl-studies", [], []], [None, []], [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]] * 2,
                                [["", [], []], []], [[["", [], []], 0, [], body_rows]], [["", [], []], []]]}


def test_a_study_added_to_table_1_is_one_inserted_row():
    old = _doc(_table([["Ahmad 2020", "Survey"], ["Carter 2019", "Review"]]))
    new = _doc(_table([["Ahmad 2020", "Survey"], ["Berg 2018", "Interviews"], ["Carter 2019", "Review"]]))
    marked, changes = diff_documents(old, new, _who)
    assert [(c.kind, c.added) for c in changes] == [("inserted", "Berg 2018 | Interviews")]
    assert _spans(marked, INSERTION) == ["Berg 2018", "Interviews"]
    assert _spans(marked, DELETION) == []


def test_a_changed_cell_is_a_word_change_in_its_row():
    old = _doc(_table([["Ahmad 2020", "Survey of 120 outpatients"]]))
    new = _doc(_table([["Ahmad 2020", "Survey of 125 outpatients"]]))
    marked, _ = diff_documents(old, new, _who)
    assert (_spans(marked, DELETION), _spans(marked, INSERTION)) == (["120"], ["125"])


def test_a_figure_caption_is_compared_word_by_word():
    def figure(caption: str) -> dict:
        return {"t": "Figure", "c": [["fig-prisma", [], []], [None, [{"t": "Plain", "c": _para(caption)["c"]}]],
                                     [{"t": "Plain", "c": []}]]}

    marked, _ = diff_documents(_doc(figure("PRISMA flow diagram of the search.")),
                               _doc(figure("PRISMA 2020 flow diagram of the search.")), _who)
    assert (_spans(marked, DELETION), _spans(marked, INSERTION)) == ([], ["2020"])


words = st.lists(st.sampled_from(["social", "support", "29", "studies", "were", "included", "(n", "=", "12)",
                                  "recovery.", "Norway", "and", "the"]), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=0, max_size=5), st.lists(words, min_size=0, max_size=5))
def test_accepting_all_gives_the_new_text_and_rejecting_all_the_old(old_paragraphs, new_paragraphs):
    old = _doc(*[_para(" ".join(p), f"ch_p{i:04d}") for i, p in enumerate(old_paragraphs)])
    new = _doc(*[_para(" ".join(p), f"ch_p{i:04d}") for i, p in enumerate(new_paragraphs)])
    marked, _ = diff_documents(old, new, _who)
    assert _readable(_resolve(marked["blocks"], INSERTION, DELETION)) == _readable(new["blocks"])
    assert _readable(_resolve(marked["blocks"], DELETION, INSERTION)) == _readable(old["blocks"])


# ------------------------------------------------------- two commits in git

NEW_STUDY = """\
id: dahl2021
theme: b
country: Norway
design:
  orientation: qualitative
  method: Focus groups with peer workers
research_question: How do peer workers describe their role?
participants:
  description: Peer workers in municipal services
  n: 18
findings:
  - Peer workers saw themselves as bridges.
validity:
  internal: One focus group per site.
  external: Two Norwegian municipalities.
keywords: [peer support]
"""

NEW_BIB = """
@article{dahl2021,
  author  = {Dahl, Ingrid},
  title   = {Peer workers as bridges},
  journal = {Nordic Social Work Research},
  year    = {2021},
}
"""


def _git(root: Path, *args: str, author: str = "Ann Author") -> str:
    return subprocess.run(["git", "-c", f"user.name={author}", "-c", "user.email=a@example.org",
                           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args], cwd=root,
                          capture_output=True, text=True, check=True).stdout


def _second_version(files: dict[str, str]) -> dict[str, str]:
    """The edits a revision makes: a word in the prose, a study added, a Table 1 cell, and so a count."""
    files = changed(files, "manuscript/01-introduction.md", "described the features", "summarised the features")
    files = changed(files, "studies/ahmad2020.yaml", "Does perceived support relate", "Does perceived support predict")
    files = changed(files, "review.yaml", "new_studies: 3", "new_studies: 4")
    files = changed(files, "review.yaml", "new_reports: 4", "new_reports: 5")
    files = changed(files, "review.yaml", "total_studies: 3", "total_studies: 4")
    files = changed(files, "review.yaml", "total_reports: 4", "total_reports: 5")
    files = changed(files, "review.yaml", "dbr_excluded: 49", "dbr_excluded: 48")
    files["studies/dahl2021.yaml"] = NEW_STUDY
    files["bib/references.bib"] = files["bib/references.bib"] + NEW_BIB
    return files


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory) -> Path:
    """A review in git: tag v1, then a commit by another author with the edits of _second_version."""
    root = tmp_path_factory.mktemp("diff") / "review"
    files = minimal_project_files()
    files["manuscript/01-introduction.md"] += "\n@tbl-studies lists the studies.\n\n{{ table:studies }}\n"
    write_files(root, {**files, ".gitignore": "build/\n"})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first submission")
    _git(root, "tag", "v1")
    write_files(root, _second_version(files))
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "revision", author="Bob Editor")
    return root


@pytest.fixture(scope="module")
def diffed(two_versions):
    return make_diff(two_versions, "v1", "HEAD")


@needs_git
def test_diff_writes_a_docx_with_exactly_the_edits_as_tracked_changes(two_versions, diffed):
    from charter.revision.review import main as review_main

    assert diffed.docx == two_versions / "build" / "diff" / "manuscript-changes.docx"
    document = read_docx(diffed.docx)
    deleted = sorted(c.text for c in document.changes if c.kind == "deletion")
    inserted = sorted(c.text for c in document.changes if c.kind == "insertion")
    assert "described" in deleted and "summarised" in inserted  # the prose word
    assert "relate" in deleted and "predict" in inserted  # the Table 1 cell
    assert "3" in deleted and "4" in inserted  # the count, in the text and the abstract
    assert any("Dahl" in text for text in inserted)  # the new study's row and reference
    assert any("How do peer workers describe their role?" in text for text in inserted)
    # nothing else changed: every change is one of these edits
    allowed = {"described", "summarised", "relate", "predict", "3", "4"}
    for text in deleted + inserted:
        assert text in allowed or "Dahl" in text or "peer" in text.lower() or "Norway" in text \
            or "bridges" in text or "focus group" in text.lower() or "municipal" in text.lower() \
            or "QUAL" in text or "Peer workers" in text or text.strip() in ("", "n = 18"), text
    # invoke review lists them, each traced to its source
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert review_main(two_versions, [str(diffed.docx)], fmt="json") == 0
    items = json.loads(out.getvalue())["items"]
    sources = {(item["path"], item["kind"]) for item in items}
    assert ("manuscript/01-introduction.md", "insertion") in sources
    assert ("studies/ahmad2020.yaml", "deletion") in sources
    assert ("studies/dahl2021.yaml", "insertion") in sources


@needs_git
def test_changes_are_attributed_to_commit_authors_and_data(diffed):
    document = read_docx(diffed.docx)
    by_text = {(c.kind, c.text): c.author for c in document.changes}
    assert by_text[("insertion", "summarised")] == "Bob Editor"
    assert by_text[("insertion", "predict")] == "Bob Editor"  # the study file's last commit
    assert by_text[("insertion", "4")] == DATA_AUTHOR  # a count that changed with the data
    import re
    import zipfile

    xml = zipfile.ZipFile(diffed.docx).read("word/document.xml").decode("utf-8")
    ids = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', xml)
    assert ids and len(ids) == len(set(ids)), "every tracked change has its own id"


@needs_git
def test_the_pdf_shows_both_versions_words(diffed):
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(diffed.pdf).pages)
    assert "described" in text and "summarised" in text
    assert "Dahl" in text


@needs_git
@needs_uno
def test_libreoffice_accept_all_gives_the_new_version_and_reject_all_the_old(two_versions, diffed, tmp_path):
    versions = two_versions / "build" / "diff" / "versions"
    old_commit = _git(two_versions, "rev-parse", "v1").strip()[:12]
    new_commit = _git(two_versions, "rev-parse", "HEAD").strip()[:12]

    def text_of(action: str, docx: Path) -> str:
        out = tmp_path / f"{action}-{docx.parent.parent.name}.txt"
        process = subprocess.run([str(SYSTEM_PYTHON), str(HERE / "lo_tracked.py"), action, str(docx), str(out)],
                                 capture_output=True, text=True, timeout=300)
        assert process.returncode == 0, process.stderr
        assert "tracked changes left: 0" in process.stdout
        return out.read_text(encoding="utf-8")

    accepted = text_of("accept", diffed.docx)
    rejected = text_of("reject", diffed.docx)
    assert accepted == text_of("none", versions / new_commit / "build" / "manuscript.docx")
    assert rejected == text_of("none", versions / old_commit / "build" / "manuscript.docx")


@needs_git
def test_invoke_changes_lists_the_data_that_changed(two_versions):
    found = data_changes_between(two_versions, "v1", "HEAD")
    assert found.studies_added == ("dahl2021",)
    assert found.references_added == ("dahl2021",)
    fields = {(c.study, c.field): (c.old, c.new) for c in found.fields}
    assert fields[("ahmad2020", "research_question")] == (
        "Does perceived support relate to depressive symptoms among outpatients?",
        "Does perceived support predict to depressive symptoms among outpatients?")
    counts = {c.name: c for c in found.counts}
    assert (counts["included"].old, counts["included"].new) == (3, 4)
    assert counts["included"].places == ("manuscript/01-introduction.md:3",)
    assert (counts["prisma.dbr_excluded"].old, counts["prisma.dbr_excluded"].new) == (49, 48)
    text = data_changes.as_text(found)
    assert "studies/ahmad2020.yaml:9: research_question:" in text
    markdown = data_changes.as_markdown(found)
    assert "| included studies | 3 | 4 |" in markdown
    assert json.loads(data_changes.as_json(found))["studies_added"] == ["dahl2021"]


@needs_git
def test_since_a_returned_docx_starts_from_the_commit_it_was_built_from(two_versions, tmp_path):
    from charter.compile.build import build

    old_commit = _git(two_versions, "rev-parse", "v1").strip()
    checkout = tmp_path / "as-sent"
    subprocess.run(["git", "clone", "-q", str(two_versions), str(checkout)], check=True)
    _git(checkout, "checkout", "-q", "v1")
    build(checkout, formats=("docx",), verbose=False)
    sent_out = tmp_path / "returned.docx"
    shutil.copy(checkout / "build" / "manuscript.docx", sent_out)
    assert read_docx(sent_out).manifest["source"] == {"commit": old_commit, "dirty": False}
    result = make_diff(two_versions, since=sent_out, new_ref="HEAD", formats=("docx",))
    assert result.old.commit == old_commit
    assert {c.text for c in read_docx(result.docx).changes} >= {"described", "summarised"}
    not_built = tmp_path / "not-ours.docx"
    shutil.copy(two_versions / "build" / "diff" / "manuscript-changes.docx", not_built)
    with pytest.raises(DiffError, match="does not say which commit it was built from"):
        make_diff(two_versions, since=not_built, formats=("docx",))


@needs_git
def test_a_version_that_does_not_build_is_named(two_versions, tmp_path):
    root = tmp_path / "broken"
    shutil.copytree(two_versions, root, ignore=shutil.ignore_patterns("build"))
    write_files(root, {"studies/ahmad2020.yaml": "id: ahmad2020\ntheme: zzz\n"})
    _git(root, "commit", "-qam", "broken study")
    _git(root, "tag", "broken")
    with pytest.raises(DiffError, match=r"the version broken \([0-9a-f]{10}\) does not build"):
        make_diff(root, "v1", "broken", formats=("docx",))
    with pytest.raises(DiffError, match="'nosuchtag' names no commit"):
        make_diff(root, "nosuchtag", formats=("docx",))


@needs_git
def test_uncommitted_changes_are_included_and_said(two_versions, tmp_path):
    root = tmp_path / "dirty"
    shutil.copytree(two_versions, root, ignore=shutil.ignore_patterns("build"))
    intro = root / "manuscript" / "01-introduction.md"
    intro.write_text(intro.read_text(encoding="utf-8").replace("summarised", "listed"), encoding="utf-8")
    result = make_diff(root, "HEAD", formats=("docx",))
    assert result.notes == ("the working tree has uncommitted changes: they are included in the new version",)
    document = read_docx(result.docx)
    assert {(c.kind, c.text) for c in document.changes} == {("deletion", "summarised"), ("insertion", "listed")}


@needs_git
def test_a_renamed_section_file_is_not_everything_deleted(two_versions, tmp_path):
    root = tmp_path / "renamed"
    shutil.copytree(two_versions, root, ignore=shutil.ignore_patterns("build"))
    _git(root, "mv", "manuscript/01-introduction.md", "manuscript/01-background.md")
    _git(root, "commit", "-qm", "rename the introduction's file")
    result = make_diff(root, "HEAD~1", "HEAD", formats=("docx",))
    assert result.changes == ()
    assert read_docx(result.docx).changes == ()


def test_diff_outside_git_says_what_to_do(tmp_path):
    root = write_files(tmp_path / "review", minimal_project_files())
    with pytest.raises(DiffError, match="not in a git repository"):
        make_diff(root, "v1", formats=("docx",))



@needs_git
def test_only_the_compared_versions_copies_are_kept_and_no_temporary_file_is_left(two_versions, diffed):
    from charter.revision.diff import data_changes_between

    versions = two_versions / "build" / "diff" / "versions"
    stale = versions / "0123456789ab"  # a copy from an earlier comparison of another commit
    stale.mkdir(parents=True)
    (stale / "review.yaml").write_text("title: old\n", encoding="utf-8")
    data_changes_between(two_versions, "v1", "HEAD")
    kept = sorted(p.name for p in versions.iterdir())
    assert kept == sorted({_git(two_versions, "rev-parse", ref).strip()[:12] for ref in ("v1", "HEAD")})
    assert not list((two_versions / "build" / "diff").glob(".*.tmp"))


@needs_git
def test_invoke_diff_and_changes_run_as_the_docs_type_them(two_versions, tmp_path):
    # Through invoke itself, as a user types them: with no version at all (the most recent tag →
    # the working tree) and with --old/--new. As positional arguments invoke required both.
    checkout = tmp_path / "review"
    subprocess.run(["git", "clone", "-q", str(two_versions), str(checkout)], check=True)
    (checkout / "tasks.py").write_text("from charter.tasks import *  # noqa: F401,F403\n", encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(HERE.parent)}

    def invoke(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=checkout, capture_output=True,
                              text=True, env=env)

    for args in (("changes",), ("changes", "--old", "v1"), ("changes", "--old", "v1", "--new", "HEAD")):
        process = invoke(*args)
        assert process.returncode == 0, (args, process.stdout, process.stderr)
        assert "studies added (1): dahl2021" in process.stdout, args
    subprocess.run(["git", "tag", "-d", "v1"], cwd=checkout, check=True, capture_output=True)
    untagged = invoke("diff")
    assert untagged.returncode == 1 and "invoke diff --old HEAD~1" in untagged.stderr, untagged.stderr
    unknown = invoke("diff", "--old", "v0")  # parsed and handed to Charter, which names the problem
    assert unknown.returncode == 1
    assert "invoke diff:" in unknown.stderr and "v0" in unknown.stderr
    assert "Traceback" not in unknown.stderr and "positional" not in unknown.stderr
