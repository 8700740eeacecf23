"""The literal-number check: which hand-typed numbers state a count, and how accurately."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from charter.document.counts import Count
from charter.checking.numbers import Lexicon, check_markdown, claims_in_text, word_value
from number_scenarios import reference_counts  # one copy of the fixed reference counts

DATA = Path(__file__).parent / "data" / "number_sentences.yaml"

GROUPS = {
    "western": ("Australia", "Canada", "England", "Netherlands", "Norway", "Scotland", "Sweden", "USA",
                "International"),
    "non_western": ("Malaysia", "China"),
}
LEXICON = Lexicon.from_counts(reference_counts(), GROUPS)


def found_in(item: dict) -> set[tuple[int, str]]:
    """The (number, count) pairs the checker finds in an item's text (after its context, if any)."""
    before = item.get("before", "")
    text = f"{before} {item['text']}" if before else item["text"]
    return {(f.claim.number, f.claim.count) for f in claims_in_text(text, LEXICON) if f.offset >= len(before)}


def expected_in(item: dict) -> set[tuple[int, str]]:
    return {(e["number"], e["count"]) for e in item["expect"]}


def score(items: list[dict]) -> tuple[float, float, list[str]]:
    """Precision, recall and the disagreements over labelled items."""
    tp = fp = fn = 0
    misses = []
    for item in items:
        found, expected = found_in(item), expected_in(item)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        if found != expected:
            misses.append(f"{item['text'][:90]!r}: extra {sorted(found - expected)}, missed {sorted(expected - found)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, misses


def load_items(batch: str | None = None) -> list[dict]:
    items = yaml.safe_load(DATA.read_text(encoding="utf-8"))["sentences"]
    return [i for i in items if batch is None or i.get("batch", "rules") == batch]


def test_labelled_sentences_precision_and_recall():
    items = load_items()
    assert len(items) >= 150
    precision, recall, misses = score(items)
    print(f"\nnumber check over {len(items)} labelled sentences: precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(misses))
    assert precision >= 0.95 and recall >= 0.95, "\n".join(misses)


@pytest.mark.parametrize("batch", ["held-out-1", "held-out-2", "held-out-3", "held-out-4"])
def test_held_out_batches_are_scored_and_reported(batch):
    """Batches written after the rules were frozen (their scores at freeze are in the data file's header)."""
    items = load_items(batch)
    precision, recall, misses = score(items)
    print(f"\n{batch}: {len(items)} sentences, precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(misses))
    assert items and precision >= 0.9 and recall >= 0.9, "\n".join(misses)


# ------------------------------------------------------------------ single rules


def claims(text: str) -> list[tuple[int, str]]:
    return [(f.claim.number, f.claim.count) for f in claims_in_text(text, LEXICON)]


@pytest.mark.parametrize("word, value", [
    ("three", 3), ("Twenty-nine", 29), ("ninety-nine", 99), ("eleven", 11), ("twenty", 20),
    ("twenty-zero", None), ("two-year", None), ("first", None),
])
def test_number_words(word, value):
    assert word_value(word) == value


@pytest.mark.parametrize("text, expected", [
    pytest.param("We included [13]{count=none} studies.", [], id="annotation-none"),
    pytest.param("In all, [12]{count=theme.b} papers were about services.", [(12, "theme.b")], id="annotation-name"),
    pytest.param("We included {{ n.included }} studies; nine were qualitative.", [(9, "orientation.qualitative")],
                 id="noun-from-placeholder"),
    pytest.param("`29 studies were included`", [], id="inline-code"),
    pytest.param("<!-- 29 studies were included -->", [], id="comment"),
    pytest.param("# 29 studies were included", [(29, "included")], id="heading-is-prose"),
    pytest.param("| 29 studies were included |", [], id="table-row"),
    pytest.param("1. Twenty studies were included.", [(20, "included")], id="list-marker-skipped"),
    pytest.param("See https://example.org/29-studies-included for 29 studies included.", [(29, "included")],
                 id="url"),
    pytest.param("@smolak2013 reviewed 43 studies; 12 were from the US.", [], id="narrative-citation"),
    pytest.param("Three are reviews: one examines religion [@smolak2013].", [(3, "orientation.review")],
                 id="citation-in-later-clause"),
    pytest.param("We included 29 studies [@ahmad2020; @berg2018].", [(29, "included")], id="own-review-cited"),
    pytest.param("Smolak et al. (2013) summarised 43 studies. Of these, 12 came from the US.", [],
                 id="of-these-inherits"),
    pytest.param("All but two of the studies came from western countries.", [(2, "country_group.non_western")],
                 id="complement-group"),
    pytest.param("Nine of the 29 studies were qualitative.", [(9, "orientation.qualitative"), (29, "included")],
                 id="part-and-whole"),
    pytest.param("In 29 of the 53 full texts, support was measured.", [(53, "prisma.dbr_assessed")],
                 id="part-named-by-nothing"),
])
def test_rules(text, expected):
    assert claims(text) == expected


def test_sentences_split_at_abbreviations_correctly():
    text = "Smolak et al. (2013) found 43 studies. Of the 29 studies, nine were qualitative (p. 4). The end."
    from charter.checking.numbers import split_sentences
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Smolak et al. (2013) found 43 studies.", "Of the 29 studies, nine were qualitative (p. 4).", "The end."]


def test_claim_line_and_messages():
    text = "# Results\n\nSome text.\nTwenty-eight papers met the inclusion criteria.\n\nWe searched five databases.\n"
    problems = check_markdown(text, LEXICON, "manuscript/03-results.md")
    assert [str(p) for p in problems] == [
        'manuscript/03-results.md:4:1: "Twenty-eight papers met the inclusion" says 28, the data has 29 included '
        "studies (n.included); correct the text or the data, and write {{ n.included | Words }}",
        'manuscript/03-results.md:6:13: "five databases" is typed by hand; write {{ n.databases | words }} so it '
        "follows the data (5 databases searched)",
    ]
    assert [p.severity for p in problems] == ["error", "warning"]


def test_not_reported_counts_are_not_compared():
    assert check_markdown("After removing 412 duplicates, we screened the records.", LEXICON, "x.md") == []
    assert claims("After removing 412 duplicates, we screened the records.") == [(412, "prisma.duplicates")]


@settings(deadline=None)  # no timing in tests
@given(st.integers(min_value=1, max_value=99), st.booleans())
def test_digits_and_words_make_the_same_claim(n, as_words):
    """Whatever the number and however it is written, the claim and its verdict follow the data."""
    written = num2words(n) if as_words else str(n)
    problems = check_markdown(f"We included {written} studies in this review.", LEXICON, "x.md")
    assert len(problems) == 1
    assert problems[0].severity == ("warning" if n == 29 else "error")
    assert f"says {n}," in problems[0].message or n == 29


def other_review_lexicon() -> Lexicon:
    """A review unlike the reference one: its own themes, designs, countries and groups."""
    rows = [
        ("included", 41, "included studies"),
        ("themes", 3, "themes"),
        ("theme.barriers", 18, "studies in theme (barriers) Barriers to care"),
        ("theme.facilitators", 15, "studies in theme (facilitators) Facilitators of care"),
        ("theme.outcomes", 8, "studies in theme (outcomes) Outcomes for carers"),
        ("orientation.rct", 12, "studies with a randomised controlled trial design"),
        ("orientation.cohort", 20, "studies with a cohort study design"),
        ("orientation.qualitative", 9, "studies with a qualitative design"),
        ("country.brazil", 6, "studies from Brazil"),
        ("country.kenya", 4, "studies from Kenya"),
        ("country.uk", 17, "studies from UK"),
        ("country_group.hic", 31, "studies from high-income countries"),
        ("country_group.lmic", 10, "studies from low- and middle-income countries"),
        ("databases", 7, "databases searched"),
        ("prisma.identified", 5120, "records identified from databases"),
        ("prisma.dbr_assessed", 150, "full-text reports assessed for eligibility"),
    ]
    counts = {name: Count(name, value, meaning) for name, value, meaning in rows}
    return Lexicon.from_counts(counts, {"hic": ("UK",), "lmic": ("Brazil", "Kenya")})


@pytest.mark.parametrize("text, expected", [
    ("Twelve studies were randomised controlled trials.", [(12, "orientation.rct")]),
    ("Twenty cohort studies met the inclusion criteria.", [(20, "orientation.cohort")]),
    ("Eighteen studies concerned barriers to care.", [(18, "theme.barriers")]),
    ("Fifteen papers were assigned to theme (facilitators).", [(15, "theme.facilitators")]),
    ("Ten studies came from low- and middle-income countries.", [(10, "country_group.lmic")]),
    ("Six studies were conducted in Brazil and four in Kenya.", [(6, "country.brazil"), (4, "country.kenya")]),
    ("Seventeen studies were from the United Kingdom.", [(17, "country.uk")]),
    ("We searched seven databases and identified 5,120 records.", [(7, "databases"), (5120, "prisma.identified")]),
    ("In total, 41 studies were included.", [(41, "included")]),
    ("Trials enrolled 40 to 400 carers [@smith2019].", []),
])
def test_rules_carry_over_to_another_review(text, expected):
    assert [(f.claim.number, f.claim.count) for f in claims_in_text(text, other_review_lexicon())] == expected


def test_attribute_blocks_on_headings_and_divs_hold_no_counts():
    """A checklist tag on a heading or div ({checklist="9"}) is markup, not a number in the prose."""
    lexicon = Lexicon.from_counts(reference_counts())
    text = ('## Selection of sources of evidence {checklist="9"}\n\n::: {checklist="6,7"}\n'
            'We searched five databases.\n:::\n')
    problems = check_markdown(text, lexicon, "manuscript/02-method.md")
    assert [p.message for p in problems if "says" in p.message] == []
    assert [p for p in check_markdown('## Theme (a) {checklist="17"}\n\nTheme (a) holds 17 studies.\n', lexicon,
                                       "x.md") if p.severity == "error"]  # the prose still is checked
