"""Feed a review: a study file from a bibliography entry, or one per row of an extraction spreadsheet.

``new_study`` writes ``studies/KEY.yaml`` with every field the review
declares, null where unknown. ``import_studies`` reads a CSV or XLSX sheet
(one row per study), maps its columns to study fields as the mapping says
(``import:`` in review.yaml, or a mapping file; docs/import.md), and writes,
updates or leaves each study file, reporting every problem with its sheet,
row and column. A row whose cells cannot be read (no citation key, a number
that is not one) is not written; a study written from a row is then checked
like any study file and its problems are reported at the cells they came from.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from yaml.nodes import MappingNode, Node

from charter.sources.bibtex import latex_to_unicode
from charter.sources.load import REVIEW_FILE, STUDIES_DIR, load_bibliography, load_review
from charter.model import Bibliography, Location, Problem, Reference, Review
from charter.start.study_files import (INTEGER, LIST, OPTIONAL_WHEN_EMPTY, Field, edit_in_place, flatten, normalised, plain,
                          read_study_file, study_fields, study_yaml)
from charter.suggest import did_you_mean
from charter.sources.validate import read_study
from charter.sources.yaml_source import compose, decode, location

# Cell texts that mean "not reported" (compared without case and surrounding space).
MISSING = frozenset({"", "nr", "na", "n/a", "n.a.", "not reported", "not stated", "none reported", "-", "–", "—",
                     "null"})
MAPPING_FIELDS = ("sheet", "key", "doi", "study_id", "separator", "columns", "values", "fixed", "missing", "only")


class ImportFailed(Exception):
    """The import cannot start (no such file, a broken mapping); the message says what to do."""


# ------------------------------------------------------------------ new-study

# A study file is named after its citation key, so the key must be a plain file name.
_FILE_KEY = re.compile(r"[^\W][\w:.#$%&\-+?<>~]*")


def _key_problem(key: str) -> str:
    """Why a citation key cannot name a study file ('' when it can)."""
    if _FILE_KEY.fullmatch(key) and ".." not in key:
        return ""
    return (f"citation key '{key}' cannot name a study file (studies/<key>.yaml): use letters, digits and _ - : . "
            "only, e.g. smith2020, and change the key in bib/ to match")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", latex_to_unicode(text).replace("{", "").replace("}", "")).strip()


def new_study(root: Path, key: str) -> str:
    """Write studies/KEY.yaml for the bibliography entry KEY; return its relative path."""
    root = Path(root)
    if _key_problem(key):
        raise ImportFailed(_key_problem(key))
    rel = f"{STUDIES_DIR}/{key}.yaml"
    if (root / rel).exists():
        raise ImportFailed(f"{rel} already exists: edit it, or delete it first to start again")
    review, review_problems = load_review(root)
    errors = [p for p in review_problems if p.severity == "error"]
    if review is None or errors:
        raise ImportFailed("review.yaml has errors; fix them first (invoke check lists them):\n"
                           + "\n".join(str(p) for p in (errors or review_problems)))
    bibliography, _ = load_bibliography(root)
    reference = bibliography.references.get(key)
    if reference is None:
        files = ", ".join(bibliography.files) or "bib/ (no .bib file yet)"
        raise ImportFailed(f"citation key '{key}' is not in {files}{did_you_mean(key, tuple(bibliography.references))}"
                           f": add the study's entry to a .bib file in bib/ first, then run invoke new-study {key}")
    fields = study_fields(review)
    values = {f.path: None for f in fields if f.path not in OPTIONAL_WHEN_EMPTY}
    values["id"] = key
    if len(review.themes) == 1:
        values["theme"] = review.themes[0].key  # the only choice there is
    header = (f"{reference.first_author} ({reference.year}). {_clean(reference.fields.get('title', ''))}\n"
              "Every null is still to fill in: write what the report says, leave null what it does not give.")
    (root / STUDIES_DIR).mkdir(exist_ok=True)
    with open(root / rel, "x", encoding="utf-8") as handle:  # "x": never overwrite a file made meanwhile
        handle.write(study_yaml(values, fields, header))
    return rel


# ------------------------------------------------------------------- the sheet


@dataclass(frozen=True)
class Cell:
    text: str | None  # None: empty
    column: int  # 1-based
    header: str


@dataclass(frozen=True)
class Row:
    number: int  # the row number in the sheet (1-based, the header row is 1)
    cells: dict[str, Cell]  # header -> cell


@dataclass(frozen=True)
class Sheet:
    file: str  # as given on the command line
    name: str  # the sheet's name ("" for a CSV)
    headers: tuple[str, ...]
    rows: tuple[Row, ...]

    def where(self, row: int, column: int | None = None, header: str = "") -> str:
        sheet = f"sheet '{self.name}', " if self.name else ""
        if column is None:
            return f"{self.file}: {sheet}row {row}"
        return f"{self.file}: {sheet}row {row}, column {column_letter(column)} ({header})"


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as text: whole numbers without '.0', dates as YYYY-MM-DD, None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text if text.strip() else None


def _table(file: str, name: str, raw: list[list[object]]) -> Sheet:
    header_index = next((i for i, row in enumerate(raw) if any(_cell_text(v) for v in row)), None)
    if header_index is None:
        raise ImportFailed(f"{file}: {'sheet ' + repr(name) + ' ' if name else ''}is empty: the first row must name "
                           "the columns, and each further row holds one study")
    headers = [(_cell_text(v) or "").strip() for v in raw[header_index]]
    seen: dict[str, int] = {}
    for index, header in enumerate(headers, 1):
        if header and header in seen:
            raise ImportFailed(f"{file}: columns {column_letter(seen[header])} and {column_letter(index)} are both "
                               f"named '{header}': give each column its own name")
        seen.setdefault(header, index)
    rows = []
    for offset, values in enumerate(raw[header_index + 1:], header_index + 2):
        cells = {header: Cell(_cell_text(values[i - 1]) if i - 1 < len(values) else None, i, header)
                 for header, i in seen.items() if header}
        if any(cell.text for cell in cells.values()):
            rows.append(Row(offset, cells))
    return Sheet(file, name, tuple(h for h in headers if h), tuple(rows))


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read a .csv or .xlsx file: its header row and its rows of cells."""
    if not path.is_file():
        raise ImportFailed(f"{path} not found: name the extraction spreadsheet (.xlsx or .csv)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or mislabelled file
            raise ImportFailed(f"{path} cannot be read as an Excel workbook ({error}): save it again as .xlsx "
                               "or export it as CSV") from None
        try:
            if sheet is not None and sheet not in workbook.sheetnames:
                raise ImportFailed(f"{path} has no sheet '{sheet}' (it has {', '.join(workbook.sheetnames)})"
                                   f"{did_you_mean(sheet, tuple(workbook.sheetnames))}")
            worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
            raw = [list(row) for row in worksheet.iter_rows(values_only=True)]
            return _table(str(path), worksheet.title, raw)
        finally:
            workbook.close()
    if suffix in (".csv", ".tsv", ".txt"):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")  # Excel writes a byte-order mark
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            print(f"{path}: not UTF-8; read as Windows-1252 (save it as 'CSV UTF-8' to be sure of every letter)",
                  file=sys.stderr)
        try:
            dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return _table(str(path), "", [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)])
    if suffix == ".xls":
        raise ImportFailed(f"{path} is an old Excel file (.xls): save it as .xlsx (Excel Workbook) or CSV")
    raise ImportFailed(f"{path}: expected a .xlsx or .csv file")


