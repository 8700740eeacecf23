"""What `invoke check` says about typed numbers: safe advice, line and column, the same under any hash seed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from charter.model import Location
from charter.checking.numbers import Lexicon, check_markdown, claims_in_text
from number_scenarios import reference_counts, reference_vocabulary

REPO_TASKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tasks.py")
LEXICON = Lexicon.build(reference_counts(), reference_vocabulary())


def messages(text: str) -> list[str]:
    return [str(p) for p in check_markdown(text, LEXICON, "manuscript/03-results.md")]


def test_a_number_its_words_tie_to_one_count_gets_its_placeholder():
    assert messages("Fourteen quantitative studies were included.") == [
        'manuscript/03-results.md:1:1: "Fourteen quantitative studies" says 14, the data has 13 studies with a '
        "quantitative design (n.orientation.quantitative); correct the text or the data, and write "
        "{{ n.orientation.quantitative | Words }}"]


def test_a_number_that_may_state_two_counts_gets_no_placeholder():
    """"from Norway and were qualitative": either count; the author chooses, or marks it count=none."""
    assert messages("Twelve studies came from Norway and were qualitative.") == [
        'manuscript/03-results.md:1:1: "Twelve studies … Norway" says 12, but the data has n.country.norway '
        "(5 studies from Norway) or n.orientation.qualitative (9 studies with a qualitative design); if it states "
        "one of these counts, correct the text or the data and write that count's placeholder ({{ n.NAME }}); "
        "if it counts something else, mark it [Twelve]{count=none}"]
    warning = check_markdown("Nine studies came from Norway and were qualitative.", LEXICON, "x.md")
    assert [p.severity for p in warning] == ["warning"]
    assert "may state n.country.norway" in warning[0].message and "{{ n.country" not in warning[0].message


def test_the_studies_with_an_unknown_qualifier_are_not_taken_for_the_included_studies():
    """The issue's harmful advice: "the three Nordic studies" must not be told to become {{ n.included }}."""
    problem = messages("We compared our findings with the three Nordic studies.")
    assert len(problem) == 1 and "{{ n.included" not in problem[0] and "[three]{count=none}" in problem[0]
    assert messages("We charted the 28 included studies.")[0].endswith("write {{ n.included }}")


def test_every_finding_gives_line_and_column():
    text = "# Results\n\nIn all, we found\nthat nine qualitative studies and 14 quantitative ones\n"
    problems = check_markdown(text, LEXICON, "manuscript/03-results.md")
    assert [(p.location.line, p.location.column) for p in problems] == [(4, 6), (4, 35)]
    assert all(isinstance(p.location, Location) and p.location.column for p in problems)


@pytest.mark.parametrize("text", [
    "Fourteen studies (48%) came from the USA.",
    "The USA (12), Norway (5) and England (2) led.",
    "Nine qualitative and 14 quantitative studies were included.",
])
def test_claims_are_found_in_the_order_written(text):
    found = [f.claim.start for f in claims_in_text(text, LEXICON)]
    assert found == sorted(found) and found


SECTION = """\
# Findings

Fourteen quantitative studies were included, and twelve studies came from Norway and were qualitative.
The USA (12), Norway (5) and England (2) led; the three Nordic studies agree.
Theme (b) held sixteen studies and theme (a) thirteen. We searched six databases.
"""


