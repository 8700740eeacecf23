"""invoke build end to end: real pandoc, real Typst, outputs read back with python-docx, pypdf and LibreOffice.

The reference review is built once per session in a copy (never in the
repository's build/); small projects written into tmp_path test the failure
cases, hostile text, reproducibility and the blind manuscript.
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
from docx.enum.section import WD_ORIENT
from pypdf import PdfReader

from charter.compile.build import BuildError, build
from charter.sources.load import load_project
from charter.model import Location
from conftest import REPO, copy_reference_review, write_files
from projects import minimal_project_files

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------ helpers


def alnum(text: str) -> str:
    """Letters and digits only, lower case: PDF text extraction splits and hyphenates words at line ends."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


def small_project(tmp_path: Path, **changes: str) -> Path:
    """The minimal valid project, with Table 1 and Figure 1 placed and referred to; changes replace files."""
    files = minimal_project_files()
    files["manuscript/02-findings.md"] = """\
        # Findings

        @tbl-studies lists the studies; @fig-prisma shows how we found them.

        {{ table:studies }}

        {{ figure:prisma }}
        """
    files.update(changes)
    return write_files(tmp_path / "project", files)


def build_quietly(root: Path, **options):
    return build(root, verbose=False, **options)


# ------------------------------------------------------- the reference review


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """The reference review built once, in a copy: (root, result, project)."""
    root = tmp_path_factory.mktemp("reference") / "review"
    root.mkdir()
    copy_reference_review(root)
    project = load_project(root)
    if len(project.studies) < 29 or not (root / "manuscript" / "metadata.yaml").is_file():
        pytest.skip("the reference review's data or manuscript has not landed yet")
    return root, build_quietly(root), project


@pytest.fixture(scope="session")
def reference_docx(reference):
    return docx.Document(str(reference[1].outputs["docx"]))


@pytest.fixture(scope="session")
def reference_pdf_text(reference):
    return pdf_text(reference[1].outputs["pdf"])


def _first_findings(project) -> dict[str, str]:
    return {s.id: s.findings[0] for s in project.studies}


