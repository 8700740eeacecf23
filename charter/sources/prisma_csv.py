"""Read the PRISMA2020 R package's CSV (what its Shiny app exports) into review.yaml form.

The CSV has one row per box part: ``data`` names it (``duplicates``,
``dbr_assessed``, …) and ``n`` holds the number; lists ("Database A, 100;
Database B, 200", "Reason1, 10; Reason2, 20") are packed into one ``n`` cell.
Here counts become integers and lists become tuples, as in ``Prisma``; an
empty ``n``, ``xxx`` or ``NA`` is not reported (``None``), never a guess.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import fields, replace
from pathlib import Path

from charter import limits
from charter.model import ExclusionReason, Location, Prisma, Problem, Source
from charter.sources.yaml_source import decode

# CSV `data` value -> Prisma field, for rows whose `n` is one number
COUNTS = {
    "previous_studies": "previous_studies",
    "previous_reports": "previous_reports",
    "database_results": "database_records",
    "register_results": "register_records",
    "duplicates": "duplicates",
    "excluded_automatic": "excluded_automatic",
    "excluded_other": "excluded_other",
    "records_screened": "records_screened",
    "records_excluded": "records_excluded",
    "dbr_sought_reports": "dbr_sought_reports",
    "dbr_notretrieved_reports": "dbr_notretrieved_reports",
    "other_sought_reports": "other_sought_reports",
    "other_notretrieved_reports": "other_notretrieved_reports",
    "dbr_assessed": "dbr_assessed",
    "other_assessed": "other_assessed",
    "new_studies": "new_studies",
    "new_reports": "new_reports",
    "total_studies": "total_studies",
    "total_reports": "total_reports",
}
# rows whose `n` lists "name, number; name, number"
SOURCE_LISTS = {"database_specific_results": "databases", "register_specific_results": "registers"}
REASON_LISTS = {"dbr_excluded": "dbr", "other_excluded": "other"}
# identification via other methods: CSV row -> the source's name when the row's boxtext does not give one
OTHER_SOURCES = {"website_results": "Websites", "organisation_results": "Organisations",
                 "citations_results": "Citation searching"}
# rows the app uses for titles, phase labels and the meta-analysis extension, which Charter does not draw
IGNORED = {"", "na", "identification", "screening", "included", "total_studies_ma", "total_reports_ma"}

UNKNOWN = {"", "xxx", "na", "n/a", "nr", "not reported"}
REQUIRED_COLUMNS = ("data", "n")
_NUMBER = re.compile(r"\d{1,3}(,\d{3})+|\d+")
# the app's template rows ("Reason1, xxx", "Database 2, xxx") are blanks, not data
_TEMPLATE_ENTRY = re.compile(r"(Reason|Database|Register)\s*\d+", re.IGNORECASE)

_FORMAT = ("the PRISMA2020 Shiny app's CSV export (columns data, node, box, description, boxtext, "
           "tooltips, url, n)")


def _number(cell: str) -> int | None | str:
    """The count in a cell: an int, None when not reported, or the cell itself when it is not a count."""
    text = cell.strip()
    if text.lower() in UNKNOWN:
        return None
    if _NUMBER.fullmatch(text) and len(text) <= len(f"{limits.COUNT_MAX:,}"):
        number = int(text.replace(",", ""))
        return number if number <= limits.COUNT_MAX else cell  # an absurd number is "not a count"
    return cell


def _over_limit(cell: str) -> str:
    """Say the limit when a cell holds a number too big to be a count."""
    digits = cell.strip().replace(",", "")
    return f", over Charter's limit of {limits.COUNT_MAX:,}" if digits.isdigit() else ""


def _entries(cell: str) -> tuple[list[tuple[str, int | None]], list[str]]:
    """Split "Name, 100; Other name, xxx" into (name, count) pairs, and the entries that are malformed."""
    entries, malformed = [], []
    for part in cell.split(";"):
        if not part.strip():
            continue
        name, _, count = part.rpartition(",")
        if not name.strip():  # no comma: a name alone, its count not reported
            name, count = count, ""
        value = _number(count)
        if isinstance(value, str) or not name.strip():
            malformed.append(part.strip())
            continue
        if value is None and _TEMPLATE_ENTRY.fullmatch(name.strip()):
            continue
        entries.append((name.strip(), value))
    return entries, malformed


def read_prisma_csv(path: str | Path) -> tuple[Prisma, list[Problem]]:
    """Read the PRISMA2020 app's CSV into a Prisma, with a problem (file:line) for every row it cannot use.

    The app's template fills every box with 0; a 0 for previous studies, for
    registers or for websites, organisations and citation searching is read
    as "not part of this review" (no previous-version boxes, no registers,
    no other-methods column), the way the app draws them.
    """
    path = Path(path)
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return Prisma(), [Problem(Location(where), "", f"cannot read the file: {error.strerror}")]
    text, problems = decode(where, data, limits.YAML_FILE_BYTES, "a PRISMA CSV file")
    if text is None:
        return Prisma(), problems
    rows = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        header = [h.strip().lower() for h in next(rows)]
    except StopIteration:
        return Prisma(), [Problem(Location(where), "", f"the file is empty; expected {_FORMAT}")]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return Prisma(), [Problem(Location(where, 1), "", f"the header row has no column {', '.join(missing)}; "
                                                          f"expected {_FORMAT}")]
    column = {name: header.index(name) for name in ("data", "n", "boxtext") if name in header}

    values: dict[str, object] = {}
    other_sources: list[Source] = []
    seen: dict[str, int] = {}
    line = 1
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(Location(where, start), "", f"malformed CSV row ({error}); "
                                                                 "check its quotes"))
            break
        line = start
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(Location(where, line), "", f"the row has {len(row)} cells but the header "
                                                                f"has {len(header)}; put quotes around a cell "
                                                                f"that contains a comma"))
            continue
        data = row[column["data"]].strip()
        cell = row[column["n"]]
        if data.lower() in IGNORED:
            continue
        if data in seen:
            problems.append(Problem(Location(where, line), data, f"given twice (first at line {seen[data]}); "
                                                                  f"keep one row"))
            continue
        seen[data] = line
        at = Location(where, line)
        if data in COUNTS or data in OTHER_SOURCES:
            value = _number(cell)
            if isinstance(value, str):
                problems.append(Problem(at, data, f"n: expected a whole number (empty or xxx when not "
                                                  f"reported) but got {cell[:80]!r}{_over_limit(cell)}"))
                continue
            if data in COUNTS:
                values[COUNTS[data]] = value
            elif value:  # a source the review did not search has 0 in the app's template
                boxtext = row[column["boxtext"]].strip() if "boxtext" in column else ""
                name = boxtext if boxtext and boxtext.lower() != "na" else OTHER_SOURCES[data]
                other_sources.append(Source(name, value))
        elif data in SOURCE_LISTS or data in REASON_LISTS:
            value = _number(cell)
            if data in REASON_LISTS and not isinstance(value, str):  # a total without reasons
                values[f"{REASON_LISTS[data]}_excluded"] = value
                continue
            if data in SOURCE_LISTS and not isinstance(value, str):
                if value:  # the template's 0 (or a blank) means no list; a lone number has no names
                    problems.append(Problem(at, data, f"n: expected 'name, number' entries separated by ';' "
                                                      f"(e.g. 'CINAHL, 812; PsycINFO, 1007') but got {cell!r}"))
                continue
            entries, malformed = _entries(cell)
            for entry in malformed:
                problems.append(Problem(at, data, f"n: cannot read {entry!r}; write each entry as "
                                                  f"'name, number' and separate entries with ';' "
                                                  f"(e.g. 'Wrong population, 12; Wrong design, 3')"))
            if data in SOURCE_LISTS:
                values[SOURCE_LISTS[data]] = tuple(Source(name, n) for name, n in entries)
            else:
                side = REASON_LISTS[data]
                reasons = tuple(ExclusionReason(name, n) for name, n in entries)
                values[f"{side}_excluded_reasons"] = reasons
                counts = [r.count for r in reasons]
                values[f"{side}_excluded"] = sum(counts) if counts and None not in counts else None
        else:
            known = sorted((*COUNTS, *SOURCE_LISTS, *REASON_LISTS, *OTHER_SOURCES))
            problems.append(Problem(at, data, f"not a PRISMA2020 box; the data column takes one of "
                                              f"{', '.join(known)}"))
    values["other_sources"] = tuple(other_sources)
    return _template_zeros_removed(Prisma(**values)), problems


def _template_zeros_removed(prisma: Prisma) -> Prisma:
    """Read the app's template zeros for parts a review does not have as absent (see read_prisma_csv)."""
    changes: dict[str, object] = {}
    if not prisma.previous_studies and not prisma.previous_reports:
        changes.update(previous_studies=None, previous_reports=None)
    if not prisma.register_records and not prisma.registers:
        changes.update(register_records=None)
    other = ("other_sought_reports", "other_notretrieved_reports", "other_assessed", "other_excluded")
    if not prisma.other_sources and not prisma.other_excluded_reasons and not any(getattr(prisma, f) for f in other):
        changes.update({f: None for f in other})
    return replace(prisma, **changes)


