"""invoke check and invoke counts on real project trees: every kind of mismatch, the output, the DOCX."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pypandoc
import pytest

from charter.checking.check import docx_paragraphs, main, print_counts
from conftest import write_files
from projects import minimal_project_files

RESULTS = """\
# Results

@tbl-studies describes the included studies.

{{ table:studies }}
"""


def small_project(tmp_path: Path, changes: dict[str, str] | None = None) -> Path:
    """The minimal project with Table 1 placed and referred to; ``changes``: {path: text} replaced or added."""
    files = minimal_project_files()
    # 53 reports assessed - 49 excluded = the 4 reports of the 3 included studies (PRISMA arithmetic)
    files["review.yaml"] = files["review.yaml"].replace("dbr_excluded: 50", "dbr_excluded: 49")
    files["manuscript/02-results.md"] = RESULTS
    files.update(changes or {})
    return write_files(tmp_path, files)


def check(root: Path, **options) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(root, out=out, **options)
    return code, out.getvalue().splitlines()


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if text in line)


# ------------------------------------------------------------------ small projects


def test_clean_small_project_passes_strict(tmp_path):
    code, lines = check(small_project(tmp_path), strict=True)
    assert lines == ["invoke check: 0 errors, 0 warnings — 3 studies, 2 themes, 4 references"]
    assert code == 0


def test_wrong_number_in_prose_is_an_error_with_place_and_fix(tmp_path):
    root = small_project(tmp_path, {"manuscript/03-discussion.md": "# Discussion\n\nFour studies met the inclusion "
                                                                "criteria.\n"})
    code, lines = check(root)
    assert lines[0] == ('manuscript/03-discussion.md:3:1: "Four studies met the inclusion" says 4, the data has 3 included '
                        "studies (n.included); correct the text or the data, and write {{ n.included | Words }}")
    assert lines[-1] == "invoke check: 1 error, 0 warnings — 3 studies, 2 themes, 4 references"
    assert code == 1


def test_matching_number_is_a_warning_and_strict_makes_it_an_error(tmp_path):
    root = small_project(tmp_path, {"manuscript/03-discussion.md": "# Discussion\n\nTwo studies addressed theme (a).\n"})
    code, lines = check(root)
    expected = ('manuscript/03-discussion.md:3:1: "Two studies … theme (a)" is typed by hand; write '
                "{{ n.theme.a | Words }} so it follows the data (2 studies in theme (a) Associations between "
                "mental health and social support)")
    assert lines == [expected, "invoke check: 0 errors, 1 warning — 3 studies, 2 themes, 4 references"]
    assert code == 0
    code, lines = check(root, strict=True)
    assert lines[-1] == "invoke check: 1 error, 0 warnings — 3 studies, 2 themes, 4 references"
    assert code == 1


def test_numbers_that_are_not_counts_pass(tmp_path):
    text = """\
    # Discussion

    Participants were aged 18 to 65 years, and 62% were women [@ahmad2020].
    @berg2018 interviewed 12 service users in 2017 over two sessions (p. 4).
    Our search covered 2000 to 2020; see Table 2 for the 3 main reasons, (1) design and (2) scope.
    """
    code, lines = check(small_project(tmp_path, {"manuscript/03-discussion.md": text}), strict=True)
    assert lines == ["invoke check: 0 errors, 0 warnings — 3 studies, 2 themes, 4 references"]


def test_annotation_settles_a_doubtful_number(tmp_path):
    text = """\
    # Discussion

    Of the [7]{count=none} studies we screened first, none was excluded.
    In all, [4]{count=theme.a} studies were about associations.
    """
    code, lines = check(small_project(tmp_path, {"manuscript/03-discussion.md": text}))
    assert lines[0] == ('manuscript/03-discussion.md:4:10: "4" says 4, the data has 2 studies in theme (a) '
                        "Associations between mental health and social support (n.theme.a); correct the text or "
                        "the data, and write {{ n.theme.a }}")
    assert len(lines) == 2


def test_unknown_count_in_annotation_is_an_error(tmp_path):
    text = "# Discussion\n\nWe kept [4]{count=themes.a} studies.\n"
    code, lines = check(small_project(tmp_path, {"manuscript/03-discussion.md": text}))
    assert lines[0] == ('manuscript/03-discussion.md:3:10: "4" is marked count=themes.a, which is not a count '
                        "(run 'invoke counts' to list every name, or write count=none)")


def test_number_in_the_abstract_is_checked_on_its_line(tmp_path):
    files = minimal_project_files()
    meta = files["manuscript/metadata.yaml"].replace(
        "  We mapped {{ n.included }} studies on social support and recovery.\n",
        "  We mapped {{ n.included }} studies on social support and recovery.\n"
        "  Five of the studies were qualitative.\n")
    root = small_project(tmp_path, {"manuscript/metadata.yaml": meta})
    code, lines = check(root)
    line = line_of(root / "manuscript/metadata.yaml", "Five of the studies")
    assert lines[0] == (f'manuscript/metadata.yaml:{line}:1: "Five of … qualitative" says 5, the data '
                        "has 1 study with a qualitative design (n.orientation.qualitative); correct the text or "
                        "the data, and write {{ n.orientation.qualitative | Words }}")


def test_unused_bib_entry_is_a_warning(tmp_path):
    root = small_project(tmp_path)
    with open(root / "bib/references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n@article{zeng2020,\n  author = {Zeng, Li},\n  title = {Unused},\n  year = {2020},\n}\n")
    code, lines = check(root)
    line = line_of(root / "bib/references.bib", "@article{zeng2020")
    assert lines[0].startswith(f"bib/references.bib:{line}")
    assert lines[0].endswith("the reference 'zeng2020' is cited nowhere (neither in manuscript/ nor by a study "
                             "file); cite it or remove it from the bibliography")
    assert code == 0 and check(root, strict=True)[0] == 1


@pytest.mark.parametrize("sentence, found", [
    pytest.param("The flow is shown in .", '"The flow is shown in .": a reference is missing here', id="shown-in"),
    pytest.param("Details are given (see ).", '"Details are given (see ).": an empty parenthesis is left where a '
                 "reference was", id="see-empty"),
    pytest.param("Table ? lists them.", '"Table ? lists them.": a lost cross-reference', id="table-question"),
    pytest.param("Figure ?? shows the flow.", '"Figure ?? shows the flow.": a lost cross-reference', id="figure"),
    pytest.param("Support matters [@].", '"Support matters [@].": an empty citation', id="empty-citation"),
])
def test_remnants_of_lost_references_are_errors(tmp_path, sentence, found):
    root = small_project(tmp_path, {"manuscript/03-discussion.md": f"# Discussion\n\n{sentence}\n"})
    code, lines = check(root)
    assert lines[0].startswith(f"manuscript/03-discussion.md:3: {found}")
    assert code == 1


def test_table_placed_but_never_referred_to(tmp_path):
    root = small_project(tmp_path, {"manuscript/02-results.md": "# Results\n\n{{ table:studies }}\n"})
    code, lines = check(root)
    assert lines[0] == ("manuscript/02-results.md:3: table 'tbl-studies' is placed but the text never refers to "
                        "it; write @tbl-studies where the text discusses it (rendered 'Table N')")


def test_table_not_placed(tmp_path):
    root = small_project(tmp_path, {"manuscript/02-results.md": "# Results\n\nNo table here.\n"})
    code, lines = check(root)
    assert "manuscript: Table 1 (the included studies) is placed nowhere: put a line {{ table:studies }} where it " \
           "belongs in a section" in lines


def test_github_annotations(tmp_path):
    root = small_project(tmp_path, {"manuscript/03-discussion.md": "# Discussion\n\nFour studies met the inclusion "
                                                                "criteria.\n"})
    code, lines = check(root, fmt="github")
    assert lines[0].startswith("::error file=manuscript/03-discussion.md,line=3,col=1::\"Four studies met the inclusion\" "
                               "says 4")
    assert lines[-1] == "invoke check: 1 error, 0 warnings — 3 studies, 2 themes, 4 references"


def test_errors_come_before_warnings(tmp_path):
    text = "# Discussion\n\nTwo studies addressed theme (a).\n\nFour studies met the inclusion criteria.\n"
    code, lines = check(small_project(tmp_path, {"manuscript/03-discussion.md": text}))
    assert [line.split(":")[1] for line in lines[:2]] == ["5", "3"]
    assert "says 4" in lines[0] and "typed by hand" in lines[1]


def test_counts_table_and_json(tmp_path):
    root = small_project(tmp_path)
    out = io.StringIO()
    print_counts(root, out=out)
    rows = {line.split()[0]: line for line in out.getvalue().splitlines()[2:]}
    assert re.fullmatch(r"n\.included\s+3\s+included studies", rows["n.included"])
    assert re.fullmatch(r"n\.prisma\.identified\s+2,819\s+records identified from databases",
                        rows["n.prisma.identified"])
    assert re.fullmatch(r"n\.prisma\.duplicates\s+not reported\s+duplicate records removed before screening",
                        rows["n.prisma.duplicates"])
    out = io.StringIO()
    print_counts(root, fmt="json", out=out)
    data = json.loads(out.getvalue())
    assert data["theme.a"] == {"placeholder": "{{ n.theme.a }}", "value": 2,
                               "meaning": "studies in theme (a) Associations between mental health and social "
                                          "support"}
    assert data["prisma.duplicates"]["value"] is None


# ------------------------------------------------------------------ the DOCX


def docx_from_markdown(tmp_path: Path, markdown: str) -> Path:
    source = tmp_path / "edited.md"
    source.write_text(markdown, encoding="utf-8")
    out = tmp_path / "edited.docx"
    pypandoc.convert_file(str(source), "docx", outputfile=str(out))
    return out


def test_docx_with_a_wrong_number(tmp_path):
    root = small_project(tmp_path / "review")
    docx = docx_from_markdown(tmp_path, "# Results\n\nWe mapped three studies.\n\nFour studies met the inclusion "
                                        "criteria.\n\n| n | what |\n|---|---|\n| 9 | studies included |\n\n"
                                        "# References\n\nSmith (2020). 12 studies included in a review.\n")
    code, lines = check(root, docx=docx)
    assert lines == ['edited.docx: paragraph 3, character 1: "Four studies met the inclusion" says 4, the data has 3 included studies '
                     "(n.included); correct the text or the data, and write {{ n.included | Words }}",
                     "invoke check: 1 error, 0 warnings — 3 studies, 2 themes, 4 references"]
    assert code == 1


def test_docx_tracked_insertion_that_changes_a_number(tmp_path):
    root = small_project(tmp_path / "review")
    docx = docx_from_markdown(tmp_path, "We included 3 studies in this review.\n")
    with zipfile.ZipFile(docx) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    run = re.search(r"<w:r>(?:(?!</w:r>).)*?We included 3 studies in this review\.</w:t></w:r>", xml, re.S)
    assert run is not None
    changed = ('<w:r><w:t xml:space="preserve">We included </w:t></w:r>'
               '<w:del w:id="901" w:author="Co-author" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>3</w:delText>'
               '</w:r></w:del><w:ins w:id="902" w:author="Co-author" w:date="2026-01-01T00:00:00Z"><w:r>'
               '<w:t>5</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> studies in this review.</w:t></w:r>')
    parts["word/document.xml"] = (xml[:run.start()] + changed + xml[run.end():]).encode("utf-8")
    edited = tmp_path / "tracked.docx"
    with zipfile.ZipFile(edited, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    code, lines = check(root, docx=edited)
    assert lines[0] == ('tracked.docx: paragraph 1, character 13: "5 studies … this review" says 5, the data has 3 included '
                        "studies (n.included); correct the text or the data, and write {{ n.included }}")
    assert code == 1


def test_docx_that_does_not_exist(tmp_path):
    code, lines = check(small_project(tmp_path), docx=tmp_path / "missing.docx")
    assert lines[0] == f"{tmp_path / 'missing.docx'}: no such file: give the path of the edited DOCX"
    assert code == 1


# ------------------------------------------------------------------ the reference review


def edit(path: Path, old: str, new: str) -> int:
    """Replace old (which must occur) by new in a file; return the 1-based line of the change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def findings(root: Path, **options) -> tuple[int, list[str]]:
    """Exit status and the errors found (errors come first, then warnings, then the summary)."""
    code, lines = check(root, **options)
    errors = int(re.search(r"invoke check: (\d+) error", lines[-1]).group(1))
    return code, lines[:errors]