# ----------------------------------------------------------------- the mapping


@dataclass(frozen=True)
class Mapping:
    """Which column goes to which field, and how the study's citation key is found (docs/import.md)."""

    columns: dict[str, str]  # column header -> field path
    key: str | None = None  # column holding the citation key
    doi: str | None = None  # column holding a DOI, matched against bib/
    study_id: str | None = None  # column holding "Smith 2020" (Covidence's Study ID), matched against bib/
    sheet: str | None = None
    separator: str = ";"
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)  # field -> {cell text: value}
    fixed: dict[str, object] = field(default_factory=dict)  # field -> value for every row
    missing: frozenset[str] = MISSING
    only: dict[str, str] = field(default_factory=dict)  # column -> the value a row must have to be imported
    source: str = ""  # where the mapping was written


def identity_mapping(sheet: Sheet, fields: tuple[Field, ...]) -> Mapping:
    """The mapping of a sheet whose headers are field paths (what export-studies writes)."""
    paths = {f.path for f in fields}
    return Mapping(columns={h: h for h in sheet.headers if h in paths and h != "id"}, key="id", separator="\n",
                   source="the column names (they are field paths)")


def _mapping_problem(rel: str, node: Node | None, message: str) -> Problem:
    return Problem(location(rel, node) if node is not None else Location(rel), "import", message)


