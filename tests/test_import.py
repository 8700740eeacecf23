"""new-study, import-studies and export-studies on real spreadsheet files (openpyxl and LibreOffice)."""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from charter.compile.build import build
from charter.checking.check import main as check
from charter.start.exporter import export_studies
from charter.start.importer import ImportFailed, import_studies, new_study, read_sheet
from charter.start.init import init_review
from charter.sources.load import load_project
from conftest import REPO, copy_reference_review, write_files

FAMILY = ["Smith", "Øvrebø", "Müller", "García", "Nguyen", "O'Brien", "Kowalski", "Hansen", "Li", "Okafor"]
DESIGNS = ["Qualitative", "quantitative", "Mixed methods", "literature review"]  # labels and keys, as people type
COUNTRIES = ["Norway", "Sweden; Denmark", "USA", "NR", "England"]


def new_review(root: Path, n: int, seed: int = 7) -> list[dict[str, str]]:
    """A new review (charter init) with n studies in bib/; return the study rows a reviewer would extract."""
    init_review(root, "systematic")
    (root / "studies" / "example2024.yaml").unlink()
    rng = random.Random(seed)
    entries, rows = [], []
    for index in range(n):
        family = FAMILY[index % len(FAMILY)]
        year = 2000 + index // len(FAMILY)
        key = f"s{index:03d}"
        doi = f"10.1234/Example.{index}"
        entries.append(f"@article{{{key},\n  author = {{{family}, Ann and Other, Bo}},\n  title = {{Study number "
                       f"{index}}},\n  journal = {{J}},\n  year = {{{year}}},\n  doi = {{{doi}}}\n}}\n")
        rows.append({"key": key, "doi": f"https://doi.org/{doi.lower()}", "study_id": f"{family} {year}",
                     "title": f"Study number {index}", "country": COUNTRIES[index % len(COUNTRIES)],
                     "design": DESIGNS[index % len(DESIGNS)], "method": f"Method {index}",
                     "question": f"Does thing {index} help?", "population": f"Adults, site {index}",
                     "n": rng.choice(["120", "NR", "1,379", "n/a", "37"]),
                     "findings": f"First finding of {index}; second finding of {index}",
                     "internal": "Small sample", "external": "One country", "keywords": "support; recovery"})
    (root / "bib" / "references.bib").write_text("\n".join(entries), encoding="utf-8")
    return rows


PLAIN_COLUMNS = {"Key": "key", "Country": "country", "Design": "design", "Method": "method",
                 "Research question": "question", "Participants": "population", "N": "n", "Findings": "findings",
                 "Internal validity": "internal", "External validity": "external", "Keywords": "keywords"}
PLAIN_MAPPING = """\
import:
  key: Key
  separator: ";"
  columns:
    Country: country
    Design: design.orientation
    Method: design.method
    Research question: research_question
    Participants: participants.description
    N: participants.n
    Findings: findings
    Internal validity: validity.internal
    External validity: validity.external
    Keywords: keywords
  fixed:
    theme: main
"""


def write_xlsx(path: Path, headers: list[str], rows: list[list[object]], title: str = "Extraction") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def plain_sheet(rows: list[dict[str, str]]) -> tuple[list[str], list[list[object]]]:
    headers = list(PLAIN_COLUMNS)
    # a spreadsheet holds numbers as numbers: N is an int where it is one
    table = [[int(r[v]) if v == "n" and r[v].isdigit() else r[v] for v in PLAIN_COLUMNS.values()] for r in rows]
    return headers, table


def append_mapping(root: Path, mapping: str) -> None:
    with open(root / "review.yaml", "a", encoding="utf-8") as handle:
        handle.write("\n" + mapping)


def run_import(root: Path, sheet: Path, **options) -> tuple[int, str]:
    out = io.StringIO()
    code = import_studies(root, sheet, out=out, **options)
    return code, out.getvalue()