def test_reference_review_passes_strict(reference_copy):
    code, lines = check(reference_copy, strict=True)
    assert lines == ["invoke check: 0 errors, 0 warnings — 29 studies, 2 themes, "
                     f"{lines[-1].rsplit(', ', 1)[1]}"]
    assert code == 0


def test_reference_number_changed_in_prose(reference_copy):
    method = reference_copy / "manuscript/02-method.md"
    line = edit(method, "{{ n.theme.a | Words }} of the articles belong", "Twelve of the articles belong")
    code, lines = findings(reference_copy)
    column = method.read_text(encoding="utf-8").splitlines()[line - 1].index("Twelve of") + 1
    assert lines == [f'manuscript/02-method.md:{line}:{column}: "Twelve of … theme (a)" says 12, the data has 13 studies in '
                     "theme (a) Associations between mental health and social support (n.theme.a); correct the "
                     "text or the data, and write {{ n.theme.a | Words }}"]
    assert code == 1


def test_reference_study_theme_changed(reference_copy):
    method = reference_copy / "manuscript/02-method.md"
    line = edit(method, "{{ n.theme.a | Words }} of the articles belong", "Thirteen of the articles belong")
    study = reference_copy / "studies/andrea2016.yaml"
    edit(study, "theme: a\nsubtheme: status", "theme: b\nsubtheme: direct")
    code, lines = findings(reference_copy)
    column = method.read_text(encoding="utf-8").splitlines()[line - 1].index("Thirteen of") + 1
    assert lines == [f'manuscript/02-method.md:{line}:{column}: "Thirteen of … theme (a)" says 13, the data has 12 studies in '
                     "theme (a) Associations between mental health and social support (n.theme.a); correct the "
                     "text or the data, and write {{ n.theme.a | Words }}"]


