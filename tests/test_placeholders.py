"""Placeholders: {{ n.NAME }} as digits, words and capitalised words; mistakes reported with file and line."""

from __future__ import annotations

import pytest

from charter.document.counts import Count
from charter.document.placeholders import PLACEHOLDER_RE, fill, fill_recording

COUNTS = {
    "included": Count("included", 29, "included studies"),
    "prisma.identified": Count("prisma.identified", 2819, "records identified"),
    "prisma.duplicates": Count("prisma.duplicates", None, "duplicates"),
    "theme.a": Count("theme.a", 13, "studies in theme a"),
    "zero": Count("zero", 0, "nothing"),
}


@pytest.mark.parametrize("text, expected", [
    pytest.param("{{ n.included }}", "29", id="digits"),
    pytest.param("{{n.included}}", "29", id="no-spaces"),
    pytest.param("{{ n.prisma.identified }}", "2,819", id="thousands-separator"),
    pytest.param("{{ n.included | words }}", "twenty-nine", id="words"),
    pytest.param("{{ n.included | Words }} studies", "Twenty-nine studies", id="sentence-start"),
    pytest.param("{{ n.prisma.identified | words }}", "two thousand, eight hundred and nineteen", id="big-words"),
    pytest.param("{{ n.prisma.duplicates }}", "not reported", id="null-digits"),
    pytest.param("{{ n.prisma.duplicates | Words }}", "Not reported", id="null-sentence-start"),
    pytest.param("{{ n.zero | words }}", "zero", id="zero"),
    pytest.param("We found {{ n.theme.a }} of {{ n.included }}.", "We found 13 of 29.", id="two-in-a-line"),
])
def test_fill_renders(text, expected):
    assert fill(text, COUNTS, "manuscript/01-introduction.md") == (expected, [])


def test_unknown_name_names_file_line_and_close_match():
    text = "Intro.\n\nWe included {{ n.includd }} studies."
    result, problems = fill(text, COUNTS, "manuscript/02-method.md")
    assert result == text  # left as written, so the author sees it
    assert [str(p) for p in problems] == [
        "manuscript/02-method.md:3:13: unknown placeholder 'n.includd' (did you mean 'n.included'?)"]


def test_unknown_filter_is_reported_with_the_choices():
    _, problems = fill("{{ n.included | word }}", COUNTS, "manuscript/02-method.md", first_line=7)
    assert [str(p) for p in problems] == [
        "manuscript/02-method.md:7:1: unknown filter 'word' in '{{ n.included | word }}' (did you mean 'words'?); "
        "use | words (twenty-nine) or | Words (Twenty-nine) or none (29)"]


def test_braces_that_are_not_a_placeholder_are_reported():
    _, problems = fill("A {{ included }} B", COUNTS, "manuscript/03-findings.md")
    assert len(problems) == 1
    assert str(problems[0]).startswith("manuscript/03-findings.md:1:3: '{{ included }}' is not a placeholder "
                                       "(did you mean 'n.included'?)")


def test_placement_lines_are_left_to_assembly():
    text = "Text.\n\n{{ table:studies }}\n\n  {{ figure:prisma }}\n"
    assert fill(text, COUNTS, "manuscript/03-findings.md") == (text, [])


def test_placement_inside_a_sentence_is_an_error():
    _, problems = fill("See {{ table:studies }} here.", COUNTS, "manuscript/03-findings.md")
    assert [p.message for p in problems] == [
        "'{{ table:studies }}' must stand alone on its own line to place the table or figure there"]


def test_fill_recording_gives_name_text_and_line():
    _, _, filled = fill_recording("a\n{{ n.included | Words }} and {{ n.theme.a }}", COUNTS, "x.md", 10)
    assert [(f.name, f.text, f.line) for f in filled] == [("included", "Twenty-nine", 11), ("theme.a", "13", 11)]


def test_placeholder_re_exposes_name_and_filter():
    match = PLACEHOLDER_RE.search("x {{ n.theme.a | Words }} y")
    assert (match.group("name"), match.group("filter")) == ("theme.a", "Words")
