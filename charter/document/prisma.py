"""Check the PRISMA flow's arithmetic and draw the flow diagram (Figure 1).

The diagram is drawn once, in Typst: ``flow_typst`` returns a snippet the
build puts into the PDF (real, searchable vector text), and ``render_figure``
compiles the same snippet to SVG and a 300 ppi PNG for the DOCX and slides.
A box whose number is ``None`` reads "not reported"; nothing is ever guessed.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from charter.document.counts import prisma_identified
from charter.model import ExclusionReason, Location, Prisma, Problem, Review, Source
from charter.wording import counted, plural

NOT_REPORTED = "not reported"
PNG_PPI = 300

# ------------------------------------------------------------------ arithmetic


def _n(value: int | None) -> str:
    """Format a count as the diagram and the messages show it: 2,819 or "not reported"."""
    return NOT_REPORTED if value is None else f"{value:,}"


def _plural(value: int, one: str, many: str) -> str:
    return f"{_n(value)} {one if value == 1 else many}"


def _count(value: int | None, phrase: str) -> str:
    """'1 record screened', '2,819 records screened': the phrase is written in the plural."""
    return _n(value) + " " + phrase if value is None else counted(value, phrase)


def _where(prisma: Prisma, field: str) -> Location:
    """The place in review.yaml where a PRISMA field is written; the file when unknown."""
    return (prisma.positions.get(f"prisma.{field}")
            or prisma.positions.get(field)
            or Location("review.yaml"))


@dataclass(frozen=True)
class _Term:
    """One known number in an equation between boxes, with the words and field that name it."""

    value: int
    words: str  # e.g. "duplicates" -> "500 duplicates (prisma.duplicates)"
    field: str

    def __str__(self) -> str:
        return f"{_count(self.value, self.words)} (prisma.{self.field})"


def _expression(first: _Term, minus: tuple[_Term, ...] = (), plus: tuple[_Term, ...] = ()) -> tuple[str, int]:
    """Spell out first + plus - minus in words, with its value."""
    text = str(first) + "".join(f" plus {t}" for t in plus) + "".join(f" minus {t}" for t in minus)
    return text, first.value + sum(t.value for t in plus) - sum(t.value for t in minus)


_FIX = "correct whichever number is wrong so that the flow adds up"


def _mismatch(prisma: Prisma, field: str, stated: int, noun: str, because: str, computed: int,
              verb: str = "leaves") -> Problem:
    return Problem(_where(prisma, field), f"prisma.{field}",
                   f"says {_count(stated, noun)}, but {because} {verb} {_n(computed)}; {_FIX}")


def _all_known(*values: int | None) -> bool:
    return all(v is not None for v in values)


def _source_sum(sources: tuple[Source, ...]) -> int | None:
    numbers = [s.records for s in sources]
    return sum(numbers) if numbers and _all_known(*numbers) else None


def _reasons_sum(reasons: tuple[ExclusionReason, ...]) -> tuple[int, bool]:
    """Sum of the known counts per reason, and whether every reason's count is known."""
    return sum(r.count or 0 for r in reasons), all(r.count is not None for r in reasons)


def _has_other_methods(prisma: Prisma) -> bool:
    return bool(prisma.other_sources) or not all(v is None for v in (
        prisma.other_sought_reports, prisma.other_notretrieved_reports,
        prisma.other_assessed, prisma.other_excluded)) or bool(prisma.other_excluded_reasons)


def _has_previous_version(prisma: Prisma) -> bool:
    return prisma.previous_studies is not None or prisma.previous_reports is not None


def _check_source_totals(prisma: Prisma) -> list[Problem]:
    problems = []
    for total_field, sources_field, where in (("database_records", "databases", "databases"),
                                              ("register_records", "registers", "registers")):
        stated, summed = getattr(prisma, total_field), _source_sum(getattr(prisma, sources_field))
        if stated is not None and summed is not None and stated != summed:
            problems.append(Problem(
                _where(prisma, total_field), f"prisma.{total_field}",
                f"says {_count(stated, 'records')} identified from {where}, but the counts per "
                f"{where[:-1]} under prisma.{sources_field} add up to {_n(summed)}; "
                f"correct the total or the count of one {where[:-1]}"))
    return problems