def test_the_same_findings_in_the_same_order_under_any_hash_seed(reference_copy):
    (reference_copy / "manuscript" / "05-findings.md").write_text(SECTION, encoding="utf-8")
    shutil.copy(REPO_TASKS, reference_copy / "tasks.py")
    outputs = set()
    for seed in ("0", "1", "2", "3", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        process = subprocess.run([sys.executable, "-m", "invoke", "check"], cwd=reference_copy, env=env,
                                 capture_output=True, text=True, timeout=300)
        assert process.returncode == 1, process.stderr
        outputs.add(process.stdout)
    assert len(outputs) == 1
    (output,) = outputs
    assert output.count("manuscript/05-findings.md:") >= 6


@pytest.mark.parametrize("text", [
    "It re-uses the characteristics of the included studies of that review [2,4] to show how it works.",
    "Earlier reviews of this kind [12–14] found the same.",
    "The people with SARS-CoV-2 infection were followed.",
])
def test_numeric_citations_and_names_are_not_counts(text):
    """A numeric citation style renders "[2,4]" in the DOCX; "SARS-CoV-2" is a name."""
    assert [(f.claim.number, f.claim.count) for f in claims_in_text(text, LEXICON)] == []


def test_every_generated_number_of_the_reference_text_retyped_wrong_is_caught():
    """Each placeholder of the reference manuscript in turn replaced by its value plus one, as typed text:
    the check names that very count, at that line."""
    from pathlib import Path

    from num2words import num2words

    from charter.document.counts import compute_counts
    from charter.sources.load import load_project
    from charter.checking.numbers import vocabulary_of
    from charter.document.placeholders import PLACEHOLDER_RE, fill

    root = Path(REPO_TASKS).parent
    project = load_project(root)
    counts = compute_counts(project)
    lexicon = Lexicon.build(counts, vocabulary_of(project.review))
    planted = missed = 0
    for section in sorted((root / "manuscript").glob("*.md")):
        text = section.read_text(encoding="utf-8")
        for m in PLACEHOLDER_RE.finditer(text):
            name, flt = m.group("name"), m.group("filter")
            wrong = counts[name].value + 1
            typed = num2words(wrong) if flt in ("words", "Words") else f"{wrong:,}"
            typed = typed[:1].upper() + typed[1:] if flt == "Words" else typed
            line = text.count("\n", 0, m.start()) + 1
            filled = fill(text[:m.start()] + typed + text[m.end():], counts, section.name)[0]
            found = [p.message for p in check_markdown(filled, lexicon, section.name)
                     if p.location.line == line and p.severity == "error" and f"says {wrong:,}" in p.message]
            planted += 1
            # named as the count (or, where the words may name several, among those listed)
            missed += not any(f"(n.{name})" in message or f"n.{name} (" in message for message in found)
    assert planted >= 20 and missed == 0


@pytest.mark.parametrize("text, expected", [
    pytest.param("Ten studies (34%) were qualitative.", [(10, "orientation.qualitative")], id="percentage-between"),
    pytest.param("Of the 13 studies in theme (a), 8 used surveys.", [(13, "theme.a")], id="part-not-its-whole"),
    pytest.param("Of the 53 full texts read, 29 remained.", [(53, "prisma.dbr_assessed"), (29, "included")],
                 id="what-remained"),
    pytest.param("Theme (b) held sixteen studies and theme (a) thirteen.", [(16, "theme.b"), (13, "theme.a")],
                 id="qualifier-before"),
    pytest.param("Norway (5), the USA (10) and England (3) led.",
                 [(5, "country.norway"), (10, "country.usa"), (3, "country.england")], id="bare-list"),
    pytest.param("Nine qualitative and 13 quantitative studies were included.",
                 [(9, "orientation.qualitative"), (13, "orientation.quantitative")], id="shared-noun"),
    pytest.param("Two studies had a Norwegian sample.", [(2, "country.norway")], id="demonym"),
    pytest.param("Only one of the included studies was a mixed-method evaluation.",
                 [(1, "orientation.mixed-methods")], id="only-one"),
    pytest.param("With the exception of two studies, all came from western countries.",
                 [(2, "country_group.non_western")], id="with-the-exception"),
    pytest.param("Roughly 2,800 records were identified; close to 3,000 in all.", [], id="hedged"),
    pytest.param("One review examined 12 interventions in 9 countries [@webber2017].", [], id="inside-one-study"),
    pytest.param("This answers research question 2; the first three aims follow.", [], id="labels"),
    pytest.param("The studies came from all five continents.", [], id="other-things"),
])
def test_the_kinds_of_the_issue(text, expected):
    """The patterns issue 11 names, in sentences made up for this test."""
    assert [(f.claim.number, f.claim.count) for f in claims_in_text(text, LEXICON)] == expected
