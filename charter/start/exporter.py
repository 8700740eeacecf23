"""``invoke export-studies``: the study data as a spreadsheet for co-authors who check extraction in Excel.

One row per study file, one column per field (named by its field path, so
``invoke import-studies`` reads the file back without a mapping). List fields
hold one item per line of the cell. Importing the file back with ``--update``
changes no study file unless a cell was edited.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from charter.sources.load import STUDIES_DIR, load_review
from charter.model import Problem
from charter.paths import written_through_link
from charter.sheets import as_text_cells, csv_text
from charter.start.study_files import INTEGER, LIST, Field, read_study_file, study_fields

FORMATS = ("xlsx", "csv")
LIST_SEPARATOR = "\n"  # one item per line inside a cell: no item text is lost to a ';' in it


class ExportError(Exception):
    """Nothing was exported; the message says why and what to do."""


def study_rows(root: Path) -> tuple[tuple[Field, ...], list[dict[str, object]], list[str]]:
    """The fields (columns), one flat row per study file (sorted by file name), and the fields left out.

    A field holding a list of mappings (``participants.samples``) is left out: `import-studies --update`
    keeps it in the study files, since the sheet does not have it.
    """
    review, review_problems = load_review(root)
    if review is None:
        raise ExportError("review.yaml cannot be read:\n" + "\n".join(str(p) for p in review_problems))
    fields = list(study_fields(review))
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    not_exported: set[str] = set()
    folder = root / STUDIES_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        values, file_problems = read_study_file(root, f"{STUDIES_DIR}/{path.name}")
        problems += file_problems
        if values is None:
            continue
        for name, value in values.items():  # a field the review does not declare is exported too
            if _nested_list(value):
                not_exported.add(name)
            elif value is None and any(f.path.startswith(name + ".") for f in fields):
                continue  # `validity: null`: its parts' columns stay empty
            elif all(f.path != name for f in fields):
                fields.append(Field(name, LIST if isinstance(value, list) else "text"))
        rows.append(values)
    if problems:
        raise ExportError("these study files cannot be read, so nothing was exported:\n"
                          + "\n".join(str(p) for p in problems))
    if not rows:
        raise ExportError(f"no study files in {STUDIES_DIR}/: nothing to export")
    fields = [f for f in fields if f.path not in not_exported]
    return tuple(fields), rows, sorted(not_exported)


def _nested_list(value: object) -> bool:
    """A list of mappings (e.g. participants.samples): no single cell can hold it and be read back."""
    return isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value)


def _cell(field: Field, value: object, spreadsheet: bool) -> object:
    if value is None:
        return None
    if isinstance(value, list):
        items = [str(item) for item in value if item is not None]
        if any(LIST_SEPARATOR in item for item in items):
            raise ExportError(f"a {field.path} item spans several lines; write it on one line to export it")
        return LIST_SEPARATOR.join(items) if items else None
    if isinstance(value, dict):
        return None
    if spreadsheet and field.kind == INTEGER and str(value).isdigit():
        return int(str(value))  # a number Excel can sum
    return str(value)


def export_studies(root: Path, fmt: str = "xlsx", output: Path | None = None) -> tuple[Path, list[str]]:
    """Write the studies as build/studies.xlsx (or .csv, or output); return the path and the fields left out."""
    if fmt not in FORMATS:
        raise ExportError(f"--format must be xlsx or csv, not '{fmt}'")
    root = Path(root)
    fields, rows, left_out = study_rows(root)
    target = output if output is not None else root / "build" / f"studies.{fmt}"
    target = target if target.is_absolute() else Path.cwd() / target
    if output is None and written_through_link(root, f"build/studies.{fmt}"):
        raise ExportError(written_through_link(root, f"build/studies.{fmt}"))
    target.parent.mkdir(parents=True, exist_ok=True)
    headers = [f.path for f in fields]
    table = [[_cell(f, row.get(f.path), fmt == "xlsx") for f in fields] for row in rows]
    handle_number, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle_number)  # a new file of our own: a planted link beside the target is never opened
    temporary = Path(name)
    if fmt == "csv":
        with open(temporary, "w", encoding="utf-8-sig", newline="") as handle:  # the BOM tells Excel it is UTF-8
            writer = csv.writer(handle)
            writer.writerow([csv_text(header) for header in headers])  # a stray study key is a header too
            # a study's text such as =HYPERLINK(…) must open in Excel as text, not run as a formula
            writer.writerows([["" if v is None else csv_text(v) for v in row] for row in table])
    else:
        import openpyxl
        from openpyxl.styles import Alignment, Font

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "studies"
        sheet.append(headers)
        for row in table:
            sheet.append(row)
        for row in sheet.iter_rows():
            as_text_cells(row)  # a study's text starting with '=' stays text, never a formula
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"
        workbook.save(temporary)
    temporary.replace(target)  # a failed export never leaves half a file
    return target, left_out