# ------------------------------------------------------------------------ YAML

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ().+/&'-]*")
_YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def _yaml_text(text: str) -> str:
    """A name as a YAML scalar: plain when that is safe, else double-quoted (JSON escapes are YAML's)."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


# the order of docs/format.md: the flow from top to bottom
_YAML_ORDER = ("databases", "database_records", "registers", "register_records", "duplicates",
               "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
               "dbr_sought_reports", "dbr_notretrieved_reports", "dbr_assessed", "dbr_excluded",
               "dbr_excluded_reasons", "other_sources", "other_sought_reports", "other_notretrieved_reports",
               "other_assessed", "other_excluded", "other_excluded_reasons", "previous_studies",
               "previous_reports", "new_studies", "new_reports", "total_studies", "total_reports")
# Charter's own addition, not a box of the PRISMA2020 app: the app's CSV never has it.
_NOT_IN_THE_APP = {"studies_without_files"}
assert set(_YAML_ORDER) == {f.name for f in fields(Prisma)} - {"positions"} - _NOT_IN_THE_APP, \
    "a Prisma field is missing here"


def _yaml_count(value: int | None) -> str:
    return "null" if value is None else str(value)


def prisma_to_yaml(prisma: Prisma) -> str:
    """Write a Prisma as the `prisma:` block of review.yaml (docs/format.md), null for what is not reported."""
    lines = ["prisma:                       # PRISMA 2020 flow; null = not reported"]
    for name in _YAML_ORDER:
        value = getattr(prisma, name)
        if name in ("databases", "registers", "other_sources"):
            lines.append(f"  {name}:" + ("" if value else " []"))
            lines += [f"    - {{name: {_yaml_text(s.name)}, records: {_yaml_count(s.records)}}}" for s in value]
        elif name.endswith("_reasons"):
            lines.append(f"  {name}:" + ("" if value else " []"))
            lines += [f"    - {{reason: {_yaml_text(r.reason)}, count: {_yaml_count(r.count)}}}" for r in value]
        else:
            lines.append(f"  {name}: {_yaml_count(value)}")
    return "\n".join(lines) + "\n"