def test_a_100_row_xlsx_written_by_openpyxl_gives_a_review_that_checks_and_builds(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 100)
    append_mapping(root, PLAIN_MAPPING)
    sheet = write_xlsx(tmp_path / "extraction.xlsx", *plain_sheet(rows))

    code, report = run_import(root, sheet, dry_run=True)
    assert code == 0, report
    assert "extraction.xlsx: 100 rows: 100 would be created (dry run: nothing written)" in report
    assert not list((root / "studies").glob("*.yaml"))

    code, report = run_import(root, sheet)
    assert code == 0, report
    assert "100 rows: 100 created" in report
    project = load_project(root)
    assert [p for p in project.problems if p.severity == "error"] == []
    studies = {s.id: s for s in project.studies}
    assert len(studies) == 100
    s1 = studies["s001"]  # row 3: Sweden; Denmark, quantitative
    assert s1.countries == ("Sweden", "Denmark")
    assert s1.design.orientation == "quantitative"
    assert studies["s000"].design.orientation == "qualitative"  # the label 'Qualitative' became the key
    assert studies["s002"].design.orientation == "mixed-methods"
    assert s1.findings == ("First finding of 1", "second finding of 1")
    by_n = {r["key"]: r["n"] for r in rows}
    for key, study in studies.items():
        expected = {"120": 120, "37": 37, "1,379": 1379}.get(by_n[key])
        assert study.participants.n == expected, key
    assert studies["s003"].countries == ()  # NR: not reported
    assert "country: null" in (root / "studies" / "s003.yaml").read_text(encoding="utf-8")  # NR: not reported
    assert check(root, out=io.StringIO()) == 0


def test_import_then_check_and_build_with_every_country_given(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 100)
    for row in rows:
        row["country"] = row["country"].replace("NR", "Norway")
    append_mapping(root, PLAIN_MAPPING)
    sheet = write_xlsx(tmp_path / "extraction.xlsx", *plain_sheet(rows))
    code, report = run_import(root, sheet)
    assert code == 0, report
    assert check(root, strict=True, out=io.StringIO()) == 0
    result = build(root, formats=("docx",), verbose=False)
    assert result.outputs["docx"].is_file()


def libreoffice_xlsx(csv_path: Path, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    profile = tmp_path / "lo-profile"
    # CSV:44,34,76,1 = comma-separated, double quotes, UTF-8 (76), from line 1; headless LibreOffice
    # otherwise guesses a legacy character set and turns Øvrebø into mojibake.
    process = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                              "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(csv_path)], capture_output=True, text=True,
                             timeout=180)
    target = tmp_path / (csv_path.stem + ".xlsx")
    if not target.is_file():
        pytest.skip(f"LibreOffice could not convert CSV to XLSX here: {process.stderr.strip()}")
    return target


COVIDENCE_MAPPING = """\
# Covidence's extraction export: one row per study; "Study ID" is "Author Year".
import:
  study_id: Study ID
  separator: ";"
  columns:
    Country in which the study conducted: country
    Study design: design.orientation
    Methods: design.method
    Aim of study: research_question
    Population description: participants.description
    Total number of participants: participants.n
    Key findings: findings
    Internal validity: validity.internal
    External validity: validity.external
    Keywords: keywords
  values:
    design.orientation: {Mixed methods: mixed-methods, Literature review: review}
  fixed:
    theme: main
"""


