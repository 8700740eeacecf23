"""Supplementary files for submission: the full search strategy and the full extraction table.

* ``search-strategy.md`` and ``.docx``: everything review.yaml's ``search:`` holds (databases, dates,
  languages, terms, last search) and the records each database gave (``prisma:``);
* ``extraction-table.xlsx``: one row per study, one column per field — every field of the study files,
  not only Table 1's columns — so a reader can sort and filter the data the review reports;
* ``extraction-table.docx``: the same data as a supplementary table (study, field, value), which stays
  readable on a portrait page however many fields a review declares.

The values are the study files' own; a value a study does not report is written "not reported".
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from charter.document.assemble import md_escape
from charter.sources.load import load_project
from charter.model import Project, Study
from charter.paths import written_through_link
from charter.sheets import as_text_cells
from charter.document.table1 import sort_key, study_label

NOT_REPORTED = "not reported"
SEARCH_FILE = "search-strategy"
TABLE_FILE = "extraction-table"


class SupplementError(Exception):
    """The supplementary files cannot be written; the message says why and what to do."""


# ------------------------------------------------------------------ the search strategy


def search_markdown(project: Project) -> str:
    """The search strategy from review.yaml as a Markdown document."""
    review = project.review
    search = review.search
    lines = ["# Supplementary file: search strategy\n", f"Review: {md_escape(review.title)}\n"]

    def row(label: str, value: str | None) -> None:
        lines.append(f"| {label} | {md_escape(value or NOT_REPORTED)} |")

    lines += ["| | |", "|:--|:--|"]
    row("Databases searched", "; ".join(search.databases) or None)
    dates = None
    if search.date_from or search.date_to:
        dates = f"{search.date_from or 'start of the database'} to {search.date_to or 'date of search'}"
    row("Dates covered", dates)
    row("Last search", search.last_search)
    row("Languages", ", ".join(search.languages) or None)
    lines.append("")
    if search.terms:
        numbered = (f"{n}. {md_escape(term)}" for n, term in enumerate(search.terms, start=1))
        lines += ["## Search terms\n", *numbered, ""]
    records = [(s.name, s.records) for s in (*review.prisma.databases, *review.prisma.registers)]
    if records:
        lines += ["## Records identified\n", "| Source | Records |", "|:--|--:|"]
        lines += [f"| {md_escape(name)} | {NOT_REPORTED if n is None else f'{n:,}'} |" for name, n in records]
        if review.prisma.database_records is not None:
            lines.append(f"| All databases | {review.prisma.database_records:,} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the extraction table


@dataclass(frozen=True)
class Field:
    name: str  # the field as written in a study file (dotted for nested ones)
    label: str  # column heading


def extraction_fields(project: Project) -> list[Field]:
    """Every field a study file may hold, in the order of docs/format.md, then the review's own fields."""
    fields = [Field("id", "Study file"), Field("study", "Study"), Field("theme", "Theme"),
              Field("subtheme", "Sub-theme"), Field("countries", "Country"),
              Field("design.orientation", "Design"), Field("design.method", "Method"),
              Field("research_question", "Research question"),
              Field("participants.description", "Participants"), Field("participants.n", "Participants (n)"),
              Field("participants.samples", "Samples"), Field("findings", "Main findings"),
              Field("validity.internal", "Internal validity"), Field("validity.external", "External validity"),
              Field("keywords", "Keywords")]
    if project.review.questions:
        fields.append(Field("questions", "Review questions"))
    fields.append(Field("reports", "Further reports"))
    fields += [Field(extra.name, extra.label[:1].upper() + extra.label[1:]) for extra in project.review.extra_fields]
    return fields


def field_value(project: Project, study: Study, name: str) -> object:
    """A study's value of one field: a number stays a number (for the spreadsheet); None = not reported."""
    review = project.review
    theme = review.theme(study.theme) if study.theme else None
    orientation = {t.key: t.label for t in review.orientations}
    questions = {q.key: q.name for q in review.questions}
    values = {
        "id": study.id,
        "study": study_label(study, project.bibliography),
        "theme": theme.label if theme else study.theme,
        "subtheme": next((s.label for s in theme.subthemes if s.key == study.subtheme), study.subtheme)
        if theme else study.subtheme,
        "countries": ", ".join(study.countries) or None,
        "design.orientation": orientation.get(study.design.orientation, study.design.orientation),
        "design.method": study.design.method,
        "research_question": study.research_question,
        "participants.description": study.participants.description,
        "participants.n": study.participants.n,
        "participants.samples": "; ".join(f"{s.description or NOT_REPORTED}"
                                          + (f" (n = {s.n:,})" if s.n is not None else "")
                                          for s in study.participants.samples) or None,
        "findings": "\n".join(study.findings) or None,
        "validity.internal": study.validity.internal if study.validity else None,
        "validity.external": study.validity.external if study.validity else None,
        "keywords": ", ".join(study.keywords) or None,
        "questions": ", ".join(questions.get(q, q) for q in study.questions) or None,
        "reports": ", ".join(study.reports) or None,
    }
    if name in values:
        return values[name]
    value = study.extra.get(name)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or None
    return value