def read_mapping(rel: str, node: Node, fields: tuple[Field, ...]) -> tuple[Mapping | None, list[Problem]]:
    """Read an import mapping (the value of `import:`) and check every field path it names."""
    problems: list[Problem] = []
    if not isinstance(node, MappingNode):
        return None, [_mapping_problem(rel, node, "expected the import mapping (columns:, key: or doi: …)")]
    nodes = {k.value: v for k, v in node.value}
    for key_node, _ in node.value:
        if key_node.value not in MAPPING_FIELDS:
            problems.append(_mapping_problem(rel, key_node, f"unknown setting '{key_node.value}'"
                                             f"{did_you_mean(key_node.value, MAPPING_FIELDS)}; the settings are "
                                             + ", ".join(MAPPING_FIELDS)))
    paths = {f.path: f for f in fields}

    def field_path(value_node: Node, path: object) -> str | None:
        if not isinstance(path, str) or path not in paths:
            hint = did_you_mean(str(path), tuple(paths))
            problems.append(_mapping_problem(rel, value_node, f"'{path}' is not a study field{hint} (the fields: "
                                             f"{', '.join(paths)})"))
            return None
        return path

    columns: dict[str, str] = {}
    columns_node = nodes.get("columns")
    if columns_node is not None:
        if not isinstance(columns_node, MappingNode):
            problems.append(_mapping_problem(rel, columns_node, "columns: maps each column name to a field, "
                                             "e.g. Country: country"))
        else:
            for header_node, path_node in columns_node.value:
                if plain(path_node) == "id":
                    problems.append(_mapping_problem(rel, path_node, "the id is the citation key: name its column "
                                                     f"with key: {header_node.value} instead of under columns:"))
                    continue
                path = field_path(path_node, plain(path_node))
                if path is not None:
                    columns[header_node.value] = path
    values: dict[str, dict[str, str | None]] = {}
    values_node = nodes.get("values")
    if isinstance(values_node, MappingNode):
        for path_node, table in values_node.value:
            path = field_path(path_node, path_node.value)
            table_value = plain(table)
            if path is not None and isinstance(table_value, dict):
                values[path] = {str(k).casefold(): v for k, v in table_value.items()}
            elif path is not None:
                problems.append(_mapping_problem(rel, table, "values: maps each field to {cell text: value}"))
    fixed: dict[str, object] = {}
    fixed_node = nodes.get("fixed")
    if isinstance(fixed_node, MappingNode):
        for path_node, value_node in fixed_node.value:
            path = field_path(path_node, path_node.value)
            if path is not None:
                fixed[path] = plain(value_node)
    texts = {name: plain(nodes[name]) for name in ("sheet", "key", "doi", "study_id", "separator") if name in nodes}
    if not any(texts.get(name) for name in ("key", "doi", "study_id")):
        problems.append(_mapping_problem(rel, node, "say where each row's citation key comes from: key: <column "
                                         "with the key>, doi: <column with the DOI> or study_id: <column with "
                                         "'Author Year'>"))
    missing = MISSING | {str(word).strip().casefold() for word in (plain(nodes["missing"]) or [])} \
        if "missing" in nodes else MISSING
    only = plain(nodes["only"]) if "only" in nodes else {}
    if not isinstance(only, dict) or not all(isinstance(v, str) for v in only.values()):
        problems.append(_mapping_problem(rel, nodes.get("only"), "only: names a column and the value a row must "
                                         "have there, e.g. only: {Reviewer Name: Consensus}"))
        only = {}
    separator = texts.get("separator") or ";"
    mapping = Mapping(columns=columns, key=texts.get("key"), doi=texts.get("doi"), study_id=texts.get("study_id"),
                      sheet=texts.get("sheet"), separator=str(separator).replace("\\n", "\n"), values=values,
                      fixed=fixed, missing=frozenset(missing), only=only, source=rel)
    return mapping, problems


