"""The reporting checklist: official item texts from the data files, items located from tags, review.yaml and
what Charter writes, page numbers that match the built PDF, DOCX and PDF written, missing items in check."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from conftest import REPO, copy_reference_review, write_files
from projects import systematic_project_files
from pypdf import PdfReader

from charter.compile.build import build
from charter.checking.check import main as check_main
from charter.submission.checklist import RESOURCES, build_checklist, checklists_for, load_checklist


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.split("\n")]


def _flat(page: str) -> str:
    return " ".join(re.sub(r"(\w)-\n(\w)", r"\1\2", re.sub("\u00ad\\s*", "", page)).split())


# ------------------------------------------------------------------ the data files


def test_item_texts_come_from_the_data_files():
    scr, = checklists_for("scoping")
    full, abstracts = checklists_for("systematic")
    assert [i.item for i in scr.items] == [str(n) for n in range(1, 23)]
    assert len({re.match(r"\d+", i.item).group() for i in full.items}) == 27 and len(full.items) == 42
    assert [i.item for i in abstracts.items] == [f"A{n}" for n in range(1, 13)]
    for checklist in (scr, full, abstracts):
        raw = yaml.safe_load((RESOURCES / f"{checklist.key}.yaml").read_text(encoding="utf-8"))
        assert [i.text for i in checklist.items] == [i["text"] for i in raw["items"]]
        assert checklist.citation and checklist.doi and checklist.licence
    assert "CC BY 4.0" in full.licence and full.doi == "10.1136/bmj.n71"
    assert scr.doi == "10.7326/M18-0850"
    # wording checked against the published checklists (see the files' sources_checked)
    assert scr.items[0].text == "Identify the report as a scoping review."
    assert full.items[0].text == "Identify the report as a systematic review."
    assert next(i for i in full.items if i.item == "16a").text.startswith("Describe the results of the search")
    assert {i.item for i in scr.items if i.optional} == {"12", "16"}


def test_every_item_was_compared_with_an_official_checklist_file():
    """The wording was compared with copies of the official files, each named in sources_checked; none is left
    unconfirmed. The texts below are those the comparison settled (PRISMA-ScR 12 was corrected by it; PRISMA 2020
    12, 13a, 13b and 20b had been written partly from memory)."""
    for key in ("prisma-scr", "prisma-2020", "prisma-2020-abstracts"):
        raw = yaml.safe_load((RESOURCES / f"{key}.yaml").read_text(encoding="utf-8"))
        assert not [i["item"] for i in raw["items"] if i.get("unconfirmed")], key
        official = [s for s in raw["sources_checked"] if s["source"].startswith("official")]
        assert official and all(s["where"].startswith("github.com/") and ".pdf" in s["where"] for s in official)
    scr, = checklists_for("scoping")
    full, _ = checklists_for("systematic")
    text = {i.item: i.text for i in full.items}
    assert next(i.text for i in scr.items if i.item == "12").endswith("used in any data synthesis (if appropriate).")
    assert text["13a"].endswith("comparing against the planned groups for each synthesis (item #5)).")
    assert text["20b"].endswith("measures of statistical heterogeneity. If comparing groups, describe the direction "
                                "of the effect.")
    assert text["12"] == (
        "Specify for each outcome the effect measure(s) (e.g. risk ratio, mean difference) used in the synthesis or "
        "presentation of results.")


def test_the_package_data_includes_the_checklists():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"resources/checklists/*.yaml"' in pyproject
    assert sorted(p.name for p in RESOURCES.glob("*.yaml")) == ["prisma-2020-abstracts.yaml", "prisma-2020.yaml",
                                                                "prisma-scr.yaml"]


def test_a_wheel_carries_the_checklists(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "charter", source / "charter", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path / "wheel"), "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    wheel, = (tmp_path / "wheel").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"charter/resources/checklists/{p.name}" for p in RESOURCES.glob("*.yaml")} <= set(names)


# ------------------------------------------------------------------ the reference review, tagged and built


def _untag(root: Path) -> Path:
    """Take the reference review's own tags out (its headings and the checklist: block of review.yaml)."""
    for path in (root / "manuscript").glob("*.md"):
        path.write_text(re.sub(r' \{checklist="[^"]*"\}', "", path.read_text(encoding="utf-8")), encoding="utf-8")
    review = (root / "review.yaml").read_text(encoding="utf-8")
    assert "\nchecklist:\n" in review
    (root / "review.yaml").write_text(review[:review.index("\nchecklist:\n")] + "\n", encoding="utf-8")
    return root