def test_reference_study_design_changed(reference_copy):
    findings_md = reference_copy / "manuscript/03-findings.md"
    line = edit(findings_md, "{{ n.orientation.qualitative | words }} take a qualitative approach",
                "nine take a qualitative approach")
    edit(reference_copy / "studies/gidugu2015.yaml", "orientation: qualitative", "orientation: quantitative")
    code, lines = findings(reference_copy)
    column = findings_md.read_text(encoding="utf-8").splitlines()[line - 1].index("nine take") + 1
    assert f'manuscript/03-findings.md:{line}:{column}: "nine … qualitative" says 9, the data has 8 studies with a ' \
           "qualitative design (n.orientation.qualitative); correct the text or the data, and write " \
           "{{ n.orientation.qualitative | words }}" in lines
    assert code == 1


def test_reference_prisma_box_changed(reference_copy):
    line = edit(reference_copy / "review.yaml", "dbr_assessed: 53", "dbr_assessed: 52")
    code, lines = findings(reference_copy)
    assert len(lines) == 1
    assert re.fullmatch(r"review\.yaml:\d+:\d+: prisma\.new_reports: says 29 reports of new included studies, but "
                        r"52 reports assessed \(prisma\.dbr_assessed\) minus 24 reports excluded "
                        r"\(prisma\.dbr_excluded\) leaves 28; correct whichever number is wrong so that the flow "
                        r"adds up", lines[0])
    assert code == 1


