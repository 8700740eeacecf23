"""Compute every count the review reports, from the data, in one place.

The manuscript's placeholders (``{{ n.included }}``), the number check of
``invoke check`` and ``invoke counts`` all read the mapping returned here, so
the text and the checker can never disagree about a number.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from charter.model import Prisma, Project, Review, Study
from charter.wording import with_article, strip_trailing

NUMERIC_TYPES = ("integer", "number")


@dataclass(frozen=True)
class Count:
    """A named count: its value (``None`` = not reported) and what it counts, in words."""

    name: str  # placeholder name without the "n." prefix, e.g. "theme.a"
    value: int | float | None  # float only for a median of an even number of values (12.5) or a number field
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
    ``prisma.dbr_excluded_reason.<slug>``). Values a study does not report:
    ``orientation.not_reported``, ``country.not_reported``,
    ``<choice field>.not_reported``. Review questions: ``questions``,
    ``question.<key>``. Numbers: ``samples``, ``participants.<statistic>`` and
    ``<number field>.<statistic>`` with statistic one of total, median, min,
    max, reported, not_reported. Insertion order is the order a person reads
    them in ``invoke counts``.
    """
    review, studies = project.review, project.studies
    return {count.name: count for count in (
        *_study_counts(review, studies), *_country_counts(review, studies), *_keyword_counts(studies),
        *_field_value_counts(review, studies), *_number_field_counts(review, studies), *_prisma_counts(review.prisma))}


def _study_counts(review: Review, studies: Sequence[Study]) -> list[Count]:
    """Included studies and reports, review questions, themes and sub-themes, design orientations."""
    counts = [Count("included", len(studies), "included studies"),
              Count("reports", sum(len(s.citation_keys) for s in studies), "reports (papers) of the included studies")]
    if review.questions:
        counts.append(Count("questions", len(review.questions), "review questions"))
        for question in review.questions:
            counts.append(Count(f"question.{question.key}", sum(question.key in s.questions for s in studies),
                                f"studies addressing question {question.key} ({question.name})"))
    if review.themes:
        counts.append(Count("themes", len(review.themes), "themes"))
    for theme in review.themes:
        counts.append(Count(f"theme.{theme.key}", sum(s.theme == theme.key for s in studies),
                            f"studies in theme ({theme.key}) {theme.label}"))
        for sub in theme.subthemes:
            counts.append(Count(f"subtheme.{theme.key}.{sub.key}",
                                sum(s.theme == theme.key and s.subtheme == sub.key for s in studies),
                                f"studies in sub-theme {sub.label}"))
    for term in review.orientations:
        counts.append(Count(f"orientation.{term.key}", sum(s.design.orientation == term.key for s in studies),
                            f"studies with {with_article(strip_trailing(term.label, 'design'))} design"))
    counts.append(Count("orientation.not_reported", sum(s.design.orientation is None for s in studies),
                        "studies not reporting their design orientation"))
    return counts


def _country_counts(review: Review, studies: Sequence[Study]) -> list[Count]:
    """Distinct countries, studies per country (each study once per country) and per country group."""
    by_country = Counter(c for s in studies for c in dict.fromkeys(s.countries))
    counts = [Count("countries", len(by_country), "distinct countries of the included studies")]
    counts += [Count(f"country.{slug(country)}", by_country[country], f"studies from {country}")
               for country in sorted(by_country)]
    counts.append(Count("country.not_reported", sum(not s.countries for s in studies),
                        "studies not reporting their country"))
    for group, members in review.country_groups.items():
        label = review.country_group_labels.get(group, group)
        counts.append(Count(f"country_group.{group}", sum(any(c in members for c in s.countries) for s in studies),
                            f"studies from {strip_trailing(label, 'countries')} countries"))  # "low-income countries" once
    return counts


def _keyword_counts(studies: Sequence[Study]) -> list[Count]:
    """Studies per keyword, keywords compared without case, named as first written."""
    by_keyword = Counter(k.casefold() for s in studies for k in dict.fromkeys(s.keywords))
    labels = {k.casefold(): k for s in studies for k in s.keywords}
    return [Count(f"keyword.{slug(keyword)}", by_keyword[keyword],
                  f'studies with "{labels[keyword]}" among their keywords') for keyword in sorted(by_keyword)]