def load_mapping(root: Path, mapping_file: Path | None, fields: tuple[Field, ...]) -> Mapping | None:
    """The mapping from a file, else from `import:` in review.yaml; None when neither has one."""
    if mapping_file is not None:
        if not mapping_file.is_file():
            raise ImportFailed(f"{mapping_file} not found: name the YAML file with the import mapping")
        rel = str(mapping_file)
        text, problems = decode(rel, mapping_file.read_bytes())
        node, compose_problems = compose(rel, text) if text is not None else (None, [])
        problems += compose_problems
        if node is not None and isinstance(node, MappingNode):
            inner = {k.value: v for k, v in node.value}
            node = inner.get("import", node)  # the file may hold `import:` or the mapping itself
    else:
        text, problems = decode(REVIEW_FILE, (root / REVIEW_FILE).read_bytes())
        node, compose_problems = compose(REVIEW_FILE, text) if text is not None else (None, [])
        problems += compose_problems
        node = {k.value: v for k, v in node.value}.get("import") if isinstance(node, MappingNode) else None
        rel = REVIEW_FILE
        if node is None and not problems:
            return None
    if problems or node is None:
        raise ImportFailed("the import mapping cannot be read:\n" + "\n".join(str(p) for p in problems))
    mapping, problems = read_mapping(rel, node, fields)
    if problems:
        raise ImportFailed("the import mapping has mistakes; nothing was imported:\n"
                           + "\n".join(str(p) for p in problems))
    return mapping


# ----------------------------------------------------------- citation keys


def _fold(text: str) -> str:
    """Lower case without accents: 'Bjørlykhaug' and 'Bjorlykhaug' match."""
    text = latex_to_unicode(text).replace("ø", "o").replace("Ø", "O").replace("æ", "ae").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def normal_doi(text: str) -> str:
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", text.strip(), flags=re.I).strip().casefold()


class KeyFinder:
    """Find a row's citation key in the bibliography: by key, by DOI, or by 'Author Year'."""

    def __init__(self, bibliography: Bibliography):
        self.references = bibliography.references
        self.by_doi: dict[str, list[Reference]] = {}
        self.by_author_year: dict[tuple[str, str], list[Reference]] = {}
        for reference in bibliography.references.values():
            doi = reference.fields.get("doi")
            if doi:
                self.by_doi.setdefault(normal_doi(_clean(doi)), []).append(reference)
            self.by_author_year.setdefault((_fold(reference.first_author), reference.year), []).append(reference)

    def by_key(self, text: str) -> tuple[str | None, str]:
        key = text.strip()
        if key in self.references:
            return key, ""
        return None, (f"citation key '{key}' is not in bib/{did_you_mean(key, tuple(self.references))}: add its "
                      "entry to a .bib file in bib/")

    def by_doi_text(self, text: str) -> tuple[str | None, str]:
        found = self.by_doi.get(normal_doi(text), [])
        if len(found) == 1:
            return found[0].key, ""
        if found:
            keys = ", ".join(r.key for r in found)
            return None, f"DOI {text.strip()} is in {len(found)} entries of bib/ ({keys}): keep one"
        return None, f"no entry in bib/ has the DOI {text.strip()}: add the study's entry (with its doi field) to bib/"

    def by_study_id(self, text: str) -> tuple[str | None, str]:
        match = re.fullmatch(r"\s*(.+?)[\s,]+(?:et al\.?\s+)?\(?(\d{4})([a-z]?)\)?\s*", text)
        if not match:
            return None, f"'{text}' is not 'Author Year' (e.g. Smith 2020): correct the cell or use a key column"
        name, year, suffix = match.groups()
        name = re.sub(r"\s+et al\.?$", "", name.strip(), flags=re.I)
        found = sorted(self.by_author_year.get((_fold(name), year), []), key=lambda r: r.key)
        if len(found) == 1 and not suffix:
            return found[0].key, ""
        if suffix and len(found) > 1:
            index = ord(suffix) - ord("a")
            if index < len(found):
                return found[index].key, ""
        if found:
            return None, (f"'{text.strip()}' matches {len(found)} entries of bib/ ({', '.join(r.key for r in found)}): "
                          "add a column with the citation key (key: in the mapping) or write 'Author Year' with a "
                          "letter (Smith 2020a) in the order of their keys")
        return None, (f"no entry in bib/ has first author '{name}' and year {year}: add the study's entry to bib/ "
                      "or correct the cell")


