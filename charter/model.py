"""The review as plain, typed, immutable data.

Everything after loading reads these classes and never touches YAML. Numbers
the authors do not know are ``None`` (rendered "not reported"), never a guess.
Field names of the PRISMA data follow the PRISMA 2020 vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

EMPTY: Mapping = MappingProxyType({})


def _empty() -> Mapping:
    # Python 3.11's dataclasses refuse an unhashable default such as a mappingproxy
    # ("mutable default ... use default_factory"); 3.12 made mappingproxy hashable.
    return EMPTY


@dataclass(frozen=True)
class Location:
    """Where a value was written: file path (relative to the project), 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        if not self.column:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the project, with its place and what to do."""

    location: Location
    field: str  # dotted path of the field, e.g. "design.orientation"; "" for the whole file
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"


# --------------------------------------------------------------------- studies

# The study fields a review may require or not (``required_fields`` in review.yaml); all by default.
# A required field must be present in every study file; its value may still be null (= not reported).
REQUIRABLE_FIELDS = ("country", "design", "research_question", "participants", "findings", "validity", "keywords")


# A value the study does not report is None everywhere below ("not reported" in Table 1).


@dataclass(frozen=True)
class Design:
    orientation: str | None  # a key of the review's orientation vocabulary
    method: str | None  # free text: what the study did


@dataclass(frozen=True)
class Sample:
    """One sample, arm or cluster of a study's participants."""

    description: str | None
    n: int | None = None


@dataclass(frozen=True)
class Participants:
    description: str | None
    n: int | None = None  # the study's total: as typed, or the sum of the samples when every sample reports n
    samples: tuple[Sample, ...] = ()

    @property
    def samples_known(self) -> int | None:
        """The sum of the samples' n that are reported (None when no sample reports n)."""
        known = [s.n for s in self.samples if s.n is not None]
        return sum(known) if known else None


@dataclass(frozen=True)
class Validity:
    internal: str | None
    external: str | None


@dataclass(frozen=True)
class Study:
    """One included study, from ``studies/<id>.yaml``."""

    id: str  # file stem; also the citation key of its main report
    theme: str | None  # key of a Theme in the review (None when the review has no themes)
    subtheme: str | None
    countries: tuple[str, ...]  # as written; a single `country:` becomes a 1-tuple; () = not reported
    design: Design
    research_question: str | None
    participants: Participants
    findings: tuple[str, ...]  # () = not reported
    validity: Validity | None
    keywords: tuple[str, ...]
    questions: tuple[str, ...] = ()  # keys of the review questions the study addresses
    reports: tuple[str, ...] = ()  # citation keys of further reports (papers) of the same study
    extra: Mapping[str, object] = field(default_factory=_empty)  # fields declared by the review in review.yaml
    source: Location = Location("")  # the file
    # dotted field path -> where its value is written; used by messages and by `invoke review`
    positions: Mapping[str, Location] = field(default_factory=_empty)

    @property
    def citation_keys(self) -> tuple[str, ...]:
        return (self.id, *self.reports)


# ---------------------------------------------------------------------- review


@dataclass(frozen=True)
class Subtheme:
    key: str
    label: str


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    order: int
    subthemes: tuple[Subtheme, ...] = ()


@dataclass(frozen=True)
class Term:
    """One allowed value of a vocabulary: its key (used in study files) and display label."""

    key: str
    label: str
    abbreviation: str | None = None  # shown in Table 1 and explained in the table note


@dataclass(frozen=True)
class Question:
    """A review question (or scope); studies name the questions they address by key."""

    key: str
    label: str
    short: str | None = None  # a short form for headings and count meanings

    @property
    def name(self) -> str:
        return self.short or self.label


@dataclass(frozen=True)
class ExtraField:
    """A per-study field a review declares for itself in review.yaml."""

    name: str
    label: str
    type: str  # "text", "integer", "number", "choice", "list"
    required: bool = False
    choices: tuple[str, ...] = ()  # for "choice" (and the items of a "list" when given)


@dataclass(frozen=True)
class Source:
    """A database, register or other source searched, with the records it gave."""

    name: str
    records: int | None = None


@dataclass(frozen=True)
class ExclusionReason:
    reason: str
    count: int | None = None