def _field_value_counts(review: Review, studies: Sequence[Study]) -> list[Count]:
    """Studies per value of each declared choice or list field, and those not reporting it."""
    counts: list[Count] = []
    for extra in review.extra_fields:
        if extra.type not in ("choice", "list"):
            continue
        values: Counter = Counter()
        for s in studies:
            value = s.extra.get(extra.name)
            items = value if isinstance(value, (list, tuple)) else ([] if value is None else [value])
            values.update(list(dict.fromkeys(str(v) for v in items)))
        counts += [Count(f"{extra.name}.{slug(value)}", values[value], f"studies with {extra.label}: {value}")
                   for value in extra.choices or tuple(sorted(values))]
        counts.append(Count(f"{extra.name}.not_reported", sum(not s.extra.get(extra.name) for s in studies),
                            f"studies not reporting {extra.label}"))
    return counts


def _number_field_counts(review: Review, studies: Sequence[Study]) -> list[Count]:
    """Samples, then total/median/min/max/reported/not_reported of participants and each number field."""
    with_samples = [s for s in studies if s.participants.samples]
    counts = [Count("samples", sum(len(s.participants.samples) for s in with_samples),
                    "samples (arms, clusters) listed in the study files")]
    counts += _number_counts("participants", studies, lambda s: s.participants.n, {
        "total": "participants in all included studies (sum of reported n)",
        "median": "median number of participants per study (over the studies that report n)",
        "min": "fewest participants in a study (of those that report n)",
        "max": "most participants in a study",
        "reported": "studies reporting their number of participants (n)",
        "not_reported": "studies not reporting their number of participants (n)"}).values()
    for extra in review.extra_fields:
        if extra.type in NUMERIC_TYPES:
            counts += _number_counts(extra.name, studies, lambda s, name=extra.name: s.extra.get(name), {
                "total": f"{extra.label}: sum over the studies that report it",
                "median": f"{extra.label}: median per study (over the studies that report it)",
                "min": f"{extra.label}: smallest value in a study",
                "max": f"{extra.label}: largest value in a study",
                "reported": f"studies reporting {extra.label}",
                "not_reported": f"studies not reporting {extra.label}"}).values()
    return counts


def _prisma_counts(prisma: Prisma) -> list[Count]:
    """The search and screening numbers of review.yaml, by database and by full-text exclusion reason."""
    counts = [Count("databases", len(prisma.databases) or None, "databases searched"),
              Count("prisma.identified", prisma_identified(prisma), "records identified from databases")]
    counts += [Count(f"prisma.database.{slug(source.name)}", source.records, f"records from {source.name}")
               for source in prisma.databases]
    counts += [Count(f"prisma.{name}", getattr(prisma, name), meaning) for name, meaning in _PRISMA_BOXES]
    if prisma.studies_without_files is not None:
        counts.append(Count("prisma.studies_without_files", prisma.studies_without_files,
                            "included studies that have no study file (not in Table 1)"))
    counts += [Count(f"prisma.dbr_excluded_reason.{slug(reason.reason)}", reason.count,
                     f"full-text reports excluded: {reason.reason}") for reason in prisma.dbr_excluded_reasons]
    return counts


def median(values: Sequence[int | float]) -> int | float | None:
    """The median, as a whole number when it is one (12), else a float (12.5); None for no values."""
    if not values:
        return None
    middle = statistics.median(values)
    return int(middle) if float(middle).is_integer() else middle


def _number_counts(name: str, studies: Sequence[Study], value_of: Callable[[Study], object],
                   meanings: dict[str, str]) -> dict[str, Count]:
    """total, median, min, max, reported, not_reported of one number per study (None = not reported)."""
    values = [v for v in (value_of(s) for s in studies) if isinstance(v, (int, float))]
    statistics_ = {"total": sum(values) if values else None, "median": median(values),
                   "min": min(values) if values else None, "max": max(values) if values else None,
                   "reported": len(values), "not_reported": len(studies) - len(values)}
    return {f"{name}.{key}": Count(f"{name}.{key}", value, meanings[key]) for key, value in statistics_.items()}