def _identified_terms(prisma: Prisma) -> tuple[_Term, ...] | None:
    """Records identified from databases (and registers, when searched) as terms; None when unknown."""
    databases = prisma_identified(prisma)
    if databases is None:
        return None
    terms = (_Term(databases, "records identified from databases",
                   "database_records" if prisma.database_records is not None else "databases"),)
    if not prisma.registers and prisma.register_records is None:  # no registers searched
        return terms
    if prisma.register_records is not None:
        return (*terms, _Term(prisma.register_records, "records identified from registers", "register_records"))
    registers = _source_sum(prisma.registers)
    if registers is None:
        return None
    return (*terms, _Term(registers, "records identified from registers", "registers"))


def _check_removed_before_screening(prisma: Prisma) -> list[Problem]:
    identified = _identified_terms(prisma)
    removed = (prisma.duplicates, prisma.excluded_automatic, prisma.excluded_other)
    if identified is None or prisma.records_screened is None:
        return []
    if not _all_known(*removed):
        # removals unknown: screening can still not see more records than were identified
        because, computed = _expression(identified[0], plus=identified[1:])
        if prisma.records_screened > computed:
            return [Problem(_where(prisma, "records_screened"), "prisma.records_screened",
                            f"says {_count(prisma.records_screened, 'records screened')}, more than the {because}"
                            + (f" ({_n(computed)} in all)" if len(identified) > 1 else "") + f"; {_FIX}")]
        return []
    because, computed = _expression(
        identified[0], plus=identified[1:],
        minus=(_Term(prisma.duplicates, "duplicates", "duplicates"),
               _Term(prisma.excluded_automatic, "marked as ineligible by automation tools", "excluded_automatic"),
               _Term(prisma.excluded_other, "removed for other reasons", "excluded_other")))
    if computed == prisma.records_screened:
        return []
    return [_mismatch(prisma, "records_screened", prisma.records_screened, "records screened", because, computed)]


def _check_difference(prisma: Prisma, whole: tuple[str, str], part: tuple[str, str],
                      rest: tuple[str, str]) -> list[Problem]:
    """whole - part = rest, each (field, words); when rest is unknown, at least part <= whole."""
    (whole_field, whole_words), (part_field, part_words), (rest_field, rest_words) = whole, part, rest
    w, p, r = (getattr(prisma, f) for f in (whole_field, part_field, rest_field))
    if _all_known(w, p, r):
        because, computed = _expression(_Term(w, whole_words, whole_field), minus=(_Term(p, part_words, part_field),))
        if computed != r:
            return [_mismatch(prisma, rest_field, r, rest_words, because, computed)]
    elif _all_known(w, p) and p > w:
        return [Problem(_where(prisma, part_field), f"prisma.{part_field}",
                        f"says {_count(p, part_words)}, more than the {_count(w, whole_words)} "
                        f"(prisma.{whole_field}) they are part of; {_FIX}")]
    return []


def _check_reasons(prisma: Prisma, side: str) -> list[Problem]:
    total = getattr(prisma, f"{side}_excluded")
    reasons = getattr(prisma, f"{side}_excluded_reasons")
    if total is None or not reasons:
        return []
    summed, complete = _reasons_sum(reasons)
    if complete and summed != total:
        return [Problem(_where(prisma, f"{side}_excluded"), f"prisma.{side}_excluded",
                        f"says {_count(total, 'reports excluded')}, but the counts per reason under "
                        f"prisma.{side}_excluded_reasons add up to {_n(summed)}; "
                        f"correct the total or one reason's count")]
    if not complete and summed > total:
        return [Problem(_where(prisma, f"{side}_excluded"), f"prisma.{side}_excluded",
                        f"says {_count(total, 'reports excluded')}, but the known counts per reason under "
                        f"prisma.{side}_excluded_reasons already add up to {_n(summed)}; "
                        f"correct the total or one reason's count")]
    return []


def _check_excluded_within_assessed(prisma: Prisma, side: str, where: str) -> list[Problem]:
    assessed, excluded = getattr(prisma, f"{side}_assessed"), getattr(prisma, f"{side}_excluded")
    if not _all_known(assessed, excluded) or excluded <= assessed:
        return []
    return [Problem(_where(prisma, f"{side}_excluded"), f"prisma.{side}_excluded",
                    f"says {_count(excluded, 'reports excluded')}{where}, more than the {_count(assessed, 'reports')} "
                    f"assessed for eligibility{where} (prisma.{side}_assessed); {_FIX}")]


