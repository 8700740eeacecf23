"""The PRISMA flow diagram: arithmetic between boxes, and the drawing read back from real Typst output."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import struct
from pathlib import Path

import pypdf
import pytest
import typst

from charter.sources.load import load_review
from charter.model import ExclusionReason, Location, Prisma, Review, Search, Source
from charter.document.prisma import check_arithmetic, flow_layout, flow_typst, render_figure
from charter.sources.prisma_csv import COUNTS, prisma_to_yaml, read_prisma_csv
from conftest import REPO, copy_reference_review, write_files
from projects import REVIEW_YAML

# The reference review: five databases, 2,819 records, 53 full texts, 29 studies; the rest not reported.
REFERENCE = Prisma(
    databases=tuple(Source(name) for name in (
        "Social Science Premium Collection", "CINAHL", "SveMed+", "Idunn", "PsycINFO (Ovid)")),
    database_records=2819,
    dbr_assessed=53,
    dbr_excluded=24,
    dbr_excluded_reasons=(ExclusionReason("Poor study design"),
                          ExclusionReason("Personal viewpoint without relevant empirical material")),
    new_studies=29, new_reports=29, total_studies=29, total_reports=29,
    positions={"prisma.total_studies": Location("review.yaml", 88, 3),
               "prisma.records_screened": Location("review.yaml", 70, 3)},
)

# Every box known and consistent: registers, other methods, a previous version, six reasons.
BUSY = Prisma(
    databases=(Source("MEDLINE via Ovid", 1200), Source("Embase", 900),
               Source("Cochrane Central Register of Controlled Trials (CENTRAL)", 300)),
    database_records=2400,
    registers=(Source("ClinicalTrials.gov", 40), Source("WHO ICTRP", 10)),
    register_records=50,
    duplicates=600, excluded_automatic=100, excluded_other=50,
    records_screened=1700, records_excluded=1500,
    dbr_sought_reports=200, dbr_notretrieved_reports=10, dbr_assessed=190, dbr_excluded=160,
    dbr_excluded_reasons=tuple(ExclusionReason(r, c) for r, c in (
        ("Wrong population", 50), ("Wrong intervention", 40),
        ("Wrong outcome measures reported in the full text", 30), ("Not a randomised controlled trial", 20),
        ("Conference abstract only", 10), ("Duplicate publication", 10))),
    other_sources=(Source("Websites", 12), Source("Organisations", 5), Source("Citation searching", 20)),
    other_sought_reports=37, other_notretrieved_reports=2, other_assessed=35, other_excluded=30,
    other_excluded_reasons=(ExclusionReason("Wrong population", 20), ExclusionReason("Wrong design", 10)),
    previous_studies=12, previous_reports=15,
    new_studies=30, new_reports=35, total_studies=42, total_reports=50,
)


def review_with(prisma: Prisma, review_type: str = "systematic") -> Review:
    return Review(title="A review", question="What?", review_type=review_type, themes=(), orientations=(),
                  country_groups={}, country_group_labels={}, extra_fields=(), search=Search(),
                  prisma=prisma, table_columns=())


def messages(prisma: Prisma, n_studies: int) -> list[str]:
    return [str(p) for p in check_arithmetic(prisma, n_studies)]


# ------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize("prisma, n_studies", [
    pytest.param(REFERENCE, 29, id="reference"),
    pytest.param(BUSY, 42, id="every-box-known"),
    pytest.param(Prisma(), 5, id="nothing-reported"),
    pytest.param(Prisma(database_records=100, records_screened=80), 5, id="removals-unknown"),
    pytest.param(dataclasses.replace(BUSY, other_assessed=None, other_excluded=None), 42,
                 id="other-methods-unknown"),
])
def test_consistent_or_unknown_numbers_raise_nothing(prisma, n_studies):
    assert check_arithmetic(prisma, n_studies) == []


def test_included_studies_must_equal_study_files_naming_both_numbers():
    prisma = dataclasses.replace(REFERENCE, total_studies=28, new_studies=28)
    assert messages(prisma, 29) == [
        "review.yaml:88:3: prisma.total_studies: says 28 included studies, but studies/ has 29 study files; "
        "correct the number or add/remove study files"]


def test_new_studies_stand_for_the_total_when_there_is_no_previous_version():
    prisma = dataclasses.replace(REFERENCE, total_studies=None, total_reports=None)
    assert messages(prisma, 1) == [
        "review.yaml: prisma.new_studies: says 29 included studies (there is no previous version), "
        "but studies/ has 1 study file; correct the number or add/remove study files"]


def test_screened_is_identified_minus_removed_before_screening():
    prisma = dataclasses.replace(BUSY, records_screened=1699, records_excluded=1499)
    assert messages(prisma, 42) == [
        "review.yaml: prisma.records_screened: says 1,699 records screened, but "
        "2,400 records identified from databases (prisma.database_records) "
        "plus 50 records identified from registers (prisma.register_records) "
        "minus 600 duplicates (prisma.duplicates) "
        "minus 100 marked as ineligible by automation tools (prisma.excluded_automatic) "
        "minus 50 removed for other reasons (prisma.excluded_other) leaves 1,700; "
        "correct whichever number is wrong so that the flow adds up"]


def contradiction(**changes) -> list[str]:
    """The fields named by the problems found after changing BUSY."""
    return [p.field for p in check_arithmetic(dataclasses.replace(BUSY, **changes), 42)]


@pytest.mark.parametrize("changes, fields", [
    # a stated total wins over the per-source sum, so the screened box no longer adds up either
    pytest.param({"database_records": 2500}, ["prisma.database_records", "prisma.records_screened"],
                 id="databases-sum"),
    pytest.param({"register_records": 49}, ["prisma.register_records", "prisma.records_screened"],
                 id="registers-sum"),
    pytest.param({"duplicates": 601}, ["prisma.records_screened"], id="screened"),
    # one wrong box contradicts both neighbours: each message names the other numbers
    pytest.param({"dbr_sought_reports": 201}, ["prisma.dbr_sought_reports", "prisma.dbr_assessed"], id="sought"),
    pytest.param({"dbr_notretrieved_reports": 11}, ["prisma.dbr_assessed"], id="assessed"),
    pytest.param({"other_notretrieved_reports": 1}, ["prisma.other_assessed"], id="other-assessed"),
    pytest.param({"dbr_excluded_reasons": BUSY.dbr_excluded_reasons[:-1]}, ["prisma.dbr_excluded"],
                 id="reasons-sum"),
    pytest.param({"other_excluded_reasons": (ExclusionReason("x", 40), ExclusionReason("y"))},
                 ["prisma.other_excluded"], id="known-reasons-exceed-total"),
    pytest.param({"new_reports": 36, "total_reports": 51}, ["prisma.new_reports"], id="new-reports"),
    pytest.param({"new_studies": 36, "total_studies": 48}, ["prisma.new_studies", "prisma.total_studies"],
                 id="more-studies-than-reports"),
    pytest.param({"previous_studies": 11}, ["prisma.total_studies"], id="previous-plus-new"),
    pytest.param({"total_studies": 41}, ["prisma.total_studies", "prisma.total_studies"],
                 id="total-against-sum-and-files"),
    pytest.param({"records_screened": None, "dbr_sought_reports": None, "records_excluded": 1800},
                 [], id="excluded-exceeds-screened-but-screened-unknown"),
    pytest.param({"dbr_sought_reports": None, "records_excluded": 1800},
                 ["prisma.records_excluded"], id="part-exceeds-whole"),
])
def test_each_contradiction_is_found_at_its_field(changes, fields):
    assert contradiction(**changes) == fields


def test_more_excluded_than_assessed_is_found_even_when_the_rest_is_unknown():
    prisma = dataclasses.replace(REFERENCE, dbr_excluded=60, new_reports=None, total_reports=None)
    assert messages(prisma, 29) == [
        "review.yaml: prisma.dbr_excluded: says 60 reports excluded, more than the 53 reports assessed for "
        "eligibility (prisma.dbr_assessed); correct whichever number is wrong so that the flow adds up"]


def test_more_screened_than_identified_is_found_even_when_removals_are_unknown():
    prisma = dataclasses.replace(REFERENCE, records_screened=3000)
    assert messages(prisma, 29) == [
        "review.yaml:70:3: prisma.records_screened: says 3,000 records screened, more than the 2,819 records "
        "identified from databases (prisma.database_records); "
        "correct whichever number is wrong so that the flow adds up"]


def test_reports_left_after_full_text_are_compared_with_reports_not_studies():
    # 53 - 24 = 29 full texts left; two reports belong to one study: 28 studies, 29 reports is right.
    prisma = dataclasses.replace(REFERENCE, new_studies=28, total_studies=28, new_reports=29, total_reports=29)
    assert messages(prisma, 28) == []
    wrong = dataclasses.replace(prisma, new_reports=28, total_reports=28)
    assert messages(wrong, 28) == [
        "review.yaml: prisma.new_reports: says 28 reports of new included studies, but 53 reports assessed "
        "(prisma.dbr_assessed) minus 24 reports excluded (prisma.dbr_excluded) leaves 29; "
        "correct whichever number is wrong so that the flow adds up"]


def test_unknown_other_methods_give_a_lower_bound_only():
    prisma = dataclasses.replace(BUSY, other_assessed=None, other_excluded=None, new_reports=29,
                                 total_reports=44, new_studies=29, previous_studies=13)
    assert [p.field for p in check_arithmetic(prisma, 42)] == ["prisma.new_reports"]
    assert "already leaves 30" in str(check_arithmetic(prisma, 42)[0])


# ---------------------------------------------------------------------- layout


def texts(prisma: Prisma, review_type: str = "systematic", n_studies: int = 29) -> list[str]:
    return [" ".join(filter(None, (line.text, line.count)))
            for box in flow_layout(review_with(prisma, review_type), n_studies).boxes for line in box.lines]


def test_other_methods_and_previous_version_only_when_present():
    reference = texts(REFERENCE)
    assert not any("other methods" in t or "previous version" in t for t in reference)
    busy = texts(BUSY)
    assert "Identification of new studies via other methods" in busy
    assert "Citation searching (n = 20)" in busy
    assert "Studies included in previous version of review (n = 12)" in busy
    assert "Total studies included in review (n = 42)" in busy


def test_included_shows_the_study_files_when_the_total_is_not_given():
    prisma = Prisma(database_records=10)
    assert "Studies included in review (n = 7)" in texts(prisma, n_studies=7)
    assert "Reports of included studies (n = not reported)" in texts(prisma, n_studies=7)


def test_per_database_counts_are_listed_when_known():
    assert "MEDLINE via Ovid (n = 1,200)" in texts(BUSY)
    assert not any("CINAHL" in t for t in texts(REFERENCE))


def test_overlong_words_get_break_opportunities_so_no_box_overflows():
    name = "Supercalifragilisticexpialidociousandevenlonger"
    snippet = flow_typst(review_with(dataclasses.replace(REFERENCE, databases=(Source(name, 1),))), 29)
    assert name not in snippet
    assert name in snippet.replace("\u200b", "")
    assert "https://example.org/a/long/path" in flow_typst(review_with(dataclasses.replace(
        REFERENCE, databases=(Source("https://example.org/a/long/path", 1),))), 29)  # Typst breaks at "/"


# ------------------------------------------------------------ real Typst output


def pdf_text(snippet: str) -> str:
    """Compile the snippet into a double-spaced A4 manuscript page, and read its text back, whitespace collapsed."""
    manuscript = ('#set page(paper: "a4")\n#set par(leading: 2em, justify: true, first-line-indent: 2em)\n'
                  '#set text(size: 12pt, font: "Libertinus Serif")\n')
    source = manuscript + "#figure(caption: [Flow])[\n" + snippet + "\n]\n"
    pdf, warnings = typst.compile_with_warnings(source.encode("utf-8"), format="pdf")
    assert warnings == []  # e.g. no "unknown font family": the snippet names only fonts Typst has here
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def reference_figure(tmp_path_factory):
    return render_figure(review_with(REFERENCE, "scoping"), 29, tmp_path_factory.mktemp("reference"))


def png_ppi(path: Path) -> float:
    data = path.read_bytes()
    at = data.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1 and x == y
    return x * 0.0254


def test_svg_and_png_are_written_and_the_png_is_sharp(reference_figure):
    assert reference_figure.svg.name == "prisma.svg" and reference_figure.png.name == "prisma.png"
    svg = reference_figure.svg.read_text(encoding="utf-8")
    width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))
    png = reference_figure.png.read_bytes()
    assert png.startswith(b"\x89PNG")
    width_px, = struct.unpack(">I", png[16:20])
    assert width_px / (width_pt / 72) >= 299.5  # pixels per inch of the drawing itself
    assert png_ppi(reference_figure.png) >= 299.5  # and recorded in the file, for Word and pandoc
    assert not list(reference_figure.png.parent.glob("*.partial"))


def test_pdf_text_is_real_and_uses_scoping_wording(reference_figure):
    text = pdf_text(reference_figure.typst)
    for expected in ("Records identified from:", "Databases (n = 2,819)", "Records screened (n = not reported)",
                     "Full-text sources of evidence assessed for eligibility (n = 53)",
                     "Poor study design (n = not reported)",
                     "Sources of evidence included in review (n = 29)"):
        assert expected in text
    assert "other methods" not in text
    assert "Reports assessed" not in text


def test_busy_diagram_fits_a4_and_keeps_every_number(tmp_path):
    figure = render_figure(review_with(BUSY), 42, tmp_path)
    assert figure.png.exists() and figure.svg.exists()
    text = pdf_text(figure.typst)
    for expected in ("Identification of new studies via other methods", "Reports assessed for eligibility (n = 190)",
                     "Reports assessed for eligibility (n = 35)", "Duplicate publication (n = 10)",
                     "Citation searching (n = 20)", "Total studies included in review (n = 42)",
                     "Studies included in previous version of review (n = 12)"):
        assert expected in text


HOSTILE = ['#pagebreak() $x^2$ *bold* <label> \\ back "quoted" ] @ref _under_',
           "Database ] #set text(red) // not a comment",
           'Reason "\\" \\n #{panic()}']


def test_hostile_names_are_literal_text():
    prisma = dataclasses.replace(
        REFERENCE, databases=(Source(HOSTILE[0], 2000), Source(HOSTILE[1], 819)),
        dbr_excluded_reasons=(ExclusionReason(HOSTILE[2], 24),))
    text = pdf_text(flow_typst(review_with(prisma), 29))
    for hostile in HOSTILE:
        assert " ".join(hostile.split()) in text


# ------------------------------------------------------------------- CSV import

DATA = Path(__file__).parent / "data" / "prisma"


def without_positions(prisma: Prisma) -> Prisma:
    return dataclasses.replace(prisma, positions={})


def test_shiny_app_csv_reads_as_integers_and_lists():
    prisma, problems = read_prisma_csv(DATA / "shiny_export.csv")
    assert problems == []
    assert prisma == without_positions(BUSY)


def test_csv_round_trips_through_review_yaml_and_the_loader(tmp_path):
    prisma, _ = read_prisma_csv(DATA / "shiny_export.csv")
    hostile = dataclasses.replace(prisma, databases=(
        *prisma.databases, Source('Yes: "quoted" #1, [x] {y}', None), Source("null", 7), Source("NO", 1)),
        dbr_excluded_reasons=(*prisma.dbr_excluded_reasons, ExclusionReason("- a: b \\ é 中文", 0)))
    block = prisma_to_yaml(hostile)
    review_yaml = REVIEW_YAML[:REVIEW_YAML.index("prisma:")] + block
    write_files(tmp_path, {"review.yaml": review_yaml})
    review, problems = load_review(tmp_path)
    assert problems == []
    assert without_positions(review.prisma) == hostile


def test_template_blanks_and_zeros_are_not_data(tmp_path):
    # The app's own template: 0 everywhere, "Reason1, xxx; …" placeholders.
    with open(DATA / "shiny_export.csv", encoding="utf-8", newline="") as export:
        rows = list(csv.reader(export))
    for row in rows[1:]:
        row[-1] = {"dbr_excluded": "Reason1, xxx; Reason2, xxx; Reason3, xxx",
                   "other_excluded": "Reason1, xxx; Reason2, xxx; Reason3, xxx",
                   "database_specific_results": "Database 1, xxx; Database 2, xxx; Database 3, xxx",
                   }.get(row[0], "0")
    path = tmp_path / "PRISMA.csv"
    with open(path, "w", encoding="utf-8", newline="") as template:
        csv.writer(template).writerows(rows)
    prisma, problems = read_prisma_csv(path)
    assert problems == []
    assert prisma.previous_studies is None and prisma.previous_reports is None
    assert prisma.other_sources == () and prisma.other_excluded_reasons == () and prisma.other_assessed is None
    assert prisma.register_records is None and prisma.registers == ()
    assert prisma.databases == () and prisma.dbr_excluded_reasons == () and prisma.dbr_excluded is None
    assert prisma.duplicates == 0  # a real zero where the review has the box


def test_malformed_rows_are_reported_with_their_lines(tmp_path):
    path = write_files(tmp_path, {"PRISMA.csv": """\
        data,node,box,description,boxtext,tooltips,url,n
        duplicates,node8,box3,Duplicate records,Duplicate records,NA,NA,12.5
        records_screened,node9,box4,Records screened,Records screened,NA,NA,xxx
        dbr_excluded,node14,box9,Reports excluded,Reports excluded,NA,NA,"Wrong population, 12; Wrong design, three"
        dupilcates,node8,box3,Duplicate records,Duplicate records,NA,NA,4
        records_screened,node9,box4,Records screened,Records screened,NA,NA,100
        dbr_assessed,node13,box8,Reports assessed,Reports assessed,NA,NA,53,extra
        """}) / "PRISMA.csv"
    prisma, problems = read_prisma_csv(path)
    where = str(path)
    assert [str(p) for p in problems] == [
        f"{where}:2: duplicates: n: expected a whole number (empty or xxx when not reported) but got '12.5'",
        f"{where}:4: dbr_excluded: n: cannot read 'Wrong design, three'; write each entry as 'name, number' "
        "and separate entries with ';' (e.g. 'Wrong population, 12; Wrong design, 3')",
        f"{where}:5: dupilcates: not a PRISMA2020 box; the data column takes one of " + ", ".join(sorted((
            *COUNTS, "database_specific_results", "register_specific_results", "dbr_excluded", "other_excluded",
            "website_results", "organisation_results", "citations_results"))),
        f"{where}:6: records_screened: given twice (first at line 3); keep one row",
        f"{where}:7: the row has 9 cells but the header has 8; put quotes around a cell that contains a comma",
    ]
    assert prisma.records_screened is None
    assert prisma.dbr_excluded_reasons == (ExclusionReason("Wrong population", 12),)


def test_a_csv_without_the_n_column_is_rejected(tmp_path):
    path = write_files(tmp_path, {"PRISMA.csv": "data,box\nduplicates,box3\n"}) / "PRISMA.csv"
    assert [p.message for p in read_prisma_csv(path)[1]] == [
        "the header row has no column n; expected the PRISMA2020 Shiny app's CSV export "
        "(columns data, node, box, description, boxtext, tooltips, url, n)"]


# ------------------------------------------------------------ the reference review


def test_reference_review_adds_up_and_draws_its_numbers():
    review, problems = load_review(REPO)
    assert problems == []
    n_studies = len(list((REPO / "studies").glob("*.yaml")))
    assert check_arithmetic(review.prisma, n_studies) == []
    lines = texts(review.prisma, review.review_type, n_studies)
    assert "Databases (n = 2,819)" in lines
    assert "Full-text sources of evidence assessed for eligibility (n = 53)" in lines
    assert "Sources of evidence included in review (n = 29)" in lines


def test_a_wrong_total_is_reported_at_its_line_in_review_yaml(tmp_path):
    reference_copy = copy_reference_review(tmp_path)
    text = (reference_copy / "review.yaml").read_text(encoding="utf-8")
    assert text.count("  total_studies: 29") == 1
    (reference_copy / "review.yaml").write_text(text.replace("  total_studies: 29", "  total_studies: 28"),
                                                encoding="utf-8")
    line = text[:text.index("  total_studies: 29")].count("\n") + 1
    review, _ = load_review(reference_copy)
    assert [str(p) for p in check_arithmetic(review.prisma, 29)] == [
        # with no previous version, the new studies are the total
        f"review.yaml:{line}:18: prisma.total_studies: says 28 studies included in total, but prisma.new_studies "
        "says 29 and there is no previous version of the review (prisma.previous_studies is null); "
        "correct whichever number is wrong so that the flow adds up",
        f"review.yaml:{line}:18: prisma.total_studies: says 28 included studies, but studies/ has 29 study files; "
        "correct the number or add/remove study files"]