def test_a_covidence_layout_converted_by_libreoffice(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 100)
    csv_path = tmp_path / "covidence_export.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Covidence #", "Study ID", "Title", "Reviewer Name", "Country in which the study conducted",
                         "Study design", "Methods", "Aim of study", "Population description",
                         "Total number of participants", "Key findings", "Internal validity", "External validity",
                         "Keywords"])
        for index, r in enumerate(rows):
            writer.writerow([f"#{1000 + index}", r["study_id"], r["title"], "Consensus", r["country"].replace("NR", "Norway"),
                             r["design"], r["method"], r["question"], r["population"], r["n"], r["findings"],
                             r["internal"], r["external"], r["keywords"]])
    mapping = tmp_path / "covidence.yaml"
    mapping.write_text(COVIDENCE_MAPPING, encoding="utf-8")
    # the CSV itself first (with the byte-order mark Excel-minded tools write), into a copy of the review
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    copy = shutil.copytree(root, tmp_path / "from-csv")
    code, report = run_import(copy, csv_path, mapping=mapping)
    assert code == 0 and "covidence_export.csv: 100 rows: 100 created" in report, report
    xlsx = libreoffice_xlsx(csv_path, tmp_path)
    code, report = run_import(root, xlsx, mapping=mapping)
    # "Smith 2000" names two entries when a family name and year repeat: each such row is reported, not guessed
    assert code == 0, report
    assert "100 rows: 100 created" in report
    assert "columns not imported (not in the mapping): Covidence #, Title, Reviewer Name" in report
    project = load_project(root)
    assert [p for p in project.problems if p.severity == "error"] == []
    assert {s.id for s in project.studies} == {r["key"] for r in rows}
    assert check(root, strict=True, out=io.StringIO()) == 0


def test_keys_from_a_doi_column(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 5)
    mapping = PLAIN_MAPPING.replace("  key: Key\n", "  doi: DOI\n")
    append_mapping(root, mapping)
    headers, table = plain_sheet(rows)
    headers[0] = "DOI"
    for line, row in zip(table, rows):
        line[0] = row["doi"]
    table[4][0] = "10.9999/unknown"
    code, report = run_import(root, write_xlsx(tmp_path / "x.xlsx", headers, table))
    assert code == 1
    assert ("x.xlsx: sheet 'Extraction', row 6, column A (DOI): no entry in bib/ has the DOI 10.9999/unknown: add "
            "the study's entry (with its doi field) to bib/") in report
    assert sorted(p.name for p in (root / "studies").glob("*.yaml")) == [f"s00{i}.yaml" for i in range(4)]


def test_every_problem_names_sheet_row_and_column(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 4)
    append_mapping(root, PLAIN_MAPPING)
    headers, table = plain_sheet(rows)
    table[0][6] = "about 50"  # N
    table[1][2] = "ethnography"  # Design: not in the vocabulary
    table[2][0] = "s0003"  # a key not in bib/
    code, report = run_import(root, write_xlsx(tmp_path / "x.xlsx", headers, table))
    assert code == 1
    assert ("x.xlsx: sheet 'Extraction', row 2, column G (N): participants.n: expected a whole number (or NR when "
            "not reported) but got 'about 50'") in report
    assert ("x.xlsx: sheet 'Extraction', row 3, column C (Design): design.orientation: expected one of qualitative, "
            "quantitative, mixed-methods, review (vocabularies.orientation in review.yaml) but got 'ethnography'"
            ) in report
    assert "x.xlsx: sheet 'Extraction', row 4, column A (Key): citation key 's0003' is not in bib/" in report
    assert "row 2: studies/s000.yaml: failed" in report
    assert "row 3: studies/s001.yaml: created" in report  # written: the check shows the problem in its file
    assert not (root / "studies" / "s000.yaml").exists()


def test_existing_files_are_updated_only_with_update_keeping_fields_the_sheet_lacks(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 3)
    append_mapping(root, PLAIN_MAPPING)
    headers, table = plain_sheet(rows)
    sheet = write_xlsx(tmp_path / "x.xlsx", headers, table)
    assert run_import(root, sheet)[0] == 0
    study = root / "studies" / "s001.yaml"
    before = study.read_text(encoding="utf-8")

    table[1][3] = "Interviews"  # Method of s001
    write_xlsx(sheet, headers, table)
    code, report = run_import(root, sheet)
    assert code == 0
    assert "row 3: studies/s001.yaml: skipped" in report
    assert "studies/s001.yaml exists: left as it is (add --update to update it from the sheet)" in report
    assert study.read_text(encoding="utf-8") == before

    code, report = run_import(root, sheet, update=True, dry_run=True)
    assert "row 3: studies/s001.yaml: would be updated" in report
    assert "-  method: Method 1\n" in report and "+  method: Interviews\n" in report
    assert study.read_text(encoding="utf-8") == before

    narrower = [h for h in headers if h != "Keywords"]
    write_xlsx(sheet, narrower, [r[:-1] for r in table])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(PLAIN_MAPPING.replace("    Keywords: keywords\n", ""), encoding="utf-8")
    code, report = run_import(root, sheet, update=True, mapping=mapping)
    assert "3 rows: 1 updated, 2 unchanged" in report
    assert "method: Interviews" in study.read_text(encoding="utf-8")
    assert "keywords: [support, recovery]" in study.read_text(encoding="utf-8")  # kept: the sheet has no Keywords