def _tag(root: Path) -> None:
    _untag(root)

    def edit(rel: str, old: str, new: str) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("manuscript/01-introduction.md", "# Introduction\n", '# Introduction {checklist="3"}\n')
    edit("manuscript/01-introduction.md", "## Aims\n", '## Aims {checklist="4"}\n')
    edit("manuscript/02-method.md", "## Search process\n", '## Search process {#search checklist="7"}\n')
    edit("manuscript/02-method.md", "## Inclusion and exclusion criteria\n",
         "## Inclusion and exclusion criteria {checklist=6}\n")
    edit("manuscript/03-findings.md", "## Associations between mental health and social support\n",
         '## Associations between mental health and social support {checklist="17"}\n')
    limitations = (root / "manuscript/05-limitations.md").read_text(encoding="utf-8").split("\n\n")
    limitations[1] = '::: {checklist="20"}\n' + limitations[1] + "\n:::"
    (root / "manuscript/05-limitations.md").write_text("\n\n".join(limitations), encoding="utf-8")
    with (root / "review.yaml").open("a", encoding="utf-8") as file:
        file.write('\nchecklist:\n  "12": "not applicable: a scoping review need not appraise its sources"\n'
                   '  "9": manuscript/02-method.md#selection-of-studies\n'
                   '  "21": manuscript/06-conclusion.md\n')


@pytest.fixture(scope="module")
def tagged_reference(tmp_path_factory) -> Path:
    root = copy_reference_review(tmp_path_factory.mktemp("checklist") / "review")
    _tag(root)
    build(root, verbose=False)
    build_checklist(root, root / "build")
    return root


def test_tagged_headings_build_and_print_without_their_attributes(tagged_reference):
    text = "\n".join(p.text for p in docx.Document(tagged_reference / "build/manuscript.docx").paragraphs)
    assert "checklist" not in text and "Search process" in text
    pages = [p.extract_text() for p in PdfReader(tagged_reference / "build/manuscript.pdf").pages]
    assert not any("checklist" in page for page in pages)


def test_checklist_pages_match_the_pdf(tagged_reference):
    _, rows = build_checklist(tagged_reference, tagged_reference / "build")
    pages = [p.extract_text() for p in PdfReader(tagged_reference / "build/manuscript.pdf").pages]
    by_item = {r.item: r for r in rows}
    expected_headings = {"3": "Introduction", "4": "Aims", "7": "Search process", "6": "Inclusion and exclusion "
                         "criteria", "9": "Selection of studies", "21": "Conclusion", "22": "Funding",
                         "2": "Abstract"}
    for item, heading in expected_headings.items():
        place, = by_item[item].places
        assert place.page is not None, item
        # the heading is a line of that page, and of no page before it
        assert heading in _lines(pages[place.page - 1]), (item, place.page)
        assert all(heading not in _lines(page) for page in pages[:place.page - 1]), item
    # a heading Table 1 repeats as a group row is found where it is a heading, after the table
    overview = next(n for n, page in enumerate(pages, start=1) if "Overview of the included studies" in _lines(page))
    associations = next(p for p in by_item["17"].places if p.heading.endswith("Associations between mental health "
                                                                                "and social support"))
    assert associations.page >= overview > by_item["15"].places[0].page
    assert "Associations between mental health and social support" in _lines(pages[associations.page - 1])
    assert by_item["9"].places[0].heading == "Method › Selection of studies"  # review.yaml names it by its id
    # the tagged paragraph: its first words are on that page
    place, = by_item["20"].places
    first = (tagged_reference / "manuscript/05-limitations.md").read_text(encoding="utf-8").split("\n\n")[1]
    words = " ".join(first.split("\n")[1].split()[:5])
    assert words in _flat(pages[place.page - 1]) and place.heading == "Limitations"
    # what Charter writes is located without tags: title, flow diagram, Table 1, the search strategy
    assert by_item["1"].places[0].page == 1
    for item, caption in (("14", "Figure 1."), ("15", "Table 1.")):
        place, = by_item[item].places
        assert place.automatic and place.heading.endswith(caption[:-1])
        assert any(line.startswith(caption) for line in _lines(pages[place.page - 1])), item
        assert not any(line.startswith(caption) for page in pages[:place.page - 1] for line in _lines(page))
    assert "search-strategy" in by_item["8"].where
    assert by_item["12"].where.startswith("Not applicable: a scoping review")