def _check_new_reports(prisma: Prisma) -> list[Problem]:
    # Compare reports with reports: a study can have several reports, so the
    # full texts left after exclusion are reports of new studies, not studies.
    if not _all_known(prisma.dbr_assessed, prisma.dbr_excluded, prisma.new_reports):
        return []
    dbr = (_Term(prisma.dbr_assessed, "reports assessed", "dbr_assessed"),
           (_Term(prisma.dbr_excluded, "reports excluded", "dbr_excluded"),))
    words = "reports of new included studies"
    if not _has_other_methods(prisma):
        because, computed = _expression(dbr[0], minus=dbr[1])
        if computed != prisma.new_reports:
            return [_mismatch(prisma, "new_reports", prisma.new_reports, words, because, computed)]
        return []
    if _all_known(prisma.other_assessed, prisma.other_excluded):
        because, computed = _expression(
            dbr[0], minus=(*dbr[1], _Term(prisma.other_excluded, "reports from other methods excluded",
                                          "other_excluded")),
            plus=(_Term(prisma.other_assessed, "reports from other methods assessed", "other_assessed"),))
        if computed != prisma.new_reports:
            return [_mismatch(prisma, "new_reports", prisma.new_reports, words, because, computed)]
        return []
    # Other methods found reports of unknown number: databases alone give a lower bound.
    because, computed = _expression(dbr[0], minus=dbr[1])
    if computed > prisma.new_reports:
        return [_mismatch(prisma, "new_reports", prisma.new_reports, words,
                          because + " from databases and registers alone", computed, verb="already leaves")]
    return []


def _check_studies_within_reports(prisma: Prisma) -> list[Problem]:
    problems = []
    for studies, reports, words in (("new_studies", "new_reports", "new studies"),
                                    ("total_studies", "total_reports", "included studies")):
        s, r = getattr(prisma, studies), getattr(prisma, reports)
        if _all_known(s, r) and s > r:
            problems.append(Problem(
                _where(prisma, studies), f"prisma.{studies}",
                f"says {_count(s, words)}, more than the {_count(r, 'reports')} of them (prisma.{reports}); "
                f"every study has at least one report: {_FIX}"))
    return problems


def _check_totals(prisma: Prisma) -> list[Problem]:
    problems = []
    previous = _has_previous_version(prisma)
    for kind in ("studies", "reports"):
        before, new, total = (getattr(prisma, f"{p}_{kind}") for p in ("previous", "new", "total"))
        if not _all_known(new, total):
            continue
        if not previous:
            if new != total:
                problems.append(Problem(
                    _where(prisma, f"total_{kind}"), f"prisma.total_{kind}",
                    f"says {_count(total, kind)} included in total, but prisma.new_{kind} says {_n(new)} "
                    f"and there is no previous version of the review (prisma.previous_{kind} is null); {_FIX}"))
        elif before is not None and before + new != total:
            because, computed = _expression(_Term(before, f"{kind} in the previous version", f"previous_{kind}"),
                                            plus=(_Term(new, f"new {kind}", f"new_{kind}"),))
            problems.append(_mismatch(prisma, f"total_{kind}", total, f"{kind} included in total",
                                      because, computed, verb="make"))
    return problems


def _check_study_files(prisma: Prisma, n_files: int) -> list[Problem]:
    files = f"studies/ has {_plural(n_files, 'study file', 'study files')}"
    fix = "correct the number or add/remove study files"
    without = prisma.studies_without_files or 0
    n_studies = n_files + without  # included studies = study files + those stated to have none
    if without:
        files += f" and prisma.studies_without_files says {_n(without)}: {_n(n_studies)} in all"
    if prisma.total_studies is not None:
        if prisma.total_studies > n_studies and not without:
            missing = prisma.total_studies - n_files
            return [Problem(_where(prisma, "total_studies"), "prisma.total_studies",
                            f"says {_count(prisma.total_studies, 'included studies')}, but {files}; if "
                            f"{plural(missing, 'included study')} {'has' if missing == 1 else 'have'} no study "
                            f"file (e.g. they answer only another review question), write studies_without_files: "
                            f"{missing} under prisma: in review.yaml; otherwise {fix}")]
        if prisma.total_studies != n_studies:
            return [Problem(_where(prisma, "total_studies"), "prisma.total_studies",
                            f"says {_count(prisma.total_studies, 'included studies')}, but {files}; "
                            + ("correct the number, the study files or prisma.studies_without_files" if without
                               else fix))]
        return []
    if not _has_previous_version(prisma) and prisma.new_studies is not None:
        if prisma.new_studies != n_studies:
            return [Problem(_where(prisma, "new_studies"), "prisma.new_studies",
                            f"says {_count(prisma.new_studies, 'included studies')} (there is no previous version), "
                            f"but {files}; {fix}")]
        return []
    if _all_known(prisma.previous_studies, prisma.new_studies):
        total = prisma.previous_studies + prisma.new_studies
        if total != n_studies:
            return [Problem(_where(prisma, "new_studies"), "prisma.new_studies",
                            f"says {_count(prisma.new_studies, 'new studies')}, which with the "
                            f"{_n(prisma.previous_studies)} of the previous version (prisma.previous_studies) "
                            f"make {_count(total, 'included studies')}, but {files}; {fix}")]
    return []


