"""The phrases Charter writes itself are grammatical for any vocabulary: a/an, singular/plural (issue 10)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.document.counts import compute_counts
from charter.sources.load import load_project
from charter.checking.numbers import Lexicon
from charter.wording import article, plural, plural_of, strip_trailing, with_article
from conftest import write_files
from projects import minimal_project_files


@pytest.mark.parametrize("phrase, expected", [
    ("outbreak investigation", "an"), ("qualitative", "a"), ("RCT", "an"), ("MRI study", "an"), ("UK cohort", "a"),
    ("umbrella review", "an"), ("unique design", "a"), ("university survey", "a"), ("European cohort", "a"),
    ("one-arm trial", "a"), ("hour-long interview", "an"), ("honest broker", "an"), ("8-week trial", "an"),
    ("11-site study", "an"), ("18-month follow-up", "an"), ("110-bed ward", "a"), ("1-year cohort", "a"),
    ("usability test", "a"), ("interrupted time series", "an"), ("ecological", "an"), ("case-control", "a"),
    ("SMS survey", "an"), ("NGO report", "an"), ("HIV cohort", "an"), ("user survey", "a"), ("", "a"),
])
def test_article(phrase, expected):
    assert article(phrase) == expected


@pytest.mark.parametrize("n, noun, expected", [
    (1, "study", "1 study"), (0, "study", "0 studies"), (2, "study", "2 studies"), (2819, "record", "2,819 records"),
    (2, "analysis", "2 analyses"), (3, "case series", "3 case series"), (2, "box", "2 boxes"), (2, "day", "2 days"),
    (1, "included study", "1 included study"), (2, "included study", "2 included studies"),
    (2, "criterion", "2 criteria"), (1.5, "sample", "1.5 samples"),
])
def test_plural(n, noun, expected):
    assert plural(n, noun) == expected


# Labels as authors write them: one to four words of letters (any case), digits and hyphens.
WORD = st.from_regex(r"[A-Za-z][A-Za-z0-9\-]{0,11}", fullmatch=True)
LABEL = st.lists(WORD, min_size=1, max_size=4).map(" ".join)


@given(LABEL)
@settings(max_examples=300, deadline=None)
def test_article_is_a_or_an_and_an_only_before_a_vowel_sound(label):
    chosen = article(label)
    assert chosen in ("a", "an")
    first = re.match(r"[^\s\-/]+", label).group(0)  # "FA-based" is read "F-A based": an FA-based study
    letters = re.sub(r"[^A-Za-z]", "", first)
    if chosen == "an" and not (len(letters) > 1 and letters.isupper()):
        assert letters[0].lower() in "aeiouh"  # a silent h ("an hour") is the only consonant letter allowed
    if chosen == "a" and letters and letters[0].lower() in "aio" and not letters.isupper() \
            and not letters.lower().startswith("one"):
        pytest.fail(f"'a {label}'")


@given(LABEL)
@settings(max_examples=300, deadline=None)
def test_plural_of_one_is_the_noun_and_of_two_differs(label):
    assert plural(1, label) == f"1 {label}"
    assert plural(2, label).startswith("2 ") and plural_of(label).split()[:-1] == label.split()[:-1]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return load_project(write_files(tmp_path_factory.mktemp("wording"), minimal_project_files()))


@given(label=LABEL)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_orientation_meaning_is_grammatical_and_read_back_by_the_number_check(project, label):
    terms = tuple(dataclasses.replace(t, label=label) if t.key == "review" else t
                  for t in project.review.orientations)
    counts = compute_counts(dataclasses.replace(project, review=dataclasses.replace(project.review,
                                                                                   orientations=terms)))
    meaning = counts["orientation.review"].meaning
    shown = strip_trailing(label, "design")
    assert meaning == f"studies with {with_article(shown)} design"
    if not re.match(r"(a|an)\b", label, re.IGNORECASE):  # a label starting with the word "a" ("a priori") is kept
        # no doubled article before the label ("an A design" is fine; the label's own words are its own)
        assert not re.match(r"studies with (a|an) (a|an)\b", meaning)
    # the number check reads the label back out of the meaning ("studies with a/an … design")
    assert re.sub(r"^studies with an? (.*) design$", r"\1", meaning) == shown
    assert any(t.count == "orientation.review" for t in Lexicon.from_counts(counts).terms)


def test_strip_trailing():
    assert strip_trailing("cross-sectional design", "design") == "cross-sectional"
    assert strip_trailing("design", "design") == "design"
    assert strip_trailing("qualitative", "design") == "qualitative"


@pytest.mark.parametrize("n, phrase, expected", [
    (1, "records screened", "1 record screened"), (2, "records screened", "2 records screened"),
    (1, "full-text reports excluded", "1 full-text report excluded"),
    (1, "participants in all included studies", "1 participant in all included studies"),
    (1, "studies not reporting their country", "1 study not reporting their country"),
    (1, "duplicate records removed", "1 duplicate record removed"), (2819, "records", "2,819 records"),
    (None, "records screened", "not reported records screened"),
])
def test_counted(n, phrase, expected):
    from charter.wording import counted
    assert counted(n, phrase) == expected


def test_prisma_messages_agree_with_a_count_of_one():
    from charter.model import Prisma
    from charter.document.prisma import check_arithmetic
    problems = [p.message for p in check_arithmetic(Prisma(total_studies=1), 2)]
    assert problems == ["says 1 included study, but studies/ has 2 study files; correct the number or add/remove "
                        "study files"]
    problems = [p.message for p in check_arithmetic(Prisma(dbr_assessed=1, dbr_excluded=2), 0)]
    assert problems == ["says 2 reports excluded, more than the 1 report assessed for eligibility "
                        "(prisma.dbr_assessed); correct whichever number is wrong so that the flow adds up"]