def test_new_study_fills_in_what_the_bibliography_knows(tmp_path):
    root = tmp_path / "review"
    new_review(root, 3)
    write_files(root, {"review.yaml": (root / "review.yaml").read_text(encoding="utf-8").replace(
        "# study_fields:\n#   - name: setting\n#     label: setting\n#     type: choice\n"
        "#     choices: [inpatient, outpatient, community]\n#     required: false",
        "study_fields:\n  - name: setting\n    label: setting\n    type: choice\n"
        "    choices: [inpatient, outpatient, community]\n    required: false")})
    assert new_study(root, "s001") == "studies/s001.yaml"
    text = (root / "studies" / "s001.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Øvrebø (2000). Study number 1\n")
    assert "id: s001\n" in text and "theme: main\n" in text and "setting: null\n" in text
    assert "participants:\n  description: null\n  n: null\n" in text
    with pytest.raises(ImportFailed) as error:
        new_study(root, "s001")
    assert str(error.value) == "studies/s001.yaml already exists: edit it, or delete it first to start again"
    with pytest.raises(ImportFailed) as error:
        new_study(root, "s01")
    assert str(error.value).startswith("citation key 's01' is not in bib/references.bib")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_no_study_file(tmp_path, fmt):
    root = copy_reference_review(tmp_path / "reference")
    before = {p.name: p.read_bytes() for p in (root / "studies").glob("*.yaml")}
    exported, left_out = export_studies(root, fmt)
    assert left_out == []
    assert exported == root / "build" / f"studies.{fmt}"
    sheet = read_sheet(exported)
    assert len(sheet.rows) == len(before) == 29
    assert sheet.headers[:3] == ("id", "reports", "theme") and "population" in sheet.headers
    code, report = run_import(root, exported, update=True)
    assert code == 0, report
    assert "29 rows: 29 unchanged" in report
    assert {p.name: p.read_bytes() for p in (root / "studies").glob("*.yaml")} == before

    # from nothing: the exported sheet recreates studies that load as the same data
    original = load_project(root).studies
    shutil.rmtree(root / "studies")
    code, report = run_import(root, exported)
    assert code == 0, report
    recreated = load_project(root).studies
    strip = lambda s: (s.id, s.theme, s.subtheme, s.countries, s.design, s.research_question, s.participants,
                       s.findings, s.validity, s.keywords, s.reports,
                       {k: v for k, v in s.extra.items() if v is not None})  # absent and null: not reported
    assert [strip(s) for s in recreated] == [strip(s) for s in original]


def test_an_edited_export_updates_only_that_study(tmp_path):
    root = copy_reference_review(tmp_path / "reference")
    exported, _ = export_studies(root, "xlsx")
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("participants.n") + 1, value=1400)
    workbook.save(exported)
    code, report = run_import(root, exported, update=True)
    assert code == 0, report
    assert "29 rows: 1 updated, 28 unchanged" in report
    assert "-  n: 1379\n" in report and "+  n: 1400\n" in report
    # edited in place: the one value changes, every comment and line of the hand-written file stays
    before = (REPO / "studies" / "andrea2016.yaml").read_text(encoding="utf-8")
    assert (root / "studies" / "andrea2016.yaml").read_text(encoding="utf-8") == before.replace("n: 1379", "n: 1400")