def check_arithmetic(prisma: Prisma, n_studies: int) -> list[Problem]:
    """Find every contradiction between PRISMA boxes whose numbers are known, and with the study files."""
    problems = _check_source_totals(prisma)
    problems += _check_removed_before_screening(prisma)
    problems += _check_difference(prisma, ("records_screened", "records screened"),
                                  ("records_excluded", "records excluded"),
                                  ("dbr_sought_reports", "reports sought for retrieval"))
    for side, where in (("dbr", ""), ("other", " from other methods")):
        problems += _check_difference(prisma, (f"{side}_sought_reports", f"reports sought for retrieval{where}"),
                                      (f"{side}_notretrieved_reports", f"reports not retrieved{where}"),
                                      (f"{side}_assessed", f"reports assessed for eligibility{where}"))
        problems += _check_reasons(prisma, side)
        problems += _check_excluded_within_assessed(prisma, side, where)
    problems += _check_new_reports(prisma)
    problems += _check_studies_within_reports(prisma)
    problems += _check_totals(prisma)
    problems += _check_study_files(prisma, n_studies)
    return problems


# --------------------------------------------------------------------- wording

# The words of each box: (PRISMA 2020, PRISMA-ScR). Scoping reviews speak of
# "sources of evidence" where PRISMA 2020 says studies or (full-text) reports
# (Tricco et al. 2018); records stay records.
WORDING: dict[str, tuple[str, str]] = {
    "header_dbr": ("Identification of studies via databases and registers",
                   "Identification of sources of evidence via databases and registers"),
    "header_dbr_new": ("Identification of new studies via databases and registers",
                       "Identification of new sources of evidence via databases and registers"),
    "header_other": ("Identification of studies via other methods",
                     "Identification of sources of evidence via other methods"),
    "header_other_new": ("Identification of new studies via other methods",
                         "Identification of new sources of evidence via other methods"),
    "header_previous": ("Previous studies", "Previous sources of evidence"),
    "phase_identification": ("Identification", "Identification"),
    "phase_screening": ("Screening", "Screening"),
    "phase_included": ("Included", "Included"),
    "identified_from": ("Records identified from:", "Records identified from:"),
    "databases": ("Databases", "Databases"),
    "registers": ("Registers", "Registers"),
    "removed_before": ("Records removed before screening:", "Records removed before screening:"),
    "duplicates": ("Duplicate records removed", "Duplicate records removed"),
    "excluded_automatic": ("Records marked as ineligible by automation tools",
                           "Records marked as ineligible by automation tools"),
    "excluded_other": ("Records removed for other reasons", "Records removed for other reasons"),
    "records_screened": ("Records screened", "Records screened"),
    "records_excluded": ("Records excluded", "Records excluded"),
    "sought": ("Reports sought for retrieval", "Full-text sources of evidence sought for retrieval"),
    "not_retrieved": ("Reports not retrieved", "Full-text sources of evidence not retrieved"),
    "assessed": ("Reports assessed for eligibility", "Full-text sources of evidence assessed for eligibility"),
    "excluded": ("Reports excluded", "Full-text sources of evidence excluded"),
    "previous_studies": ("Studies included in previous version of review",
                         "Sources of evidence included in previous version of review"),
    "previous_reports": ("Reports of studies included in previous version of review",
                         "Reports of sources of evidence included in previous version of review"),
    "new_studies": ("New studies included in review", "New sources of evidence included in review"),
    "new_reports": ("Reports of new included studies", "Reports of new included sources of evidence"),
    "total_studies": ("Total studies included in review", "Total sources of evidence included in review"),
    "total_reports": ("Reports of total included studies", "Reports of total included sources of evidence"),
    "studies": ("Studies included in review", "Sources of evidence included in review"),
    "reports": ("Reports of included studies", "Reports of included sources of evidence"),
}