# ---------------------------------------------------------------- the import


@dataclass
class RowResult:
    row: int
    key: str | None
    action: str  # created, updated, unchanged, skipped, failed
    problems: list[str] = field(default_factory=list)
    diff: str = ""


def _convert(cell: Cell, path: str, kind: str, mapping: Mapping, review: Review) -> tuple[object, str]:
    """One cell as the value of its field; the second item is a problem ('' when none)."""
    text = cell.text
    if text is None or text.strip().casefold() in mapping.missing:
        return None, ""
    table = mapping.values.get(path)
    if kind == LIST:
        items = [item.strip() for item in text.split(mapping.separator)]
        items = [item for item in items if item and item.casefold() not in mapping.missing]
        if table:
            items = [table.get(item.casefold(), item) for item in items]
        return (tuple(items) or None), ""
    if table and text.strip().casefold() in table:
        return table[text.strip().casefold()], ""
    if kind == INTEGER:
        number = text.strip().replace("\u00a0", "").replace("\u2009", "")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", number):
            number = number.replace(",", "")
        if not re.fullmatch(r"\d+", number):
            return None, f"expected a whole number (or NR when not reported) but got '{text}'"
        return int(number), ""
    value = text.strip()
    # A label typed where a key belongs (Qualitative for qualitative): take the key.
    if path == "design.orientation":
        by_label = {t.label.casefold(): t.key for t in review.orientations} | {t.key.casefold(): t.key
                                                                                for t in review.orientations}
        value = by_label.get(value.casefold(), value)
    elif path == "theme":
        by_label = {t.label.casefold(): t.key for t in review.themes} | {t.key.casefold(): t.key for t in review.themes}
        value = by_label.get(value.casefold(), value)
    return value, ""


def _row_key(row: Row, sheet: Sheet, mapping: Mapping, finder: KeyFinder) -> tuple[str | None, str]:
    for column, lookup in ((mapping.key, finder.by_key), (mapping.doi, finder.by_doi_text),
                           (mapping.study_id, finder.by_study_id)):
        if column and row.cells.get(column) and row.cells[column].text:
            key, problem = lookup(row.cells[column].text)
            cell = row.cells[column]
            return key, (f"{sheet.where(row.number, cell.column, column)}: {problem}" if problem else "")
    named = " or ".join(f"'{c}'" for c in (mapping.key, mapping.doi, mapping.study_id) if c)
    return None, f"{sheet.where(row.number)}: no citation key: the {named} cell is empty"


def _diff(rel: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}"))


@dataclass
class _Plan:
    """What an import works from: the review, its fields, the mapping and the sheet it applies to."""

    review: Review
    fields: tuple[Field, ...]
    mapping: Mapping
    table: Sheet
    finder: KeyFinder

    @property
    def kinds(self) -> dict[str, str]:
        return {f.path: f.kind for f in self.fields}


def _plan(root: Path, file: Path, mapping: Path | None, sheet: str | None) -> _Plan:
    """Read review.yaml, the mapping and the sheet; refuse a mapping that names a column the sheet lacks."""
    review, review_problems = load_review(root)
    errors = [p for p in review_problems if p.severity == "error"]
    if review is None or errors:
        raise ImportFailed("review.yaml has errors; fix them first (invoke check lists them):\n"
                           + "\n".join(str(p) for p in (errors or review_problems)))
    fields = study_fields(review)
    chosen = load_mapping(root, mapping, fields)
    table = read_sheet(file, sheet or (chosen.sheet if chosen else None))
    if chosen is None:
        if "id" not in table.headers:
            raise ImportFailed("no import mapping: add an import: section to review.yaml or pass --mapping FILE "
                               "(docs/import.md); without one the sheet's column names must be field paths, with "
                               "the citation key in a column named id (as invoke export-studies writes)")
        chosen = identity_mapping(table, fields)
    for column in (*chosen.columns, chosen.key, chosen.doi, chosen.study_id, *chosen.only):
        if column and column not in table.headers:
            raise ImportFailed(f"{table.where(1)}: no column named '{column}' (named in {chosen.source})"
                               f"{did_you_mean(column, table.headers)}; the columns are: {', '.join(table.headers)}")
    bibliography, _ = load_bibliography(root)
    return _Plan(review, fields, chosen, table, KeyFinder(bibliography))