def test_reference_study_file_deleted(reference_copy):
    (reference_copy / "studies/sun2019.yaml").unlink()
    code, lines = findings(reference_copy)
    total = line_of(reference_copy / "review.yaml", "total_studies:")
    assert f"review.yaml:{total}:18: prisma.total_studies: says 29 included studies, but studies/ has 28 study " \
           "files; if 1 included study has no study file (e.g. they answer only another review question), write " \
           "studies_without_files: 1 under prisma: in review.yaml; otherwise correct the number or add/remove study " \
           "files" in lines
    assert sum("prisma.total_studies" in line for line in lines) == 1  # said once, not by loader and PRISMA both
    assert code == 1


def test_reference_bib_entry_dropped(reference_copy):
    bib = reference_copy / "bib/included.bib"
    text = bib.read_text(encoding="utf-8")
    start = text.index("@article{sun2019,")
    end = text.index("\n}", start) + 2
    bib.write_text(text[:start] + text[end:], encoding="utf-8")
    code, lines = findings(reference_copy)
    assert any(line.startswith("studies/sun2019.yaml:") and "citation key 'sun2019' is not in bib/" in line
               for line in lines)
    assert any(line.startswith("manuscript/03-findings.md:") and "citation key '@sun2019' is not in bib/" in line
               for line in lines)
    assert code == 1