def wording(key: str, review_type: str) -> str:
    """The words of one box part, in PRISMA-ScR wording for a scoping review."""
    return WORDING[key][1 if review_type == "scoping" else 0]


# ---------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Line:
    """One line of a box: words, count ("(n = 2,819)", kept on one line), indent level."""

    text: str
    count: str = ""
    indent: int = 0  # a per-database count sits under "Databases"


@dataclass(frozen=True)
class Box:
    """A box of the diagram on the layout grid: column (0 = phase labels), row, columns spanned."""

    id: str
    col: int
    row: int
    lines: tuple[Line, ...]
    kind: str = "box"  # "box", "header" (source column title), "header-grey"
    span: int = 1


@dataclass(frozen=True)
class Arrow:
    start: str  # box id
    end: str
    route: str  # "down", "right", "down-left" (down, then left into end), "down-right"


@dataclass(frozen=True)
class Phase:
    label: str
    first_row: int
    last_row: int


@dataclass(frozen=True)
class Flow:
    """The diagram as boxes on a grid: what `flow_typst` draws."""

    columns: tuple[float, ...]  # widths in pt; column 0 holds the phase labels
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    phases: tuple[Phase, ...]


def _count_line(label: str, value: int | None, indent: int = 0) -> Line:
    return Line(label, f"(n = {_n(value)})", indent)


def _excluded_lines(words: str, total: int | None, reasons: tuple[ExclusionReason, ...]) -> tuple[Line, ...]:
    if not reasons:
        return (_count_line(words, total),)
    return (Line(words, f"(n = {_n(total)}):"),
            *(_count_line(r.reason, r.count, 1) for r in reasons))