def _study_key(row: Row, plan: _Plan, seen: dict[str, int], result: RowResult) -> str | None:
    """The row's citation key, or None with the reason in ``result`` (none found, unusable, a second row)."""
    table = plan.table
    key, key_problem = _row_key(row, table, plan.mapping, plan.finder)
    result.key = key
    if key is None:
        result.problems.append(key_problem)
        return None
    if _key_problem(key):
        result.key = None
        result.problems.append(f"{table.where(row.number)}: {_key_problem(key)}")
        return None
    if key in seen:
        result.problems.append(f"{table.where(row.number)}: study '{key}' is also row {seen[key]}: one row per "
                               "study (put further reports of a study in its reports column)")
        return None
    seen[key] = row.number
    return key


def _row_values(row: Row, plan: _Plan, result: RowResult) -> dict[str, object]:
    """The row's cells as field values (with the mapping's fixed values); problems go to ``result``."""
    chosen, review, kinds = plan.mapping, plan.review, plan.kinds
    values: dict[str, object] = dict(chosen.fixed)
    if len(review.themes) == 1 and "theme" not in chosen.columns.values():
        values.setdefault("theme", review.themes[0].key)  # the only choice there is
    for header, path in chosen.columns.items():
        cell = row.cells[header]
        value, problem = _convert(cell, path, kinds[path], chosen, review)
        if problem:
            result.problems.append(f"{plan.table.where(row.number, cell.column, header)}: {path}: {problem}")
        values[path] = value
    return values


def _study_text(root: Path, rel: str, key: str, values: dict[str, object], plan: _Plan, update: bool,
                row: Row, result: RowResult) -> str | None:
    """The study file's new text (created, or updated in place with --update); None when nothing is written."""
    target = root / rel
    kinds = plan.kinds
    if not target.exists():
        merged = {f.path: None for f in plan.fields if f.path not in OPTIONAL_WHEN_EMPTY}
        merged.update(values)
        merged["id"] = key
        merged = {path: value for path, value in merged.items()
                  if value is not None or path not in OPTIONAL_WHEN_EMPTY}
        result.action = "created"
        return study_yaml(merged, plan.fields)
    if not update:
        result.action = "skipped"
        result.problems.append(f"{plan.table.where(row.number)}: {rel} exists: left as it is (add --update to "
                               "update it from the sheet)")
        return None
    existing, problems = read_study_file(root, rel)
    if existing is None:
        result.problems += [f"{rel} cannot be updated until it reads as YAML: {p}" for p in problems]
        return None
    merged = dict(existing)
    changes = {}
    for path, value in values.items():
        kind = kinds.get(path, "text")
        if normalised(kind, value) != normalised(kind, existing.get(path)):
            merged[path] = changes[path] = value
    if not changes:
        result.action = "unchanged"
        return None
    old_text = target.read_text(encoding="utf-8")
    new_text = _updated_text(rel, old_text, changes, merged, plan.fields, kinds)
    result.action = "updated"
    result.diff = _diff(rel, old_text, new_text)
    return new_text


