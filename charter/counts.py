"""Compute every count the review reports, from the data, in one place.

The manuscript's placeholders (``{{ n.included }}``), the number check of
``invoke check`` and ``invoke counts`` all read the mapping returned here, so
the text and the checker can never disagree about a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .model import Project, Prisma


@dataclass(frozen=True)
class Count:
    """A named count: its value (``None`` = not reported) and what it counts, in words."""

    name: str  # placeholder name without the "n." prefix, e.g. "theme.a"
    value: int | None
    meaning: str  # e.g. "studies in theme (a) Associations between mental health and social support"


def slug(text: str) -> str:
    """Turn a label into a placeholder-safe name: "Social support" -> "social_support"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


_PRISMA_BOXES = (
    ("database_records", "records identified from databases"),
    ("register_records", "records identified from registers"),
    ("duplicates", "duplicate records removed before screening"),
    ("excluded_automatic", "records marked as ineligible by automation tools"),
    ("excluded_other", "records removed for other reasons before screening"),
    ("records_screened", "records screened"),
    ("records_excluded", "records excluded after screening"),
    ("dbr_sought_reports", "reports sought for retrieval"),
    ("dbr_notretrieved_reports", "reports not retrieved"),
    ("dbr_assessed", "full-text reports assessed for eligibility"),
    ("dbr_excluded", "full-text reports excluded"),
    ("other_sought_reports", "reports sought for retrieval from other sources"),
    ("other_notretrieved_reports", "reports from other sources not retrieved"),
    ("other_assessed", "reports from other sources assessed for eligibility"),
    ("other_excluded", "reports from other sources excluded"),
    ("previous_studies", "studies included in the previous version of the review"),
    ("previous_reports", "reports of studies included in the previous version"),
    ("new_studies", "new studies included"),
    ("new_reports", "reports of new included studies"),
    ("total_studies", "studies included in the review (PRISMA)"),
    ("total_reports", "reports of included studies (PRISMA)"),
)


def prisma_identified(prisma: Prisma) -> int | None:
    """Records identified from databases: the stated total, else the sum per database when all are known."""
    if prisma.database_records is not None:
        return prisma.database_records
    numbers = [s.records for s in prisma.databases]
    if numbers and all(n is not None for n in numbers):
        return sum(numbers)
    return None


def compute_counts(project: Project) -> dict[str, Count]:
    """Compute the counts the manuscript reports, keyed by placeholder name (without "n.").

    Names: ``included``, ``reports``, ``themes``, ``theme.<key>``,
    ``subtheme.<theme>.<key>``, ``orientation.<key>``, ``country.<slug>``,
    ``countries``, ``country_group.<key>``, ``keyword.<slug>``,
    ``<extra field>.<slug of value>``, ``databases``, and
    ``prisma.<PRISMA 2020 field>`` (plus ``prisma.database.<slug>``,
    ``prisma.dbr_excluded_reason.<slug>``). Insertion order is the order a
    person reads them in ``invoke counts``.
    """
    review, studies = project.review, project.studies
    counts: dict[str, Count] = {}

    def add(name: str, value: int | None, meaning: str) -> None:
        counts[name] = Count(name, value, meaning)

    add("included", len(studies), "included studies")
    add("reports", sum(len(s.citation_keys) for s in studies), "reports (papers) of the included studies")
    add("themes", len(review.themes), "themes")
    for theme in review.themes:
        add(f"theme.{theme.key}", sum(s.theme == theme.key for s in studies),
            f"studies in theme ({theme.key}) {theme.label}")
        for sub in theme.subthemes:
            add(f"subtheme.{theme.key}.{sub.key}",
                sum(s.theme == theme.key and s.subtheme == sub.key for s in studies),
                f"studies in sub-theme {sub.label}")
    for term in review.orientations:
        add(f"orientation.{term.key}", sum(s.design.orientation == term.key for s in studies),
            f"studies with a {term.label} design")

    by_country = Counter(c for s in studies for c in dict.fromkeys(s.countries))
    add("countries", len(by_country), "distinct countries of the included studies")
    for country in sorted(by_country):
        add(f"country.{slug(country)}", by_country[country], f"studies from {country}")
    for group, members in review.country_groups.items():
        label = review.country_group_labels.get(group, group)
        add(f"country_group.{group}", sum(any(c in members for c in s.countries) for s in studies),
            f"studies from {label} countries")

    by_keyword = Counter(k.casefold() for s in studies for k in dict.fromkeys(s.keywords))
    labels = {k.casefold(): k for s in studies for k in s.keywords}
    for keyword in sorted(by_keyword):
        add(f"keyword.{slug(keyword)}", by_keyword[keyword], f'studies with "{labels[keyword]}" among their keywords')

    for extra in review.extra_fields:
        if extra.type not in ("choice", "list"):
            continue
        values: Counter = Counter()
        for s in studies:
            value = s.extra.get(extra.name)
            items = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
            values.update(list(dict.fromkeys(str(v) for v in items)))
        for value in extra.choices or tuple(sorted(values)):
            add(f"{extra.name}.{slug(value)}", values[value], f"studies with {extra.label} {value}")

    prisma = review.prisma
    add("databases", len(prisma.databases) or None, "databases searched")
    add("prisma.identified", prisma_identified(prisma), "records identified from databases")
    for source in prisma.databases:
        add(f"prisma.database.{slug(source.name)}", source.records, f"records from {source.name}")
    for name, meaning in _PRISMA_BOXES:
        add(f"prisma.{name}", getattr(prisma, name), meaning)
    for reason in prisma.dbr_excluded_reasons:
        add(f"prisma.dbr_excluded_reason.{slug(reason.reason)}", reason.count,
            f"full-text reports excluded: {reason.reason}")
    return counts
