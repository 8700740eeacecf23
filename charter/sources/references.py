"""Read the bibliography formats besides BibTeX: CSL JSON (.json) and RIS (.ris) files in bib/.

Zotero, Mendeley and EndNote export these as they are; pandoc reads both
natively, so the build passes them on unchanged. Here they are scanned into
the same ``Reference`` records as ``charter.sources.bibtex`` gives for .bib files,
with file:line places, so the checks (citation keys, Table 1's first author
and year) work the same whatever the format.

An RIS record has no citation key of its own unless it has an ``ID`` line;
pandoc then makes one (``Family_Year``, ``Family1_Family2_Year``, a letter
added for a clash). The keys are taken from pandoc's own reading, so they
are exactly the keys the manuscript must cite.
"""

from __future__ import annotations

import json
import re
from types import MappingProxyType

from charter.model import Location, Problem, Reference

SUFFIXES = (".bib", ".json", ".ris")


def _year(item: dict) -> str:
    issued = item.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        for name in ("raw", "literal"):
            match = re.match(r"\s*(\d{4})", str(issued.get(name, "")))
            if match:
                return match.group(1)
    return "n.d."


def _first_author(item: dict) -> str:
    for role in ("author", "editor"):
        names = item.get(role)
        if isinstance(names, list) and names and isinstance(names[0], dict):
            name = names[0]
            return str(name.get("family") or name.get("literal") or name.get("given") or "")
    return str(item.get("title", ""))


def _fields(item: dict) -> dict[str, str]:
    """The entry's fields as text, under BibTeX's names where the checks look for them (doi, title)."""
    fields = {name.lower(): value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
              for name, value in item.items()}
    year = _year(item)
    if year != "n.d.":
        fields["year"] = year
    return fields


def _id_lines(text: str) -> dict[str, int]:
    """The line of each entry's "id" in a CSL JSON text (the first, when an id is written twice)."""
    lines: dict[str, int] = {}
    for match in re.finditer(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)', text):
        key = str(json.loads(match.group(1)))
        lines.setdefault(key, text.count("\n", 0, match.start()) + 1)
    return lines


def scan_csl_json(path: str, text: str) -> tuple[list[Reference], list[Problem]]:
    """Find the entries of one CSL JSON file (a list of items, as Zotero's "CSL JSON" export writes)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [Problem(Location(path, error.lineno, error.colno), "",
                            f"not valid JSON ({error.msg}): export the file again as CSL JSON")]
    if not isinstance(data, list):
        return [], [Problem(Location(path, 1, 1), "", "a CSL JSON bibliography is a list of entries "
                            "([{\"id\": …}, …])")]
    lines = _id_lines(text)
    return _references(path, data, lambda index, key: lines.get(key, 0), "give it one (the citation key the "
                       "manuscript cites)")


def _references(path: str, data: list, line_of, no_key_fix: str) -> tuple[list[Reference], list[Problem]]:
    references: list[Reference] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            problems.append(Problem(Location(path, line_of(index, None)), "", f"entry {index + 1} has no citation "
                                    f"key: {no_key_fix}"))
            continue
        key = str(item["id"])
        where = Location(path, line_of(index, key))
        if key in seen:
            problems.append(Problem(where, key, f"duplicate citation key '{key}': give each entry its own id or "
                                    "delete the copy"))
            continue
        seen.add(key)
        if not _first_author(item):
            problems.append(Problem(where, key, f"entry '{key}' has neither author nor title: add at least one"))
        references.append(Reference(key=key, entry_type=str(item.get("type", "")), first_author=_first_author(item),
                                    year=_year(item), fields=MappingProxyType(_fields(item)), location=where))
    return references, problems


_RIS_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*))?$")


def _ris_records(path: str, text: str) -> tuple[list[int], list[Problem]]:
    """The line of each record's TY line; problems where a record is not opened or closed."""
    starts: list[int] = []
    problems: list[Problem] = []
    open_at = 0
    for number, line in enumerate(text.splitlines(), 1):
        match = _RIS_TAG.match(line.rstrip())
        if not match:
            continue
        tag = match.group(1)
        if tag == "TY":
            if open_at:
                problems.append(Problem(Location(path, open_at), "", "this record has no 'ER  - ' line before the "
                                        f"next record (line {number}): end each record with ER  - "))
            open_at = number
            starts.append(number)
        elif tag == "ER":
            if not open_at:
                problems.append(Problem(Location(path, number), "", "'ER  - ' without a record: each record starts "
                                        "with a TY  - line"))
            open_at = 0
        elif not open_at:
            problems.append(Problem(Location(path, number), "", f"'{tag}' line outside a record: each record "
                                    "starts with a TY  - line and ends with ER  - "))
    if open_at:
        problems.append(Problem(Location(path, open_at), "", "the last record has no 'ER  - ' line: end it with "
                                "ER  - "))
    return starts, problems


def scan_ris(path: str, text: str) -> tuple[list[Reference], list[Problem]]:
    """Find the entries of one RIS file, keyed as pandoc keys them."""
    from charter.compile.pandoc import CompileError, ris_to_csl_json

    starts, problems = _ris_records(path, text)
    if problems:
        return [], problems
    try:
        converted = ris_to_csl_json(text)
    except CompileError as error:
        return [], [Problem(Location(path), "", str(error))]
    data = json.loads(converted)
    # pandoc keeps the records in file order: the n-th entry is the record of the n-th TY line
    return _references(path, data, lambda index, key: starts[index] if index < len(starts) else 0,
                       "it has neither author nor year for pandoc to make one: add an 'ID  - key' line")