def extraction_rows(project: Project) -> tuple[list[Field], list[list[object]]]:
    """The fields and one row of values per study, in the order of Table 1 (author, year)."""
    fields = extraction_fields(project)
    studies = sorted(project.studies, key=lambda s: sort_key(s, project.bibliography))
    return fields, [[field_value(project, study, f.name) for f in fields] for study in studies]


def write_xlsx(project: Project, target: Path) -> Path:
    """The extraction table as a spreadsheet: a header row, one row per study, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    fields, rows = extraction_rows(project)
    book = Workbook()
    sheet = book.active
    sheet.title = "Extraction"
    sheet.append([f.label for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([NOT_REPORTED if v is None else v for v in row])
    for row in sheet.iter_rows():
        as_text_cells(row)  # a study's text starting with '=' stays text, never a formula
    for column, field in zip(sheet.columns, fields):
        longest = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, longest + 2))
        for cell in column[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    notes = book.create_sheet("About")
    notes.append(["Review", project.review.title])
    notes.append(["Rows", f"{len(rows)} included studies, one row each"])
    notes.append(["Values", f"as written in studies/<id>.yaml; '{NOT_REPORTED}' where the study does not report "
                  "the value"])
    book.save(target)
    return target


def table_markdown(project: Project) -> str:
    """The extraction table as a long three-column table: study, field, value."""
    fields, rows = extraction_rows(project)
    lines = ["# Supplementary table: data extracted from the included studies\n",
             f"Review: {md_escape(project.review.title)}. {len(rows)} studies; every field of every study file.\n",
             "| Study | Field | Value |", "|:--------|:--------|:--------------------------|"]
    for row in rows:
        label = str(row[1])
        for field, value in zip(fields[2:], row[2:]):
            text = NOT_REPORTED if value is None else (f"{value:,}" if isinstance(value, int) else str(value))
            text = md_escape(text.replace("\n", "; "))
            lines.append(f"| {md_escape(label)} | {md_escape(field.label)} | {text} |")
            label = ""
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ writing


def _pandoc_docx(markdown: str, target: Path, reference: Path | None) -> None:
    from charter.compile.pandoc import DEFAULT_EPOCH, pandoc_path

    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)}
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = Path(tmp) / "supplement.md"
        source.write_text(markdown, encoding="utf-8")
        args = [pandoc_path(), "--sandbox", str(source), "-o", str(Path(tmp) / target.name)]
        if reference is not None:
            args += ["--reference-doc", str(reference)]
        done = subprocess.run(args, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SupplementError(f"pandoc could not write {target.name}: {done.stderr.strip()}")
        (Path(tmp) / target.name).replace(target)


def write_supplements(root: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the search strategy (Markdown, DOCX) and the extraction table (XLSX, DOCX) into out_dir."""
    root = Path(root).resolve()
    project = load_project(root)
    if project.errors:
        raise SupplementError(f"the data has {len(project.errors)} error(s): run 'invoke check' and fix them first, "
                              "so the supplementary files show the data the manuscript reports")
    out = Path(out_dir)
    linked = _linked_output(root, out)
    if linked:
        raise SupplementError(linked)
    out.mkdir(parents=True, exist_ok=True)
    reference = next(iter(sorted((root / "build").glob("reference-*.docx"))), None)
    search = search_markdown(project)
    with tempfile.TemporaryDirectory(dir=out) as tmp:  # each file is whole or not replaced at all
        (Path(tmp) / f"{SEARCH_FILE}.md").write_text(search, encoding="utf-8")
        (Path(tmp) / f"{SEARCH_FILE}.md").replace(out / f"{SEARCH_FILE}.md")
        write_xlsx(project, Path(tmp) / f"{TABLE_FILE}.xlsx")
        (Path(tmp) / f"{TABLE_FILE}.xlsx").replace(out / f"{TABLE_FILE}.xlsx")
    _pandoc_docx(search, out / f"{SEARCH_FILE}.docx", reference)
    _pandoc_docx(table_markdown(project), out / f"{TABLE_FILE}.docx", reference)
    written = [out / name for name in supplement_names()]
    return written


def _linked_output(root: Path, out: Path) -> str | None:
    """Why the output folder (inside the project) cannot be written: a symbolic link on the way; else None."""
    try:
        rel = (out if out.is_absolute() else Path.cwd() / out).relative_to(root)  # as written: links not followed
    except ValueError:
        return None  # a folder outside the project, chosen by the caller
    return written_through_link(root, rel)


def supplement_names() -> Sequence[str]:
    """The files write_supplements writes, for a submission README."""
    return (f"{SEARCH_FILE}.md", f"{SEARCH_FILE}.docx", f"{TABLE_FILE}.xlsx", f"{TABLE_FILE}.docx")