def test_reference_cross_reference_broken(reference_copy):
    line = edit(reference_copy / "manuscript/02-method.md", "as @fig-prisma shows", "as @fig-prism shows")
    placed = next(n for n, text in enumerate((reference_copy / "manuscript/02-method.md").read_text(
        encoding="utf-8").split("\n"), start=1) if text.strip() == "{{ figure:prisma }}")
    code, lines = findings(reference_copy)
    assert re.sub(r":\d+: cross", ": cross", lines[0], count=1) == (
        f"manuscript/02-method.md:{line}: cross-reference to '@fig-prism', but no figure has that label (did you "
        "mean 'fig-prisma'?); the labels that exist are: @fig-prisma, @tbl-studies")
    assert lines[1] == (f"manuscript/02-method.md:{placed}: figure 'fig-prisma' is placed but the text never refers "
                        "to it; write @fig-prisma where the text discusses it (rendered 'Figure N')")
    assert code == 1


def test_reference_study_theme_not_declared_is_reported_once(reference_copy):
    edit(reference_copy / "studies/andrea2016.yaml", "theme: a", "theme: c")
    code, lines = findings(reference_copy)
    assert lines == ["studies/andrea2016.yaml:2:8: theme: expected one of a, b (the theme keys in review.yaml) but "
                     "got 'c'"]
    assert code == 1


def test_theme_counts_must_add_up(reference_copy):
    from charter.checking.check import check_totals
    from charter.document.counts import Count, compute_counts
    from charter.sources.load import load_project

    project = load_project(reference_copy)
    counts = compute_counts(project)
    counts["theme.b"] = Count("theme.b", 15, counts["theme.b"].meaning)
    [problem] = check_totals(project, counts)
    assert problem.message == ("the themes hold 13 (theme.a) + 15 (theme.b) = 28 studies, but 29 studies are "
                               "included; give every study file a theme declared in review.yaml")