def flow_layout(review: Review, n_studies: int) -> Flow:
    """Place the PRISMA 2020 boxes of this review on a grid, with their words and numbers."""
    p, kind = review.prisma, review.review_type
    w = lambda key: wording(key, kind)  # noqa: E731 - a short local alias reads best here
    previous, other = _has_previous_version(p), _has_other_methods(p)

    # Columns: phase labels, [previous version], databases and registers (main, side), [other methods (main, side)]
    widths = [16.0]
    prev_col = len(widths) if previous else None
    if previous:
        widths.append(112.0)
    dbr = len(widths)
    wide = 150.0 if not (previous or other) else 128.0
    widths += [wide, wide]
    oth = len(widths) if other else None
    if other:
        widths += [124.0, 124.0]

    boxes: list[Box] = []
    arrows: list[Arrow] = []
    header_key = "_new" if previous else ""
    boxes.append(Box("header-dbr", dbr, 0, (Line(w("header_dbr" + header_key)),), "header", span=2))
    if other:
        boxes.append(Box("header-other", oth, 0, (Line(w("header_other" + header_key)),), "header-grey", span=2))
    if previous:
        boxes.append(Box("header-previous", prev_col, 0, (Line(w("header_previous")),), "header-grey"))
        boxes.append(Box("previous", prev_col, 1, (_count_line(w("previous_studies"), p.previous_studies),
                                                    _count_line(w("previous_reports"), p.previous_reports))))

    # Identification via databases and registers
    identified = [Line(w("identified_from")), _count_line(w("databases"), prisma_identified(p), 1)]
    if any(s.records is not None for s in p.databases):
        identified += [_count_line(s.name, s.records, 2) for s in p.databases]
    if p.registers or p.register_records is not None:
        registers = p.register_records if p.register_records is not None else _source_sum(p.registers)
        identified.append(_count_line(w("registers"), registers, 1))
        if any(s.records is not None for s in p.registers):
            identified += [_count_line(s.name, s.records, 2) for s in p.registers]
    boxes += [
        Box("identified", dbr, 1, tuple(identified)),
        Box("removed", dbr + 1, 1, (Line(w("removed_before")),
                                     _count_line(w("duplicates"), p.duplicates, 1),
                                     _count_line(w("excluded_automatic"), p.excluded_automatic, 1),
                                     _count_line(w("excluded_other"), p.excluded_other, 1))),
        Box("screened", dbr, 2, (_count_line(w("records_screened"), p.records_screened),)),
        Box("records-excluded", dbr + 1, 2, (_count_line(w("records_excluded"), p.records_excluded),)),
        Box("sought", dbr, 3, (_count_line(w("sought"), p.dbr_sought_reports),)),
        Box("not-retrieved", dbr + 1, 3, (_count_line(w("not_retrieved"), p.dbr_notretrieved_reports),)),
        Box("assessed", dbr, 4, (_count_line(w("assessed"), p.dbr_assessed),)),
        Box("excluded", dbr + 1, 4, _excluded_lines(w("excluded"), p.dbr_excluded, p.dbr_excluded_reasons)),
    ]
    arrows += [Arrow("identified", "removed", "right"), Arrow("identified", "screened", "down"),
               Arrow("screened", "records-excluded", "right"), Arrow("screened", "sought", "down"),
               Arrow("sought", "not-retrieved", "right"), Arrow("sought", "assessed", "down"),
               Arrow("assessed", "excluded", "right"), Arrow("assessed", "included", "down")]

    if other:
        boxes += [
            Box("other-identified", oth, 1, (Line(w("identified_from")),
                                             *(_count_line(s.name, s.records, 1) for s in p.other_sources))),
            Box("other-sought", oth, 3, (_count_line(w("sought"), p.other_sought_reports),)),
            Box("other-not-retrieved", oth + 1, 3,
                (_count_line(w("not_retrieved"), p.other_notretrieved_reports),)),
            Box("other-assessed", oth, 4, (_count_line(w("assessed"), p.other_assessed),)),
            Box("other-excluded", oth + 1, 4,
                _excluded_lines(w("excluded"), p.other_excluded, p.other_excluded_reasons)),
        ]
        arrows += [Arrow("other-identified", "other-sought", "down"),
                   Arrow("other-sought", "other-not-retrieved", "right"),
                   Arrow("other-sought", "other-assessed", "down"),
                   Arrow("other-assessed", "other-excluded", "right"),
                   Arrow("other-assessed", "included", "down-left")]

    # Included: the total shows the study files when the review does not state it
    total_studies = p.total_studies if p.total_studies is not None else n_studies
    if previous:
        boxes += [Box("included", dbr, 5, (_count_line(w("new_studies"), p.new_studies),
                                           _count_line(w("new_reports"), p.new_reports))),
                  Box("total", dbr, 6, (_count_line(w("total_studies"), total_studies),
                                        _count_line(w("total_reports"), p.total_reports)))]
        arrows += [Arrow("included", "total", "down"), Arrow("previous", "total", "down-right")]
    else:
        reports = p.total_reports if p.total_reports is not None else p.new_reports
        boxes.append(Box("included", dbr, 5, (_count_line(w("studies"), total_studies),
                                              _count_line(w("reports"), reports))))

    last = 6 if previous else 5
    phases = (Phase(w("phase_identification"), 1, 1), Phase(w("phase_screening"), 2, 4),
              Phase(w("phase_included"), 5, last))
    return Flow(tuple(widths), tuple(boxes), tuple(arrows), phases)


# ----------------------------------------------------------------------- typst

SANS_FONTS = ("Liberation Sans", "DejaVu Sans", "Arial", "Helvetica", "Noto Sans", "Open Sans")
FALLBACK_FONT = "Libertinus Serif"  # embedded in Typst itself, so always there

_LONG_WORD = 22  # characters; a longer unbroken word gets break opportunities


def typst_string(text: str) -> str:
    """Quote text as a Typst string literal, so it renders literally and never as markup."""
    out = []
    for char in text:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


_UNBREAKABLE = re.compile(rf"[^\s/\-_.]{{{_LONG_WORD + 1},}}")


def _breakable(text: str) -> str:
    """Let an overlong word wrap instead of overflowing its box (Typst breaks a URL at "/" by itself)."""
    return _UNBREAKABLE.sub(lambda m: "\u200b".join(m[0][i:i + 12] for i in range(0, len(m[0]), 12)), text)