@dataclass(frozen=True)
class Search:
    databases: tuple[str, ...] = ()
    date_from: str | None = None  # as written, e.g. "2000-01"
    date_to: str | None = None
    last_search: str | None = None
    languages: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prisma:
    """PRISMA 2020 flow data. ``None`` = not reported.

    ``dbr_*``: identification via databases and registers; ``other_*``: via
    other methods (websites, organisations, citation searching). ``previous_*``:
    studies and reports of a previous version of the review, if any.
    """

    databases: tuple[Source, ...] = ()
    registers: tuple[Source, ...] = ()
    database_records: int | None = None  # total over databases, when per-database numbers are unknown
    register_records: int | None = None
    duplicates: int | None = None
    excluded_automatic: int | None = None
    excluded_other: int | None = None
    records_screened: int | None = None
    records_excluded: int | None = None
    dbr_sought_reports: int | None = None
    dbr_notretrieved_reports: int | None = None
    dbr_assessed: int | None = None
    dbr_excluded: int | None = None  # total; reasons below may not be counted individually
    dbr_excluded_reasons: tuple[ExclusionReason, ...] = ()
    other_sources: tuple[Source, ...] = ()
    other_sought_reports: int | None = None
    other_notretrieved_reports: int | None = None
    other_assessed: int | None = None
    other_excluded: int | None = None
    other_excluded_reasons: tuple[ExclusionReason, ...] = ()
    previous_studies: int | None = None
    previous_reports: int | None = None
    new_studies: int | None = None
    new_reports: int | None = None
    total_studies: int | None = None
    total_reports: int | None = None
    # included studies with no study file (e.g. they answer only a question Table 1 does not show)
    studies_without_files: int | None = None
    positions: Mapping[str, Location] = field(default_factory=_empty)


@dataclass(frozen=True)
class Column:
    """A Table 1 column: which study field it shows and its heading."""

    field: str  # "study", "research_question", "participants", "findings", "design", "validity", or an extra field
    heading: str
    width: float | None = None  # relative width; None = share equally


@dataclass(frozen=True)
class Review:
    """``review.yaml``: what the review is and how its data is described."""

    title: str
    question: str
    review_type: str  # "scoping" or "systematic"
    themes: tuple[Theme, ...]
    orientations: tuple[Term, ...]  # the design vocabulary
    country_groups: Mapping[str, tuple[str, ...]]  # group key -> countries
    country_group_labels: Mapping[str, str]
    extra_fields: tuple[ExtraField, ...]
    search: Search
    prisma: Prisma
    table_columns: tuple[Column, ...]
    table_caption: str = ""
    table_note: str = ""
    questions: tuple[Question, ...] = ()
    required_fields: tuple[str, ...] = REQUIRABLE_FIELDS  # must be present in study files (present may be null)
    table_questions: tuple[str, ...] = ()  # Table 1 shows only studies of these questions (() = all)
    table_group_by: str = "theme"  # "theme", "question" or "none"
    table_study_label: str = "author-year"  # "author-year" or "citation"
    checklist: Mapping[str, str] = field(default_factory=_empty)  # checklist item -> where it is reported
    source: Location = Location("review.yaml")
    positions: Mapping[str, Location] = field(default_factory=_empty)

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

# ---------------------------------------------------------------- bibliography


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, read enough to sort Table 1 and check keys."""

    key: str
    entry_type: str
    first_author: str  # family name of the first author (or editor, or title when neither)
    year: str  # as written ("2017", "n.d." when missing)
    fields: Mapping[str, str] = field(default_factory=_empty)
    location: Location = Location("")


@dataclass(frozen=True)
class Bibliography:
    references: Mapping[str, Reference] = field(default_factory=_empty)
    files: tuple[str, ...] = ()  # the bib files, relative paths, in load order


# --------------------------------------------------------------------- project


@dataclass(frozen=True)
class Project:
    """Everything a build reads, loaded and validated."""

    root: str  # absolute path of the project folder
    review: Review
    studies: tuple[Study, ...]  # sorted by id
    bibliography: Bibliography
    problems: tuple[Problem, ...] = field(default=())

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class Section:
    """One manuscript section file as read (manuscript/*.md): its project-relative path and text."""

    path: str
    text: str