def import_studies(root: Path, file: Path, mapping: Path | None = None, sheet: str | None = None,
                   dry_run: bool = False, update: bool = False, out: TextIO | None = None) -> int:
    """Import the rows of an extraction spreadsheet as study files; print what was done; return the exit status."""
    out = out or sys.stdout
    root = Path(root)
    plan = _plan(root, file, mapping, sheet)
    chosen, table = plan.mapping, plan.table
    unmapped = [h for h in table.headers if h not in chosen.columns and h not in (chosen.key, chosen.doi,
                                                                                     chosen.study_id, *chosen.only)]
    rows = [row for row in table.rows if all((row.cells[column].text or "").strip().casefold() == value.casefold()
                                             for column, value in chosen.only.items())]
    left_out = len(table.rows) - len(rows)
    column_of = {path: header for header, path in chosen.columns.items()}
    results: list[RowResult] = []
    seen: dict[str, int] = {}
    writes: list[tuple[Path, str]] = []
    not_given: dict[str, list[int]] = {}  # field -> rows whose study needs it but no column gives it
    for row in rows:
        result = RowResult(row.number, None, "failed")
        results.append(result)
        key = _study_key(row, plan, seen, result)
        if key is None:
            continue
        values = _row_values(row, plan, result)
        if result.problems:
            continue
        rel = f"{STUDIES_DIR}/{key}.yaml"
        new_text = _study_text(root, rel, key, values, plan, update, row, result)
        if new_text is None:
            continue
        placed, unfilled = _study_problems(rel, key, new_text, plan.review, table, row, column_of)
        result.problems += placed
        for field_path in unfilled:
            not_given.setdefault(field_path, []).append(row.number)
        writes.append((root / rel, new_text))
    _report(results, table, unmapped, dry_run, out)
    if left_out:
        wanted = ", ".join(f"{column} = {value}" for column, value in chosen.only.items())
        print(f"{left_out} rows left out: only rows with {wanted} are imported (only: in the mapping)", file=out)
    for field_path, rows in not_given.items():
        print(f"{field_path}: no column gives it and {len(rows)} of the studies written need it: fill it in in "
              "their study files, or map a column to it (invoke check lists each file)", file=out)
    if not dry_run:
        (root / STUDIES_DIR).mkdir(exist_ok=True)
        for target, text in writes:
            target.write_text(text, encoding="utf-8")
    failed = sum(1 for r in results if r.action == "failed")
    return 1 if failed else 0


def _updated_text(rel: str, old_text: str, changes: dict[str, object], merged: dict[str, object],
                  fields: tuple[Field, ...], kinds: dict[str, str]) -> str:
    """The study file with the changes: edited in place when that reads back right, else written anew."""
    edited = edit_in_place(old_text, changes)
    if edited is not None:
        node, problems = compose(rel, edited)
        if node is not None and not problems:
            reread = flatten(plain(node) or {})
            if set(reread) == set(merged) and all(
                    normalised(kinds.get(p, "text"), reread[p]) == normalised(kinds.get(p, "text"), merged[p])
                    for p in merged):
                return edited
    return study_yaml(merged, fields)


def _study_problems(rel: str, key: str, text: str, review: Review, sheet: Sheet, row: Row,
                    column_of: dict[str, str]) -> tuple[list[str], list[str]]:
    """Check the study file a row gives; place each problem at the cell its field came from.

    Returns the placed problems, and the fields with a problem that no column gives (summarised once).
    """
    node, problems = compose(rel, text)
    if node is None:
        return [str(p) for p in problems], []
    _, problems = read_study(rel, key, node, review)
    placed, unfilled = [], []
    for problem in problems:
        top = problem.field
        header = column_of.get(top) or next((column_of[p] for p in column_of if top.startswith(p + ".")), None)
        if header is None:
            unfilled.append(problem.field)
            continue
        cell = row.cells[header]
        warning = " [warning]" if problem.severity == "warning" else ""
        placed.append(f"{sheet.where(row.number, cell.column, header)}: {problem.field}: {problem.message}{warning}")
    return placed, unfilled


def _report(results: list[RowResult], sheet: Sheet, unmapped: list[str], dry_run: bool, out: TextIO) -> None:
    would = "would be " if dry_run else ""
    for result in results:
        name = f"studies/{result.key}.yaml" if result.key else "no study"
        print(f"row {result.row}: {name}: {would if result.action in ('created', 'updated') else ''}{result.action}",
              file=out)
        for problem in result.problems:
            print(f"  {problem}", file=out)
        if result.diff:
            print("".join(f"    {line}" for line in result.diff.splitlines(True)), end="", file=out)
    counts = {action: sum(1 for r in results if r.action == action)
              for action in ("created", "updated", "unchanged", "skipped", "failed")}
    summary = ", ".join(f"{n} {would if a in ('created', 'updated') else ''}{a}" for a, n in counts.items() if n)
    print(f"{sheet.file}: {len(results)} rows: {summary or 'nothing to do'}"
          + (" (dry run: nothing written)" if dry_run else ""), file=out)
    if unmapped:
        print(f"columns not imported (not in the mapping): {', '.join(unmapped)}", file=out)