def _typst_value(value: object) -> str:
    if isinstance(value, str):
        return typst_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}: {_typst_value(v)}" for k, v in value.items()) + ",)" if value else "(:)"
    if isinstance(value, (list, tuple)):
        return "(" + "".join(f"{_typst_value(v)}, " for v in value) + ")"
    raise TypeError(f"cannot write {type(value).__name__} as Typst")


# The drawing: measure every box at its width, give each grid row the height
# of its tallest box, centre the boxes in their row, then place boxes, arrows
# and phase labels absolutely. All lengths are in pt. Scaled down to fit when
# wider than the space it is put in (a narrow text column).
_ENGINE = r"""
  let pt = 1pt
  let style(body, weight: "regular", align-to: left) = {
    set text(font: font, size: 8.5pt, weight: weight, hyphenate: false, fill: black)
    set par(justify: false, leading: 0.45em, first-line-indent: 0pt, hanging-indent: 0pt, spacing: 0.45em)
    set align(align-to)
    body
  }
  let content-of(b) = {
    let header = b.kind != "box"
    style(weight: if header { "bold" } else { "regular" }, align-to: if header { center } else { left },
      stack(spacing: 0.4em, ..b.lines.map(((words, count, indent)) => pad(left: indent * 0.9em,
        if count == "" { words } else { words + " " + box(count) }))))
  }
  let xs = ()
  let x = 0.0
  for (i, w) in columns.enumerate() {
    xs.push(x)
    x += w + if i == 0 { 6.0 } else { gap-x }
  }
  let total-width = xs.last() + columns.last()
  let width-of(b) = range(b.col, b.col + b.span).map(i => columns.at(i)).sum() + (b.span - 1) * gap-x
  layout(space => {
    let heights = boxes.map(b => measure(
      block(width: width-of(b) * pt, inset: inset * pt, content-of(b))).height / pt)
    let rows = calc.max(..boxes.map(b => b.row)) + 1
    let row-heights = range(rows).map(r => calc.max(0.0, ..boxes.enumerate()
      .filter(((i, b)) => b.row == r).map(((i, b)) => heights.at(i))))
    // a phase's rows must be at least as tall as its rotated label is long
    for phase in phases {
      let needed = measure(style(weight: "bold", phase.label)).width / pt + 2 * inset
      let rows-of = range(phase.first, phase.last + 1)
      let have = rows-of.map(r => row-heights.at(r)).sum() + (rows-of.len() - 1) * gap-y
      if have < needed { row-heights.at(phase.last) += needed - have }
    }
    let ys = ()
    let y = 0.0
    for h in row-heights {
      ys.push(y)
      y += h + gap-y
    }
    let total-height = ys.last() + row-heights.last()
    let rects = (:)
    for (i, b) in boxes.enumerate() {
      rects.insert(b.id, (x: xs.at(b.col), y: ys.at(b.row) + (row-heights.at(b.row) - heights.at(i)) / 2,
                          w: width-of(b), h: heights.at(i)))
    }
    let segment(a, b) = place(top + left, line(start: (a.at(0) * pt, a.at(1) * pt),
                                               end: (b.at(0) * pt, b.at(1) * pt), stroke: 0.7pt))
    let head(tip, direction) = {
      let (x, y) = tip
      let (l, s) = (6.0, 3.0)
      let points = if direction == "down" { ((x - s, y - l), (x + s, y - l), (x, y)) }
        else if direction == "right" { ((x - l, y - s), (x - l, y + s), (x, y)) }
        else { ((x + l, y - s), (x + l, y + s), (x, y)) }
      place(top + left, polygon(fill: black, stroke: none, ..points.map(p => (p.at(0) * pt, p.at(1) * pt))))
    }
    let drawing = box(width: total-width * pt, height: total-height * pt, {
      for phase in phases {
        let y0 = ys.at(phase.first)
        let height = ys.at(phase.last) + row-heights.at(phase.last) - y0
        place(top + left, dx: 0pt, dy: y0 * pt, block(width: columns.at(0) * pt, height: height * pt,
          fill: rgb("#c5dbef"), radius: 3pt,
          align(center + horizon, rotate(-90deg, reflow: true, style(weight: "bold", phase.label)))))
      }
      for (i, b) in boxes.enumerate() {
        let r = rects.at(b.id)
        let fill = if b.kind == "header" { rgb("#fbe3a0") } else if b.kind == "header-grey" { luma(224) } else { white }
        place(top + left, dx: r.x * pt, dy: r.y * pt, block(width: r.w * pt, height: r.h * pt,
          inset: inset * pt, fill: fill, stroke: 0.6pt + black, radius: if b.kind == "box" { 0pt } else { 3pt },
          content-of(b)))
      }
      for arrow in arrows {
        let a = rects.at(arrow.start)
        let b = rects.at(arrow.end)
        let x = a.x + a.w / 2
        if arrow.route == "down" {
          segment((x, a.y + a.h), (x, b.y))
          head((x, b.y), "down")
        } else if arrow.route == "right" {
          let y = a.y + a.h / 2
          segment((a.x + a.w, y), (b.x, y))
          head((b.x, y), "right")
        } else {
          let y = b.y + b.h / 2
          let end-x = if arrow.route == "down-left" { b.x + b.w } else { b.x }
          segment((x, a.y + a.h), (x, y))
          segment((x, y), (end-x, y))
          head((end-x, y), if arrow.route == "down-left" { "left" } else { "right" })
        }
      }
    })
    if space.width < total-width * pt {
      scale(space.width / (total-width * pt) * 100%, reflow: true, drawing)
    } else {
      drawing
    }
  })
"""


