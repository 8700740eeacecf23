"""The review.yaml blocks the manuscript relies on: a text that uses them needs them written.

Without a ``prisma:`` block every PRISMA count is "not reported" and Figure 1
reads "searched not reported databases"; without a ``table:`` block (its
columns) Table 1 is empty while the text still says "Table 1 gives…". Both are
the author's oversight, never a choice, so both are errors at the first place
the text relies on the block. ``charter.compile.build.check_before_pandoc`` runs this
for ``invoke build`` and ``invoke check`` alike.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from charter.model import Location, Problem, Review

_PRISMA_PLACEHOLDER_RE = re.compile(r"\{\{\s*n\.(?:prisma\.[\w.\-]+|databases)\b[^}\n]*\}\}")
_TABLE_USE_RE = re.compile(r"^[ \t]*\{\{\s*table:studies\s*\}\}[ \t]*$|(?<![\w@])@(?:\{tbl-studies\}|tbl-studies\b)",
                           re.M)
_FIGURE_USE_RE = re.compile(r"^[ \t]*\{\{\s*figure:prisma\s*\}\}[ \t]*$", re.M)


def _first_use(texts: Iterable[tuple[str, str, int]], pattern: re.Pattern) -> tuple[Location, str] | None:
    for path, text, first_line in texts:
        match = pattern.search(text)
        if match:
            return Location(path, first_line + text.count("\n", 0, match.start())), match.group().strip()
    return None


def check_relied_on_blocks(review: Review, texts: Sequence[tuple[str, str, int]]) -> list[Problem]:
    """Errors for a prisma: or table: block the texts (path, text, first line) rely on but review.yaml lacks."""
    problems: list[Problem] = []
    if not review.positions:
        return problems  # review.yaml could not be read: its own error says so
    if "prisma" not in review.positions:
        use = _first_use(texts, _FIGURE_USE_RE) or _first_use(texts, _PRISMA_PLACEHOLDER_RE)
        if use is not None:
            where, written = use
            problems.append(Problem(where, "", f"'{written}' needs the search and screening numbers, but "
                                    "review.yaml has no prisma: block (every number would read 'not reported'); "
                                    "add the prisma: block to review.yaml (docs/format.md; null for a number "
                                    "you do not know)"))
    if not review.table_columns:
        use = _first_use(texts, _TABLE_USE_RE)
        if use is not None:
            where, written = use
            what = "has no table: block" if "table" not in review.positions else "has no columns under table:"
            problems.append(Problem(where, "", f"'{written}' needs Table 1, but review.yaml {what}; add "
                                    "table: with its caption and columns to review.yaml (docs/format.md), or "
                                    "remove the placement and the references to it"))
    return problems
