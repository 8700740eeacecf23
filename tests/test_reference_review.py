"""The reference review validates clean and its data gives the published totals."""

from __future__ import annotations

import pytest

from charter.document.counts import compute_counts
from charter.sources.load import load_project

from conftest import REPO

# The totals the published review states; each must come out of the data.
TOTALS = {
    "included": 29,
    "theme.a": 13,
    "theme.b": 16,
    "orientation.qualitative": 9,
    "orientation.quantitative": 13,
    "orientation.review": 3,
    "orientation.conceptual": 2,
    "orientation.mixed-methods": 1,
    "orientation.case-study": 1,
    "keyword.social_support": 20,
    "country_group.non_western": 2,
    "country_group.western": 27,
    "databases": 5,
    "prisma.identified": 2819,
    "prisma.database_records": 2819,
    "prisma.dbr_assessed": 53,
    "prisma.dbr_excluded": 24,
    "prisma.total_studies": 29,
}


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


@pytest.fixture(scope="module")
def counts(project):
    return compute_counts(project)


def test_reference_review_has_no_errors(project):
    assert [str(p) for p in project.errors] == []


def test_reference_review_has_no_warnings(project):
    assert [str(p) for p in project.problems] == []


@pytest.mark.parametrize("name, expected", [pytest.param(n, v, id=n) for n, v in TOTALS.items()])
def test_reference_review_totals(counts, name, expected):
    assert counts[name].value == expected


def test_every_study_has_a_subtheme_of_its_theme(project):
    for study in project.studies:
        theme = project.review.theme(study.theme)
        assert study.subtheme in {sub.key for sub in theme.subthemes}, study.id


def test_subthemes_add_up_to_their_theme(counts):
    assert counts["subtheme.a.status"].value + counts["subtheme.a.severe"].value == 13
    assert counts["subtheme.b.direct"].value + counts["subtheme.b.indirect"].value == 16


def test_every_included_study_is_in_the_bibliography(project):
    missing = [key for s in project.studies for key in s.citation_keys
               if key not in project.bibliography.references]
    assert missing == []


def test_unknown_numbers_stay_null(project):
    prisma = project.review.prisma
    assert [s.records for s in prisma.databases] == [None] * 5
    assert prisma.duplicates is None
    assert prisma.records_screened is None
    assert [r.count for r in prisma.dbr_excluded_reasons] == [None, None]


def test_table_caption_takes_its_count_from_the_data(project):
    assert "{{ n.included }}" in project.review.table_caption
    assert "29" not in project.review.table_caption


def test_severe_problems_are_the_dominant_population(counts):
    # The review: most studies concern severe/long-term mental health problems.
    severe = counts["population.severe"].value
    assert severe > counts["population.moderate"].value
    assert severe > counts["population.context_specific"].value


def test_reconstructed_keyword_lists_say_so():
    # The papers' own keyword lists are not in the sources; every list is a reconstruction.
    unmarked = [path.name for path in sorted((REPO / "studies").glob("*.yaml"))
                if "# keywords: reconstructed" not in path.read_text(encoding="utf-8")]
    assert unmarked == []