def test_reference_build_keeps_its_inputs_in_build(reference):
    root, result, _ = reference
    names = {p.name for p in result.build_dir.iterdir()}
    assert {"manuscript.md", "table1.md", "counts.json", "prisma.svg", "prisma.png", "manuscript.docx",
            "manuscript.pdf", "manuscript.anchors.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    assert json.loads((result.build_dir / "counts.json").read_text())["included"]["value"] == 29
    assert [name for name, _ in result.timings][-1] == "DOCX and PDF side by side"


def test_docx_title_and_section_headings(reference, reference_docx):
    paragraphs = reference_docx.paragraphs
    titles = [p.text for p in paragraphs if p.style.name == "Title"]
    assert titles == ["Social support and recovery from mental health problems: a scoping review"]
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    for heading in ("Introduction", "Method", "Findings", "Discussion", "Conclusion", "References"):
        assert heading in headings


def test_docx_table1_has_every_study_under_the_two_themes(reference, reference_docx):
    _, _, project = reference
    table = reference_docx.tables[0]
    group_rows, study_rows = [], []
    for row in table.rows[1:]:
        cells = row.cells
        if len({id(c._tc) for c in cells}) == 1:
            group_rows.append(cells[0].text)
        else:
            study_rows.append(row)
    for theme in project.review.themes:
        assert theme.label in group_rows
    assert len(study_rows) == 29
    table_text = "\n".join(c.text for row in study_rows for c in row.cells)
    for study_id, finding in _first_findings(project).items():
        assert finding in table_text, study_id
    first_row = table._tbl.tr_lst[0]
    assert first_row.find(f"{W}trPr/{W}tblHeader") is not None, "the header row repeats on every page"


def test_docx_table_is_in_a_landscape_section_with_page_numbers(reference, reference_docx):
    sections = reference_docx.sections
    orientations = [s.orientation for s in sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = sections[1]
    assert (landscape.page_width.twips, landscape.page_height.twips) == (16838, 11906)  # A4 turned
    assert (sections[0].page_width.twips, sections[0].page_height.twips) == (11906, 16838)
    for section in sections:
        assert " PAGE " in section.footer._element.xml, "every section shows the page number"
    # the table sits between the two inserted section breaks
    body = reference_docx.element.body
    children = list(body)
    table_at = children.index(reference_docx.tables[0]._tbl)
    breaks = [i for i, child in enumerate(children) if child.find(f"{W}pPr/{W}sectPr") is not None]
    assert breaks[0] < table_at < breaks[1]


def test_docx_figure_references_and_cross_references(reference, reference_docx):
    _, _, project = reference
    assert len(reference_docx.inline_shapes) >= 1, "Figure 1 is an image in the DOCX"
    text = "\n".join(p.text for p in reference_docx.paragraphs)
    assert "Figure 1. PRISMA-ScR flow diagram" in text
    assert "Table 1 gives an overview" in text and "as Figure 1 shows" in text
    assert "???" not in text and "@tbl" not in text and "@fig" not in text
    entries = [p.text for p in reference_docx.paragraphs if p.style.name == "Bibliography"]
    assert len(entries) >= 29
    references = "\n".join(entries)
    for study in project.studies:
        family = project.bibliography.references[study.id].first_author
        assert family.split()[-1] in references, study.id  # "de Jong" is listed as "Jong, Gideon de"
    xml = document_xml(reference[1].outputs["docx"])
    assert "REF " not in xml and "fldSimple" not in xml, "cross-references are plain text, not Word fields"


def test_docx_bookmarks_and_anchor_manifest(reference):
    _, result, _ = reference
    xml = document_xml(result.outputs["docx"])
    manifest = json.loads((result.build_dir / "manuscript.anchors.json").read_text(encoding="utf-8"))
    anchors = manifest["anchors"]
    assert manifest["version"] == 1
    for anchor in ("ch_p0001", "ch_t0001", "ch_m0001", "ch_f0001"):
        assert anchor in anchors
        assert f'w:name="{anchor}"' in xml
    for anchor, entry in anchors.items():
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", anchor)
    prose = [e for e in anchors.values() if e["kind"] == "prose"]
    method = next(e for e in prose if e["source"] == "manuscript/02-method.md" and "{{" not in e["text"]
                  and e["placeholders"])
    source_lines = (reference[0] / method["source"]).read_text(encoding="utf-8").split("\n")
    assert source_lines[method["line"] - 1].startswith(method["text"][:10])
    assert anchors["ch_m0001"] == {"kind": "metadata", "source": "manuscript/metadata.yaml", "line": 14,
                                   "field": "title", "text": "Social support and recovery from mental health "
                                   "problems: a scoping review"} or anchors["ch_m0001"]["field"] == "title"
    table_entry = next(e for e in anchors.values() if e["kind"] == "table" and e["field"] == "findings.0")
    assert table_entry["source"].startswith("studies/") and table_entry["line"] > 0


def test_pdf_has_every_study_row_names_and_numbers(reference, reference_pdf_text):
    _, result, project = reference
    text = alnum(reference_pdf_text)
    missing = [sid for sid, finding in _first_findings(project).items() if alnum(finding)[:40] not in text]
    assert missing == [], "every study's row is in the PDF"
    assert "Bjørlykhaug" in reference_pdf_text
    assert "Table 1" in reference_pdf_text and "Figure 1" in reference_pdf_text
    assert "PRISMA-ScR flow diagram" in reference_pdf_text
    assert "???" not in reference_pdf_text
    reader = PdfReader(str(result.outputs["pdf"]))
    landscape = [i for i, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
    assert len(landscape) >= 2, "Table 1 spans several landscape pages"
    header = alnum("Study (country) Research question")
    findings = [alnum(f)[:40] for f in _first_findings(project).values()]
    with_rows = [i for i in landscape if any(f in alnum(reader.pages[i].extract_text()) for f in findings)]
    assert len(with_rows) >= 2
    assert all(header in alnum(reader.pages[i].extract_text()) for i in with_rows), "the header row repeats"
    assert reader.metadata.title.startswith("Social support and recovery")
    assert "Bjørlykhaug" in reader.metadata.author


def test_libreoffice_opens_the_docx_and_finds_table1(reference, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it with apt-get")
    _, result, project = reference
    profile = f"file:///tmp/lo_{uuid.uuid4().hex}"
    process = subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf",
                              "--outdir", str(tmp_path), str(result.outputs["docx"])],
                             capture_output=True, text=True)
    shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    converted = tmp_path / "manuscript.pdf"
    assert converted.is_file(), f"LibreOffice could not convert the DOCX: {process.stderr}"
    text = alnum(pdf_text(converted))
    missing = [sid for sid, finding in _first_findings(project).items() if alnum(finding)[:40] not in text]
    assert missing == []
    assert alnum("Characteristics of the included studies") in text


# -------------------------------------------------------------- small projects


HOSTILE_QUESTION = "Is a | b ** c *d* _e_ # f @berg2018 $x$ <b>tag</b> [x](y) \\\\ {{ n.included }} ?"
HOSTILE_FINDING = "Bjørlykhaug & Sæther; 李娜; Nurul binti Abdullah: " + "w" * 200 + " end"


def test_hostile_text_comes_out_literally_in_docx_and_pdf(tmp_path):
    files = minimal_project_files()
    study = files["studies/berg2018.yaml"]
    study = study.replace("research_question: How do service users describe support from friends during recovery?",
                          "research_question: " + json.dumps(HOSTILE_QUESTION))
    study = study.replace("  - Friends offered a sense of ordinary life.",
                          "  - " + json.dumps(HOSTILE_FINDING) + "\n  - \"line one\\nline two\"")
    root = small_project(tmp_path, **{"studies/berg2018.yaml": study})
    result = build_quietly(root)
    cells = [c.text for t in docx.Document(str(result.outputs["docx"])).tables for r in t.rows for c in r.cells]
    assert HOSTILE_QUESTION in cells
    assert any(HOSTILE_FINDING in c and "line one\nline two" in c for c in cells)
    text = pdf_text(result.outputs["pdf"])
    compact = re.sub(r"[\s\u200b\u00ad-]", "", text)
    assert re.sub(r"[\s-]", "", HOSTILE_QUESTION) in compact
    # (no CJK font on the test machine: Typst draws boxes for 李娜 and text extraction varies, so not asserted)
    assert "Bjørlykhaug&Sæther;" in compact
    assert "NurulbintiAbdullah:" + "w" * 200 + "end" in compact
    assert "w" * 200 + "end" in compact


def test_long_words_stay_inside_the_page(tmp_path):
    study = minimal_project_files()["studies/berg2018.yaml"].replace(
        "  - Friends offered a sense of ordinary life.", "  - " + "x" * 300)
    result = build_quietly(small_project(tmp_path, **{"studies/berg2018.yaml": study}))
    reader = PdfReader(str(result.outputs["pdf"]))
    for page in reader.pages:
        boxes = []
        page.extract_text(visitor_text=lambda t, cm, tm, font, size: boxes.append((tm[4], t)) if t.strip() else None)
        assert all(x < float(page.mediabox.width) for x, _ in boxes), "no text starts beyond the page edge"
    assert "x" * 300 in re.sub(r"[\s\u200b]", "", pdf_text(result.outputs["pdf"]))


@pytest.mark.parametrize("section, message", [
    pytest.param("As @tbl-studes shows.\n",
                 "manuscript/03-more.md:1:4: cross-reference to '@tbl-studes', but no table has that label "
                 "(did you mean 'tbl-studies'?); the labels that exist are: @fig-prisma, @tbl-studies",
                 id="unknown-label"),
    pytest.param("Text.\n\nAs @fig-flow shows.\n",
                 "manuscript/03-more.md:3:4: cross-reference to '@fig-flow', but no figure has that label; "
                 "the labels that exist are: @fig-prisma, @tbl-studies", id="unknown-figure"),
    pytest.param("Known [@berg2018; @smith2020].\n",
                 "manuscript/03-more.md:1:19: citation key '@smith2020' is not in bib/; add the reference to a "
                 ".bib file in bib/ or correct the key", id="missing-key"),
    pytest.param("See https://example.org/@third for more.\n",
                 "manuscript/03-more.md:1:25: citation key '@third' is not in bib/; add the reference to a "
                 ".bib file in bib/ or correct the key", id="at-in-a-bare-url-is-a-citation-for-pandoc"),
    pytest.param("We had {{ n.studies }} studies.\n",
                 "manuscript/03-more.md:1:8: unknown placeholder 'n.studies' (run 'invoke counts' to list every "
                 "name)", id="unknown-placeholder"),
    pytest.param("{{ table:flow }}\n",
                 "manuscript/03-more.md:1: unknown placement '{{ table:flow }}'; Charter places "
                 "{{ table:studies }}, {{ figure:prisma }}", id="unknown-placement"),
])
def test_mistakes_stop_the_build_with_file_and_line(tmp_path, section, message):
    root = small_project(tmp_path, **{"manuscript/03-more.md": section})
    with pytest.raises(BuildError) as error:
        build_quietly(root)
    assert message in str(error.value).split("\n")
    assert not (root / "build" / "manuscript.docx").exists()


def test_invalid_data_is_refused_before_anything_is_written(tmp_path):
    study = minimal_project_files()["studies/carter2019.yaml"].replace("theme: b", "theme: z")
    root = small_project(tmp_path, **{"studies/carter2019.yaml": study})
    with pytest.raises(BuildError) as error:
        build_quietly(root)
    assert str(error.value).startswith("the build refused to start: the sources have errors")
    assert "studies/carter2019.yaml:2:8: theme: expected one of a, b" in str(error.value)
    assert not (root / "build").exists()


def test_a_failed_build_keeps_the_last_good_outputs(tmp_path):
    root = small_project(tmp_path)
    result = build_quietly(root)
    before = {fmt: path.read_bytes() for fmt, path in result.outputs.items()}
    (root / "manuscript" / "03-more.md").write_text("See [@nobody1999].\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_quietly(root)
    assert {fmt: path.read_bytes() for fmt, path in result.outputs.items()} == before
    assert not list((root / "build").glob("*.tmp"))


def test_a_pandoc_failure_keeps_the_last_good_outputs(tmp_path):
    root = small_project(tmp_path)
    result = build_quietly(root)
    before = {fmt: path.read_bytes() for fmt, path in result.outputs.items()}
    templates = root / "templates"
    templates.mkdir()
    (templates / "manuscript.typ").write_text("$if(broken$\n", encoding="utf-8")  # pandoc rejects the template
    with pytest.raises(BuildError) as error:
        build_quietly(root)
    assert "pandoc failed while writing the Typst source" in str(error.value)
    assert {fmt: path.read_bytes() for fmt, path in result.outputs.items()} == before
    assert not list((root / "build").glob(".*.tmp"))


def test_same_sources_give_byte_identical_outputs(tmp_path):
    root = small_project(tmp_path)
    first = {fmt: path.read_bytes() for fmt, path in build_quietly(root).outputs.items()}
    shutil.rmtree(root / "build")  # no cache, no reuse: everything made again from the sources
    second = {fmt: path.read_bytes() for fmt, path in build_quietly(root).outputs.items()}
    assert first.keys() == {"docx", "pdf"}
    assert first == second


def test_blind_manuscript_names_nobody(tmp_path):
    root = small_project(tmp_path)
    result = build_quietly(root, blind=True)
    document = docx.Document(str(result.outputs["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    pdf = pdf_text(result.outputs["pdf"])
    for identifying in ("Kari Nordmann", "Example University", "We thank the librarians", "kari.nordmann"):
        assert identifying not in text
        assert identifying not in pdf
    assert "We mapped 3 studies" in text and "We mapped 3 studies" in pdf  # the abstract stays
    assert document.core_properties.author in ("", None)
    assert document.core_properties.last_modified_by in ("", None)
    with zipfile.ZipFile(result.outputs["docx"]) as package:
        assert str(root) not in package.read("docProps/custom.xml").decode("utf-8")
        assert "Nordmann" not in "".join(package.read(n).decode("utf-8", "replace") for n in package.namelist()
                                         if n.endswith(".xml"))
    metadata = PdfReader(str(result.outputs["pdf"])).metadata
    assert "Nordmann" not in str(dict(metadata))


def test_names_in_core_properties_when_not_blind(tmp_path):
    result = build_quietly(small_project(tmp_path))
    properties = docx.Document(str(result.outputs["docx"])).core_properties
    assert properties.author == "Kari Nordmann"
    assert properties.title == "Social support and recovery from mental health problems"


def test_letter_paper(tmp_path):
    result = build_quietly(small_project(tmp_path), paper="letter", formats=("docx",))
    sections = docx.Document(str(result.outputs["docx"])).sections
    sizes = [(s.page_width.twips, s.page_height.twips) for s in sections]
    assert sizes == [(12240, 15840), (15840, 12240), (12240, 15840)]
    assert set(result.outputs) == {"docx"}
    assert not (root_pdf := result.build_dir / "manuscript.pdf").exists(), root_pdf


def test_citation_style_from_metadata(tmp_path):
    metadata = minimal_project_files()["manuscript/metadata.yaml"].replace("csl: apa", "csl: vancouver")
    result = build_quietly(small_project(tmp_path, **{"manuscript/metadata.yaml": metadata}), formats=("docx",))
    text = "\n".join(p.text for p in docx.Document(str(result.outputs["docx"])).paragraphs)
    assert re.search(r"\(1,\s*2\)|\[1,\s*2\]|\b1,2\b|\(1–2\)|\[1–2\]", text), text[:500]


def test_unknown_style_is_an_error_with_close_matches(tmp_path):
    metadata = minimal_project_files()["manuscript/metadata.yaml"].replace("csl: apa", "csl: apa-6th-editon")
    with pytest.raises(BuildError) as error:
        build_quietly(small_project(tmp_path, **{"manuscript/metadata.yaml": metadata}))
    assert "manuscript/metadata.yaml:18:6: csl: unknown citation style 'apa-6th-editon' (close matches: " \
           "apa-6th-edition" in str(error.value)


# --------------------------------------------------- assembly and metadata, pure


from charter.document.assemble import assemble, split_blocks  # noqa: E402
from charter.model import Section  # noqa: E402
from charter.document.counts import Count  # noqa: E402
from charter.sources.metadata import parse_metadata  # noqa: E402

METADATA = b"""\
title: A review of {{ n.included }} studies
authors:
  - name: Ana Lima
    affiliations: [uib]
    corresponding: true
    email: ana@example.org
  - name: Bo Chen
    affiliation: uio
affiliations:
  uib: University of Bergen
  uio: University of Oslo
abstract: |
  We found {{ n.included | words }} studies.
keywords: [support]
funding: The Fund.
"""


def test_split_blocks_keeps_lists_fences_and_headings_apart():
    text = ("# Heading\nParagraph one\ncontinues.\n\n- item one\n\n- item two\n  more\n\n"
            "```\ncode\n\nstill code\n```\n\n> quote\n\n::: {.note}\ninside\n\nstill\n:::\nlast\n\n"
            "<!-- a comment\n\nwith a blank line -->\nafter")
    blocks = [(b.first_line, "\n".join(b.lines)) for b in split_blocks(text)]
    assert blocks == [
        (1, "# Heading"),
        (2, "Paragraph one\ncontinues."),
        (5, "- item one\n\n- item two\n  more"),
        (10, "```\ncode\n\nstill code\n```"),
        (16, "> quote"),
        (18, "::: {.note}\ninside\n\nstill\n:::"),
        (23, "last"),
        (25, "<!-- a comment\n\nwith a blank line -->"),
        (28, "after"),
    ]


def test_metadata_reads_both_affiliation_forms_and_reports_unknown_ones():
    metadata, problems = parse_metadata(METADATA)
    assert problems == []
    assert [a.affiliations for a in metadata.authors] == [("uib",), ("uio",)]
    assert metadata.affiliation_numbers() == {"uib": 1, "uio": 2}
    listed = METADATA.replace(b"  uib: University of Bergen\n  uio: University of Oslo\n",
                              b"  - {id: uib, name: University of Bergen}\n")
    metadata, problems = parse_metadata(listed)
    assert [str(p) for p in problems] == [
        "manuscript/metadata.yaml:8:18: authors.1.affiliations: unknown affiliation 'uio'; the affiliations are: uib"]


def test_assembly_anchors_titles_page_placeholders_and_labels():
    metadata, _ = parse_metadata(METADATA)
    counts = {"included": Count("included", 29, "included studies")}
    sections = [Section("manuscript/01-intro.md", "# Intro\n\nWe read {{ n.included }} studies, see @tbl-studies.\n"
                        "\n{{ table:studies }}\n")]
    assembled = assemble(metadata, sections, counts, known_keys=set())
    assert assembled.problems == ()
    assert assembled.labels == {"tbl-studies": "Table 1"}
    assert assembled.anchors["ch_p0002"] == {
        "kind": "prose", "source": "manuscript/01-intro.md", "line": 3, "field": None,
        "text": "We read 29 studies, see @tbl-studies.", "placeholders": [{"name": "included", "text": "29"}]}
    assert assembled.anchors["ch_m0001"]["text"] == "A review of 29 studies"
    assert "::: {#tbl-studies .charter-placement}" in assembled.markdown
    assert "# Funding {.unnumbered .charter-back-matter}" in assembled.markdown
    blind = assemble(metadata, sections, counts, known_keys=set(), blind=True)
    assert "Ana Lima" not in blind.markdown and "Bergen" not in blind.markdown and "The Fund" not in blind.markdown


def test_reference_to_a_table_that_is_not_placed():
    metadata, _ = parse_metadata(METADATA)
    sections = [Section("manuscript/01-intro.md", "See @tbl-studies.\n")]
    assembled = assemble(metadata, sections, {"included": Count("included", 1, "")}, known_keys=set())
    assert [str(p) for p in assembled.problems] == [
        "manuscript/01-intro.md:1:5: cross-reference to '@tbl-studies', but no table has that label; "
        "place it with a line {{ table:studies }} in a section"]


def test_build_warns_when_table1_or_figure1_is_not_placed(tmp_path):
    root = small_project(tmp_path, **{"manuscript/02-findings.md": "# Findings\n\nNo table here.\n"})
    result = build_quietly(root, formats=("docx",))
    assert [str(w) for w in result.warnings if "not placed" in str(w)] == [
        "manuscript/01-introduction.md: Table 1 (the included studies) is not placed in the manuscript; add a line "
        "{{ table:studies }} where it belongs",
        "manuscript/01-introduction.md: Figure 1 (the PRISMA flow diagram) is not placed in the manuscript; add a "
        "line {{ figure:prisma }} where it belongs"]


def test_bracketed_and_prefixed_cross_references_render_as_text(tmp_path):
    section = ("As shown [@tbl-studies], and [see @fig-prisma, p. 1]. E-mail ana@example.org stays.\n\n"
               "Links: <https://example.org/@someone>, [profile](https://example.org/@else).\n")
    result = build_quietly(small_project(tmp_path, **{"manuscript/03-more.md": section}), formats=("docx",))
    text = "\n".join(p.text for p in docx.Document(str(result.outputs["docx"])).paragraphs)
    assert "As shown Table 1, and see Figure 1, p.\u00a01. E-mail ana@example.org stays." in text


def test_citeproc_warnings_become_errors_with_the_place_of_the_key(tmp_path):
    """The safety net behind the scan: pandoc's real "not found" warning is turned into an error."""
    from charter.compile.build import _citeproc_problems
    from charter.compile.pandoc import markdown_to_json
    from charter.sources.styles import resolve_style

    (tmp_path / "refs.bib").write_text("@book{known2020, author={Known, A.}, title={T}, year={2020}}\n")
    (tmp_path / "in.md").write_text("Known [@known2020], unknown [@ghost2021].\n")
    csl, _ = resolve_style("apa", tmp_path, Location("manuscript/metadata.yaml"))
    messages = markdown_to_json(tmp_path / "in.md", tmp_path / "out.json", csl=csl,
                                bibliographies=[tmp_path / "refs.bib"], root=tmp_path)
    sections = [Section("manuscript/01-intro.md", "Intro.\n\nKnown [@known2020], unknown [@ghost2021].\n")]
    assert [str(p) for p in _citeproc_problems(messages, sections)] == [
        "manuscript/01-intro.md:3: citation key '@ghost2021' is not in bib/ (pandoc's citeproc could not find it); "
        "add the reference to a .bib file in bib/ or correct the key"]


def test_table_caption_and_note_are_markdown_with_citations(tmp_path):
    review = minimal_project_files()["review.yaml"].replace(
        'note: "QUAL = qualitative; QUAN = quantitative; REV = review."',
        'note: "Adapted from @carter2019. *QUAL* = qualitative; {{ n.included }} studies."')
    result = build_quietly(small_project(tmp_path, **{"review.yaml": review}))
    text = "\n".join(p.text for p in docx.Document(str(result.outputs["docx"])).paragraphs)
    assert "Note. Adapted from Carter (2019). QUAL = qualitative; 3 studies." in text
    assert "Table 1. Characteristics of the included studies" in text
    assert "Adapted from Carter (2019)" in pdf_text(result.outputs["pdf"])


def test_unknown_key_in_the_table_note_names_review_yaml(tmp_path):
    review = minimal_project_files()["review.yaml"].replace(
        'note: "QUAL = qualitative; QUAN = quantitative; REV = review."', 'note: "After @nobody2000."')
    with pytest.raises(BuildError) as error:
        build_quietly(small_project(tmp_path, **{"review.yaml": review}))
    assert "review.yaml:37: citation key '@nobody2000' is not in bib/; add the reference to a .bib file in bib/ " \
           "or correct the key" in str(error.value).split("\n")


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, written by hand (no imaging library needed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width * 3 for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_images_in_the_text_are_found_in_manuscript_folder(tmp_path):
    section = "Our logo:\n\n![The logo](figures/logo.png){width=2cm}\n"
    root = small_project(tmp_path, **{"manuscript/03-more.md": section, "manuscript/figures/logo.png": _png()})
    result = build_quietly(root)
    assert len(docx.Document(str(result.outputs["docx"])).inline_shapes) == 2  # the logo and Figure 1
    assert "The logo" in pdf_text(result.outputs["pdf"])


def test_missing_image_is_an_error_with_file_and_line(tmp_path):
    root = small_project(tmp_path, **{"manuscript/03-more.md": "Text.\n\nSee ![x](figures/none.png).\n"})
    with pytest.raises(BuildError) as error:
        build_quietly(root)
    assert ("manuscript/03-more.md:3:5: image 'figures/none.png' not found (looked in manuscript/ and in the "
            "project folder); correct the path or add the file") in str(error.value).split("\n")


def test_a_typst_error_shows_the_line_and_keeps_the_last_good_outputs(tmp_path):
    root = small_project(tmp_path)
    result = build_quietly(root)
    before = {fmt: path.read_bytes() for fmt, path in result.outputs.items()}
    template = (REPO / "charter" / "templates" / "manuscript.typ").read_text(encoding="utf-8")
    broken = template.replace("#set par(justify: true", "#set par(justify: tru", 1)
    assert broken != template
    write_files(root, {"templates/manuscript.typ": broken})
    with pytest.raises(BuildError) as error:
        build_quietly(root)
    message = str(error.value)
    assert "Typst could not compile build/manuscript.typ" in message
    assert "error: unknown variable: tru" in message and "#set par(justify: tru" in message
    assert {fmt: path.read_bytes() for fmt, path in result.outputs.items()} == before