def test_update_edits_lists_and_block_text_in_place(tmp_path):
    from charter.start.study_files import edit_in_place

    text = ("id: x   # the key\ncountry: Norway\nfindings:\n  - one\n  - two   # second\n# a note on findings\n"
            "keywords: [a, b]\nvalidity:\n  internal: >-\n    folded\n    text\n  external: fine\n")
    edited = edit_in_place(text, {"findings": ("uno", "dos", "tres"), "keywords": ("c",),
                                  "validity.internal": "plain now", "country": ("Norway", "Sweden")})
    assert edited == ("id: x   # the key\ncountry: [Norway, Sweden]\nfindings:\n  - uno\n  - dos\n  - tres   # second\n"
                      "# a note on findings\nkeywords: [c]\nvalidity:\n  internal: plain now\n  external: fine\n")
    assert edit_in_place(text, {"subtheme": "s"}) is None  # a field the file lacks: written anew by the caller


def test_the_tasks_run_new_study_import_and_export_as_a_user_would(tmp_path):
    import os
    import sys

    root = tmp_path / "review"
    rows = new_review(root, 3)
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def invoke(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, capture_output=True, text=True,
                              env=env)

    made = invoke("new-study", "s000")
    assert made.returncode == 0 and "wrote studies/s000.yaml" in made.stdout
    again = invoke("new-study", "s000")
    assert again.returncode == 1
    assert again.stderr.strip() == "studies/s000.yaml already exists: edit it, or delete it first to start again"
    (root / "studies" / "s000.yaml").unlink()

    headers, table = plain_sheet(rows)
    sheet = write_xlsx(tmp_path / "x.xlsx", headers, table)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(PLAIN_MAPPING, encoding="utf-8")
    dry = invoke("import-studies", str(sheet), "--mapping", str(mapping), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "3 rows: 3 would be created (dry run: nothing written)" in dry.stdout
    done = invoke("import-studies", str(sheet), "--mapping", str(mapping))
    assert done.returncode == 0 and "3 rows: 3 created" in done.stdout
    no_mapping = invoke("import-studies", str(sheet))
    assert no_mapping.returncode == 1 and "no import mapping: add an import: section" in no_mapping.stderr
    exported = invoke("export-studies", "--format", "csv")
    assert exported.returncode == 0 and (root / "build" / "studies.csv").is_file()


def test_a_key_that_cannot_name_a_file_is_refused(tmp_path):
    root = tmp_path / "review"
    new_review(root, 1)
    with open(root / "bib" / "references.bib", "a", encoding="utf-8") as handle:
        handle.write("@article{../escape, author = {A, B}, title = {T}, year = {2000}}\n")
    with pytest.raises(ImportFailed) as error:
        new_study(root, "../escape")
    assert str(error.value).startswith("citation key '../escape' cannot name a study file")
    assert not (tmp_path / "escape.yaml").exists()


def test_a_mapping_that_maps_a_column_to_id_says_to_use_key(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 1)
    append_mapping(root, PLAIN_MAPPING.replace("    Country: country\n", "    Key: id\n    Country: country\n"))
    headers, table = plain_sheet(rows)
    with pytest.raises(ImportFailed) as error:
        run_import(root, write_xlsx(tmp_path / "x.xlsx", headers, table))
    assert "review.yaml:" in str(error.value)
    assert "the id is the citation key: name its column with key: Key instead of under columns:" in str(error.value)


def test_a_list_of_mappings_is_written_back_as_read_and_left_out_of_the_export(tmp_path):
    from charter.start.study_files import flatten, plain, study_fields, study_yaml
    from charter.sources.yaml_source import compose

    values = {"id": "x", "participants.description": "Adults", "participants.n": "30",
              "participants.samples": [{"description": "Women: 12", "n": "12"}, {"description": "Men", "n": None}]}
    text = study_yaml(values, study_fields(None))
    assert "  samples:\n    - description: \"Women: 12\"\n      n: 12\n    - description: Men\n      n: null\n" in text
    node, problems = compose("x.yaml", text)
    assert problems == [] and flatten(plain(node)) == values

    root = copy_reference_review(tmp_path / "reference")
    study = root / "studies" / "andrea2016.yaml"
    with_samples = study.read_text(encoding="utf-8").replace(
        "  n: 1379\n", "  n: 1379\n  samples:\n    - {description: mild, n: 700}\n    - {description: moderate, n: 679}\n")
    study.write_text(with_samples, encoding="utf-8")
    exported, left_out = export_studies(root, "xlsx")
    assert left_out == ["participants.samples"]
    code, report = run_import(root, exported, update=True)
    assert "29 rows: 29 unchanged" in report, report
    assert study.read_text(encoding="utf-8") == with_samples


def test_a_covidence_export_with_a_row_per_reviewer_imports_the_consensus_rows(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 3)
    headers = ["Study ID", "Reviewer Name", "Country in which the study conducted", "Study design",
               "Total number of participants"]
    table = []
    for r in rows:
        for reviewer, n in (("Ann Reviewer", "10"), ("Bo Reviewer", "11"), ("Consensus", "12")):
            table.append([r["study_id"], reviewer, "Norway", r["design"], n])
    sheet = write_xlsx(tmp_path / "covidence.xlsx", headers, table)
    mapping = tmp_path / "m.yaml"
    base = ("study_id: Study ID\ncolumns:\n  Country in which the study conducted: country\n"
            "  Study design: design.orientation\n  Total number of participants: participants.n\n")
    mapping.write_text(base, encoding="utf-8")
    code, report = run_import(root, sheet, mapping=mapping, dry_run=True)
    assert code == 1 and "study 's000' is also row 2: one row per study" in report

    mapping.write_text(base + "only: {Reviewer Name: Consensus}\n", encoding="utf-8")
    code, report = run_import(root, sheet, mapping=mapping)
    assert code == 0, report
    assert "3 rows: 3 created" in report
    assert "6 rows left out: only rows with Reviewer Name = Consensus are imported (only: in the mapping)" in report
    assert {s.participants.n for s in load_project(root).studies} == {12}


def test_a_review_without_themes_gets_study_files_without_theme(tmp_path):
    root = tmp_path / "review"
    rows = new_review(root, 3)
    review_yaml = root / "review.yaml"
    review_yaml.write_text(review_yaml.read_text(encoding="utf-8").replace(
        "themes:\n  - key: main\n    label: Included studies\n", ""), encoding="utf-8")
    new_study(root, "s002")
    assert "theme" not in (root / "studies" / "s002.yaml").read_text(encoding="utf-8")
    (root / "studies" / "s002.yaml").unlink()
    append_mapping(root, PLAIN_MAPPING.replace("  fixed:\n    theme: main\n", ""))
    code, report = run_import(root, write_xlsx(tmp_path / "x.xlsx", *plain_sheet(rows)))
    assert code == 0 and "3 rows: 3 created" in report, report
    assert check(root, strict=True, out=io.StringIO()) == 0


def test_the_systematic_test_review_round_trips_too(tmp_path):
    from projects import systematic_project_files

    root = write_files(tmp_path / "systematic", systematic_project_files())
    before = {p.name: p.read_bytes() for p in (root / "studies").glob("*.yaml")}
    exported, left_out = export_studies(root, "xlsx")
    assert left_out == ["participants.samples"]  # a list of {description, n}: kept in the files, not in the sheet
    assert "validity" not in read_sheet(exported).headers  # `validity: null` leaves validity.internal/external empty
    code, report = run_import(root, exported, update=True)
    assert code == 0 and "5 rows: 5 unchanged" in report and "columns not imported" not in report, report
    assert {p.name: p.read_bytes() for p in (root / "studies").glob("*.yaml")} == before
