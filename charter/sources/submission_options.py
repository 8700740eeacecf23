"""The journal's requirements as written once, under ``submission:`` in manuscript/metadata.yaml.

Read with the rest of the metadata (``charter.sources.metadata``) and checked at file:line;
``invoke submit`` (``charter.submission``) applies them, with the command line on top
(``with_overrides``). See docs/submission.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from charter.model import Location

FLOATS = ("inline", "end", "separate")
FIGURE_FORMATS = ("png", "tiff", "pdf", "svg")
SPACINGS = (1.0, 1.5, 2.0)
LIMITS = ("abstract", "main")
_FIELDS = {"line_numbers": False, "spacing": False, "floats": False, "figure_format": False, "figure_ppi": False,
           "word_limits": False, "blind": False, "number_tables": False, "number_references": False,
           "count_headings": False, "float_marker": False}


@dataclass(frozen=True)
class SubmissionOptions:
    """What the journal asks for (metadata.yaml ``submission:``; the command line may override)."""

    line_numbers: bool = True
    spacing: float = 2.0
    floats: str = "inline"
    figure_format: str = "png"
    figure_ppi: int = 300
    word_limits: Mapping[str, int] = field(default_factory=dict)  # "abstract"/"main" -> words
    blind: bool = False
    number_tables: bool = False
    number_references: bool = True
    count_headings: bool = False
    float_marker: str = "[{label} about here]"  # the paragraph left where a table or figure was
    positions: Mapping[str, Location] = field(default_factory=dict)  # option -> where it is written


def parse_options(reader, node) -> SubmissionOptions | None:
    """The ``submission:`` block, checked; mistakes go to ``reader.problems`` with file:line."""
    if node is None or reader.is_null(node):
        return None
    fields = reader.mapping(node, "submission", _FIELDS, what="the submission options")
    values: dict = {}
    for name in ("line_numbers", "blind", "number_tables", "number_references", "count_headings"):
        if name in fields:
            value = reader.boolean(fields[name], f"submission.{name}")
            if value is not None:
                values[name] = value
    if "spacing" in fields:
        spacing = reader.number(fields["spacing"], "submission.spacing")
        if spacing is not None and float(spacing) not in SPACINGS:
            reader.error(fields["spacing"], "submission.spacing", f"expected 1, 1.5 or 2 (line spacing) but got "
                         f"{spacing}")
        elif spacing is not None:
            values["spacing"] = float(spacing)
    for name, allowed in (("floats", FLOATS), ("figure_format", FIGURE_FORMATS)):
        if name in fields:
            value = reader.text(fields[name], f"submission.{name}")
            if value is not None and value.lower() not in allowed:
                more = ""
                reader.error(fields[name], f"submission.{name}",
                             f"expected {' or '.join(allowed)} but got '{value}'{more}")
            elif value is not None:
                values[name] = value.lower()
    if "float_marker" in fields:
        marker = reader.text(fields["float_marker"], "submission.float_marker")
        if marker is not None and "{label}" not in marker:
            reader.error(fields["float_marker"], "submission.float_marker",
                         "the marker must hold {label}, where 'Table 1' or 'Figure 1' goes, "
                         "e.g. '[{label} about here]'")
        elif marker is not None:
            values["float_marker"] = marker
    if "figure_ppi" in fields:
        ppi = reader.integer(fields["figure_ppi"], "submission.figure_ppi", nullable=False)
        if ppi is not None and not 72 <= ppi <= 1200:
            reader.error(fields["figure_ppi"], "submission.figure_ppi",
                         f"expected a resolution between 72 and 1200 pixels per inch but got {ppi}; "
                         "journals usually ask for 300 to 600")
        elif ppi is not None:
            values["figure_ppi"] = ppi
    if "word_limits" in fields:
        limits = reader.mapping(fields["word_limits"], "submission.word_limits", dict.fromkeys(LIMITS, False),
                                what="word limits (abstract: N, main: N)")
        values["word_limits"] = MappingProxyType({
            name: number for name, limit in limits.items()
            if (number := reader.integer(limit, f"submission.word_limits.{name}", nullable=False)) is not None})
    positions = {key.removeprefix("submission."): where for key, where in reader.positions.items()
                 if key.startswith("submission")}
    return SubmissionOptions(**values, positions=MappingProxyType(positions))


def with_overrides(options: SubmissionOptions | None, **overrides) -> SubmissionOptions:
    """The options from metadata.yaml with the command line's (those not None) on top; ValueError names a bad one."""
    if overrides.get("spacing") is not None and float(overrides["spacing"]) not in SPACINGS:
        raise ValueError(f"--spacing {overrides['spacing']}: use 1, 1.5 or 2")
    if overrides.get("figure_format") is not None and overrides["figure_format"] not in FIGURE_FORMATS:
        raise ValueError(f"--figure-format {overrides['figure_format']}: use png, tiff, pdf or svg")
    if overrides.get("floats") is not None and overrides["floats"] not in FLOATS:
        raise ValueError(f"--floats {overrides['floats']}: use inline, end or separate")
    if overrides.get("figure_ppi") is not None and not 72 <= int(overrides["figure_ppi"]) <= 1200:
        raise ValueError(f"--figure-ppi {overrides['figure_ppi']}: use a resolution between 72 and 1200")
    return replace(options or SubmissionOptions(), **{k: v for k, v in overrides.items() if v is not None})