def flow_typst(review: Review, n_studies: int, fonts: tuple[str, ...] = (FALLBACK_FONT,)) -> str:
    """Write the diagram as a Typst markup snippet (no page setup; built-in Typst only)."""
    flow = flow_layout(review, n_studies)
    data = {
        "font": list(fonts),
        "columns": [float(c) for c in flow.columns],
        "gap-x": 22.0,
        "gap-y": 16.0,
        "inset": 5.0,
        "boxes": [{"id": b.id, "col": b.col, "row": b.row, "span": b.span, "kind": b.kind,
                   "lines": [[_breakable(line.text), line.count, line.indent] for line in b.lines]}
                  for b in flow.boxes],
        "arrows": [{"start": a.start, "end": a.end, "route": a.route} for a in flow.arrows],
        "phases": [{"label": ph.label, "first": ph.first_row, "last": ph.last_row} for ph in flow.phases],
    }
    lets = "".join(f"  let {name} = {_typst_value(value)}\n" for name, value in data.items())
    return "// PRISMA flow diagram, generated by charter.document.prisma from review.yaml\n#{\n" + lets + _ENGINE + "}\n"


def page_typst(snippet: str) -> str:
    """Wrap a figure snippet in a page sized to its content, for SVG and PNG export."""
    return "#set page(width: auto, height: auto, margin: 6pt, fill: white)\n" + snippet


# ------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class PrismaFigure:
    """The diagram as files for the DOCX and slides, and as Typst for the PDF."""

    svg: Path
    png: Path
    typst: str  # markup snippet, no page setup: the build inserts it into the PDF


def available_fonts() -> tuple[str, ...]:
    """The first sans-serif font Typst can find here, then Typst's own serif for anything it lacks."""
    from charter.document.fonts import typst_fonts

    families = set(typst_fonts().families())
    sans = next((f for f in SANS_FONTS if f in families), None)
    return (sans, FALLBACK_FONT) if sans else (FALLBACK_FONT,)


def with_ppi(png: bytes, ppi: int) -> bytes:
    """Record the resolution in the PNG (a pHYs chunk), so Word and pandoc size it right."""
    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    end_of_header = 8 + 4 + 4 + 13 + 4  # signature, then the IHDR chunk
    return png[:end_of_header] + chunk + png[end_of_header:]


def _write(path: Path, data: bytes) -> None:
    # Write beside and move into place, so a failed build never leaves half a file.
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def render_figure(review: Review, n_studies: int, out_dir: Path) -> PrismaFigure:
    """Draw the flow diagram: write out_dir/prisma.svg and out_dir/prisma.png (300 ppi), return the Typst."""
    import typst

    from charter.document.fonts import typst_fonts

    snippet = flow_typst(review, n_studies, available_fonts())
    page = page_typst(snippet).encode("utf-8")
    svg = typst.compile(page, format="svg", font_paths=typst_fonts())
    png = typst.compile(page, format="png", ppi=PNG_PPI, font_paths=typst_fonts())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    svg_path, png_path = out_dir / "prisma.svg", out_dir / "prisma.png"
    _write(svg_path, svg)
    _write(png_path, with_ppi(png, PNG_PPI))
    return PrismaFigure(svg=svg_path, png=png_path, typst=snippet)