def test_checklist_written_as_docx_and_pdf(tagged_reference):
    document = docx.Document(tagged_reference / "build/checklist.docx")
    table, = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert len(rows) == 1 + 22
    scr = load_checklist("prisma-scr")
    assert [r[2] for r in rows[1:]] == [i.text for i in scr.items]
    search_row = next(r for r in rows if r[1] == "7")
    assert re.fullmatch(r"Method › Search process \(p\.\s\d+\)", search_row[3])
    pdf = " ".join(p.extract_text() for p in PdfReader(tagged_reference / "build/checklist.pdf").pages)
    assert "Reporting checklist" in pdf and "Tricco" in pdf and "Identify the report as a scoping review" in pdf


def test_check_lists_items_not_reported(tagged_reference):
    out = io.StringIO()
    assert check_main(tagged_reference, out=out) == 0
    warning = next(line for line in out.getvalue().splitlines() if "reported nowhere" in line)
    assert warning.startswith("review.yaml:") and "5 (Protocol and registration)" in warning
    assert " 7 (" not in warning and "12 (" not in warning and "16 (" not in warning  # tagged; n/a; optional
    assert check_main(tagged_reference, strict=True, out=io.StringIO()) == 1


def test_untagged_review_has_no_checklist_warning(tmp_path):
    root = _untag(copy_reference_review(tmp_path / "review"))
    out = io.StringIO()
    assert check_main(root, strict=True, out=out) == 0, out.getvalue()


def test_wrong_tags_and_mappings_are_errors_with_their_place(tmp_path):
    root = _untag(copy_reference_review(tmp_path / "review"))
    method = root / "manuscript/02-method.md"
    method.write_text(method.read_text(encoding="utf-8").replace("# Method\n", '# Method {checklist="5,27"}\n'),
                      encoding="utf-8")
    with (root / "review.yaml").open("a", encoding="utf-8") as file:
        file.write('\nchecklist:\n  "3": manuscript/01-introduction.md#no-such-heading\n  "30": abstract\n'
                   '  "4": manuscript/07-missing.md\n')
    lines = (root / "review.yaml").read_text(encoding="utf-8").split("\n")
    out = io.StringIO()
    assert check_main(root, out=out) == 1
    text = out.getvalue()
    assert "manuscript/02-method.md:1:" in text and "'27' is not an item of the PRISMA-ScR checklist" in text
    line_30 = next(n for n, line in enumerate(lines, start=1) if line.startswith('  "30"'))
    assert f"review.yaml:{line_30}:" in text and "'30' is not an item" in text
    assert "has no heading '#no-such-heading': its headings are #introduction, #aims" in text
    assert "'manuscript/07-missing.md' is not a manuscript section" in text


def test_the_reference_review_reports_every_item(tmp_path):
    root = copy_reference_review(tmp_path / "review")
    build(root, verbose=False)
    _, rows = build_checklist(root, tmp_path / "out")
    assert [r.item for r in rows if not r.reported] == ["12", "16"]  # the two "if done" items
    pages = [p.extract_text() for p in PdfReader(root / "build/manuscript.pdf").pages]
    def bare(text: str) -> str:  # pypdf gives Typst's hyphens (hyphenation and real ones) as soft hyphens
        return " ".join(re.sub("[\u00ad-]\\s*", "", text).split())

    for row in rows:
        for place in row.places:
            if place.kind == "heading":
                page = pages[place.page - 1]
                assert bare(place.find) in [bare(line) for line in page.split("\n")] or \
                    bare(place.find) in bare(page), (row.item, place)
    assert (tmp_path / "out/checklist.docx").is_file() and (tmp_path / "out/checklist.pdf").is_file()


# ------------------------------------------------------------------ a systematic review