def test_reference_docx_as_built_passes_and_an_edit_is_caught(reference_copy, tmp_path):
    """The reference text with its counts filled in, through pandoc and citeproc: no false alarm; a co-author's edit is."""
    from charter.document.assemble import assemble
    from charter.checking.check import read_sections
    from charter.document.counts import compute_counts
    from charter.sources.load import load_project
    from charter.sources.metadata import read_metadata

    project = load_project(reference_copy)
    meta, _ = read_metadata(reference_copy)
    assembled = assemble(meta, read_sections(reference_copy), compute_counts(project),
                         set(project.bibliography.references))
    source = tmp_path / "manuscript.md"
    source.write_text(assembled.markdown, encoding="utf-8")
    docx = tmp_path / "manuscript.docx"
    bibs = [f"--bibliography={b}" for b in sorted((reference_copy / "bib").glob("*.bib"))]
    pypandoc.convert_file(str(source), "docx", outputfile=str(docx), extra_args=["--citeproc", *bibs])
    code, lines = check(reference_copy, docx=docx, strict=True)
    assert lines == ["invoke check: 0 errors, 0 warnings — 29 studies, 2 themes, "
                     f"{lines[-1].rsplit(', ', 1)[1]}"]

    edited = tmp_path / "edited.md"
    # a co-author retypes the generated number (the build's mark stays around it, as in Word)
    marked = re.sub(r"\[Thirteen\](\{#ch_n\d+\} of the articles)", r"[Fourteen]\1", assembled.markdown)
    assert marked != assembled.markdown
    edited.write_text(marked, encoding="utf-8")
    pypandoc.convert_file(str(edited), "docx", outputfile=str(docx), extra_args=["--citeproc", *bibs])
    code, lines = check(reference_copy, docx=docx)
    assert len(lines) == 2 and code == 1
    place = re.fullmatch(r'manuscript\.docx: paragraph (\d+), character (\d+): "Fourteen of … theme \(a\)" says 14, the '
                         r"data has 13 studies in theme \(a\) Associations between mental health and social support "
                         r"\(n\.theme\.a\); correct the text or the data, and write \{\{ n\.theme\.a \| Words \}\}",
                         lines[0])
    assert place is not None
    paragraph, character = int(place.group(1)), int(place.group(2))
    text = docx_paragraphs(docx)[paragraph - 1]
    assert text[character - 1:].startswith("Fourteen of the articles")  # the place points at the number


def test_docx_keeps_the_sources_annotations(tmp_path):
    """A number the author marked count=none in the sources is not flagged in the DOCX, where the mark is gone."""
    text = "# Discussion\n\nThe earlier review included [12]{count=none} studies of religion.\n"
    root = small_project(tmp_path / "review", {"manuscript/03-discussion.md": text})
    docx = docx_from_markdown(tmp_path, "The earlier review included 12 studies of religion.\n\n"
                                        "Later, 12 studies were included in this review.\n")
    code, lines = check(root, docx=docx)
    assert lines[0].startswith('edited.docx: paragraph 2, character 8: "12 studies … included" says 12')
    assert len(lines) == 2


def test_placeholders_checked_even_without_metadata(tmp_path):
    root = small_project(tmp_path, {"manuscript/03-discussion.md": "# Discussion\n\nWe kept {{ n.includd }} studies.\n"})
    (root / "manuscript/metadata.yaml").unlink()
    code, lines = check(root)
    assert "manuscript/03-discussion.md:3:9: unknown placeholder 'n.includd' (did you mean 'n.included'?)" in lines
    assert any(line.startswith("manuscript/metadata.yaml: the file is missing") for line in lines)
    assert code == 1


def test_sentence_that_lost_its_subject(tmp_path):
    text = ("# Results\n\npresents the studies. @tbl-studies\n"
            "lists them again, and the table\nshows the designs.\n\n{{ table:studies }}\n")
    code, lines = check(small_project(tmp_path, {"manuscript/02-results.md": text}))
    assert lines[0] == ('manuscript/02-results.md:3: "presents the studies. @tbl-studies": the sentence starts with '
                        "its verb; its subject was probably a lost cross-reference (@tbl-… or @fig-…)")
    assert len(lines) == 2


def test_every_option_of_the_check_task_is_documented():
    import tasks

    docs = (Path(__file__).resolve().parent.parent / "docs" / "number-check.md").read_text(encoding="utf-8")
    for option in tasks.check.help:
        assert f"`--{option}" in docs, f"docs/number-check.md does not explain --{option}"
    assert "`invoke counts --format json`" in docs


def test_counts_note_on_data_errors_is_grammatical(tmp_path, capsys):
    root = small_project(tmp_path)
    study = next((root / "studies").glob("*.yaml"))
    study.write_text(study.read_text(encoding="utf-8").replace("theme: a", "theme: zz", 1)
                     .replace("theme: b", "theme: zz", 1), encoding="utf-8")
    print_counts(root, out=io.StringIO())
    note = next(line for line in capsys.readouterr().err.splitlines() if "the data has" in line)
    assert note == "note: the data has 1 error, so some counts may be wrong; run 'invoke check'"
