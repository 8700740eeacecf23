"""What changed in the review's data between two versions (``invoke changes``).

Studies added and removed, every study field that changed (file, field,
old → new), every count that changed (name, old → new, and the places in the
text that state it through a placeholder), the PRISMA numbers among them, and
the references added to or removed from the bibliography. Rendered as text,
as Markdown for a response letter, or as JSON for tools.

Pure functions over two loaded projects; the caller loads them.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from charter.document.counts import Count
from charter.model import Project


@dataclass(frozen=True)
class FieldChange:
    study: str  # study id
    path: str  # studies/<id>.yaml
    line: int  # in the new file (0 when unknown)
    field: str  # dotted field path
    old: object
    new: object


@dataclass(frozen=True)
class CountChange:
    name: str
    meaning: str
    old: object
    new: object
    places: tuple[str, ...]  # "manuscript/03-results.md:12" where a placeholder states it


@dataclass(frozen=True)
class DataChanges:
    old_label: str
    new_label: str
    studies_added: tuple[str, ...]
    studies_removed: tuple[str, ...]
    fields: tuple[FieldChange, ...]
    counts: tuple[CountChange, ...]
    references_added: tuple[str, ...]
    references_removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.studies_added or self.studies_removed or self.fields or self.counts
                    or self.references_added or self.references_removed)


_NOT_DATA = {"source", "positions", "id"}


def flatten(value, prefix: str = "") -> dict[str, object]:
    """A study (or any value of the model) as {dotted field path: plain value}; list items numbered from 0."""
    out: dict[str, object] = {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name in _NOT_DATA and not prefix:
                continue
            out.update(flatten(getattr(value, field.name), f"{prefix}{field.name}."))
    elif isinstance(value, Mapping):
        for key in sorted(value):
            out.update(flatten(value[key], f"{prefix}{key}."))
    elif isinstance(value, (tuple, list)):
        if not value:
            out[prefix.rstrip(".")] = []
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}{index}."))
    else:
        out[prefix.rstrip(".")] = value
    return out


def _field_name(path: str) -> str:
    # the model keeps a study's countries as a tuple; the file says `country`
    return re.sub(r"^countries\b", "country", path)


def compare(old: Project, new: Project, old_counts: Mapping[str, Count], new_counts: Mapping[str, Count],
            sections: Sequence[tuple[str, str]], old_label: str, new_label: str) -> DataChanges:
    """Everything that differs between the data of two versions; sections = the new text as (path, text)."""
    old_studies = {s.id: s for s in old.studies}
    new_studies = {s.id: s for s in new.studies}
    fields: list[FieldChange] = []
    for study_id in sorted(set(old_studies) & set(new_studies)):
        before, after = flatten(old_studies[study_id]), flatten(new_studies[study_id])
        study = new_studies[study_id]
        for path in sorted(set(before) | set(after), key=_natural):
            if before.get(path) != after.get(path):
                name = _field_name(path)
                where = study.positions.get(name) or study.positions.get(name.split(".")[0])
                fields.append(FieldChange(study_id, study.source.path, where.line if where else 0, name,
                                          before.get(path), after.get(path)))
    counts = []
    for name in sorted(set(old_counts) | set(new_counts), key=_natural):
        before, after = old_counts.get(name), new_counts.get(name)
        old_value = before.value if before else None
        new_value = after.value if after else None
        if old_value != new_value or (before is None) != (after is None):
            meaning = (after or before).meaning
            counts.append(CountChange(name, meaning, old_value if before else "(no such count)",
                                      new_value if after else "(no such count)", tuple(_places(name, sections))))
    old_refs, new_refs = set(old.bibliography.references), set(new.bibliography.references)
    return DataChanges(old_label, new_label,
                       tuple(sorted(set(new_studies) - set(old_studies))),
                       tuple(sorted(set(old_studies) - set(new_studies))),
                       tuple(fields), tuple(counts),
                       tuple(sorted(new_refs - old_refs)), tuple(sorted(old_refs - new_refs)))


def _natural(text: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _places(name: str, sections: Sequence[tuple[str, str]]) -> list[str]:
    pattern = re.compile(r"\{\{\s*n\." + re.escape(name) + r"\s*(\||\}\})")
    places = []
    for path, text in sections:
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                places.append(f"{path}:{number}")
    return places


# ------------------------------------------------------------------ rendering


def _value(value) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, (list, tuple)) and not value:
        return "(empty)"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def as_text(changes: DataChanges) -> str:
    lines = [f"Changes in the data from {changes.old_label} to {changes.new_label}"]
    if changes.empty:
        return lines[0] + ": none\n"
    if changes.studies_added:
        lines.append(f"studies added ({len(changes.studies_added)}): {', '.join(changes.studies_added)}")
    if changes.studies_removed:
        lines.append(f"studies removed ({len(changes.studies_removed)}): {', '.join(changes.studies_removed)}")
    for change in changes.fields:
        where = f"{change.path}:{change.line}" if change.line else change.path
        lines.append(f"{where}: {change.field}: {_value(change.old)} → {_value(change.new)}")
    for change in changes.counts:
        stated = f" (stated at {', '.join(change.places)})" if change.places else ""
        lines.append(f"n.{change.name} ({change.meaning}): {_value(change.old)} → {_value(change.new)}{stated}")
    if changes.references_added:
        lines.append(f"references added: {', '.join(changes.references_added)}")
    if changes.references_removed:
        lines.append(f"references removed: {', '.join(changes.references_removed)}")
    return "\n".join(lines) + "\n"


def as_markdown(changes: DataChanges) -> str:
    """For a response letter: one section per kind of change."""
    out = [f"## Changes in the data ({changes.old_label} → {changes.new_label})", ""]
    if changes.empty:
        return "\n".join(out + ["No change in the studies, counts or references.", ""])
    if changes.studies_added or changes.studies_removed:
        out += ["### Included studies", ""]
        out += [f"- Added: [@{key}]" for key in changes.studies_added]
        out += [f"- Removed: {key}" for key in changes.studies_removed]
        out.append("")
    if changes.fields:
        out += ["### Study data", "", "| study | field | before | after |", "|---|---|---|---|"]
        out += [f"| {c.study} | {c.field} | {_cell(c.old)} | {_cell(c.new)} |" for c in changes.fields]
        out.append("")
    if changes.counts:
        out += ["### Counts", "", "| count | before | after |", "|---|---|---|"]
        out += [f"| {_cell(c.meaning)} | {_cell(c.old)} | {_cell(c.new)} |" for c in changes.counts]
        out.append("")
    if changes.references_added or changes.references_removed:
        out += ["### References", ""]
        out += [f"- Added: {key}" for key in changes.references_added]
        out += [f"- Removed: {key}" for key in changes.references_removed]
        out.append("")
    return "\n".join(out)


def _cell(value) -> str:
    return _value(value).replace("|", "\\|").replace("\n", " ")


def as_json(changes: DataChanges) -> str:
    return json.dumps(dataclasses.asdict(changes), ensure_ascii=False, indent=1, default=list) + "\n"


RENDERERS = {"text": as_text, "markdown": as_markdown, "json": as_json}