def test_systematic_review_uses_prisma_2020_and_its_abstract_checklist(tmp_path):
    files = systematic_project_files()
    files["manuscript/01-results.md"] = files["manuscript/01-results.md"].replace(
        "# Results\n", '# Results {checklist="20a,A7"}\n')
    root = write_files(tmp_path / "sr", files)
    with (root / "review.yaml").open("a", encoding="utf-8") as file:
        file.write('\nchecklist:\n  "24a": "not applicable: the review was not registered"\n  A2: abstract\n')
    build(root, verbose=False)
    paths, rows = build_checklist(root, root / "build")
    assert {p.name for p in paths} == {"checklist.docx", "checklist.pdf"}
    assert len(rows) == 42 + 12 and {r.checklist for r in rows} == {"PRISMA 2020", "PRISMA 2020 for Abstracts"}
    pages = [p.extract_text() for p in PdfReader(root / "build/manuscript.pdf").pages]
    by_item = {r.item: r for r in rows}
    for item in ("20a", "A7"):
        place, = by_item[item].places
        assert "Results" in _lines(pages[place.page - 1])
    flow, = by_item["16a"].places
    table, = by_item["17"].places
    for place, caption in ((flow, "Figure 1."), (table, "Table 1.")):
        assert any(line.startswith(caption) for line in _lines(pages[place.page - 1]))
    assert by_item["7"].places == ()  # this review has no search: block, so there is no strategy to point to
    assert by_item["A1"].places[0].page == 1 and by_item["24a"].where.startswith("Not applicable")
    document = docx.Document(root / "build/checklist.docx")
    assert [len(t.rows) for t in document.tables] == [1 + 42, 1 + 12]


@pytest.mark.parametrize("block, message", [
    ("checklist: [3, 4]\n", "checklist: expected field: value lines"),
    ('checklist:\n  "3": [manuscript/01-introduction.md]\n', "checklist.3:"),
    ("checklist:\n  chekclist: abstract\n", "'chekclist' is not an item of the scoping review's checklist"),
])
def test_review_yaml_checklist_block_is_checked(tmp_path, block, message):
    root = _untag(copy_reference_review(tmp_path / "review"))
    with (root / "review.yaml").open("a", encoding="utf-8") as file:
        file.write("\n" + block)
    out = io.StringIO()
    assert check_main(root, out=out) == 1
    line = next(line for line in out.getvalue().splitlines() if message in line)
    assert line.startswith("review.yaml:")


def test_a_checklist_source_note_never_stands_alone_on_a_page(tmp_path):
    # A new systematic review (charter init) with a two-line title and a search block: the PRISMA
    # abstract checklist's source note ("From: Page MJ, …") was once alone at the top of page 4.
    from charter.start.init import init_review

    root = tmp_path / "review"
    init_review(root, "systematic")
    title = "Exercise training for fatigue in adults with multiple sclerosis: a systematic review"
    for name in ("review.yaml", "manuscript/metadata.yaml"):
        path = root / name
        path.write_text(re.sub(r"(?m)^title: .*$", f'title: "{title}"', path.read_text(encoding="utf-8"), count=1),
                        encoding="utf-8")
    review = root / "review.yaml"
    text = review.read_text(encoding="utf-8")
    for old, new in (("databases: []            #", "databases: [MEDLINE (Ovid), CINAHL, Embase]  #"),
                     ('date_from: null', 'date_from: "2000-01"'), ("date_to: null", 'date_to: "2023-06"'),
                     ("last_search: null", 'last_search: "2023-06-30"'),
                     ("languages: []", "languages: [English, Spanish, German]"),
                     ("terms: []", "terms: [multiple sclerosis, exercise, fatigue]")):
        assert old in text, old
        text = text.replace(old, new, 1)
    review.write_text(text, encoding="utf-8")
    paths, _ = build_checklist(root, root / "build")
    pages = [page.extract_text() for page in PdfReader(str(root / "build" / "checklist.pdf")).pages]
    assert sum(page.count("From: Page MJ") for page in pages) == 2
    for number, page in enumerate(pages, 1):
        if "From: Page MJ" in page:
            before = page[:page.index("From: Page MJ")]
            assert "Section and topic" in before, f"page {number} begins with the source note:\n{page[:300]}"


def test_item_numbers_fit_their_column_in_the_docx(tmp_path):
    # The Item column was 2 of 58 dashes wide: LibreOffice broke the heading "Ite/m" and "13a", "A10" too.
    from charter.start.init import init_review

    root = tmp_path / "review"
    init_review(root, "systematic")
    build_checklist(root, root / "build")
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(root / "build" / "checklist.docx")],
                   check=True, capture_output=True, timeout=180)
    words = [w for page in PdfReader(str(tmp_path / "checklist.pdf")).pages for w in page.extract_text().split()]
    assert "Item" in words and "Ite" not in words
    for item in ("13a", "16b", "24c", "A10", "A12"):
        assert item in words, item
