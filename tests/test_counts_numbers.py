"""Counts over numbers, review questions and "not reported" values (issue 10), on the second test review.

The expected values are worked out by hand in tests/projects.py (the comment above
SYSTEMATIC_REVIEW_YAML), not copied from the output.
"""

from __future__ import annotations

import io
import json

import pytest

from charter.checking.check import main as check_main, print_counts
from charter.document.counts import compute_counts, median
from charter.sources.load import load_project
from charter.document.placeholders import fill
from conftest import write_files
from projects import changed, minimal_project_files, systematic_project_files


@pytest.fixture(scope="module")
def counts(tmp_path_factory):
    project = load_project(write_files(tmp_path_factory.mktemp("systematic"), systematic_project_files()))
    assert project.problems == ()
    return compute_counts(project)


EXPECTED = {
    "included": 5, "questions": 3, "question.q1": 4, "question.q2": 2, "question.q3": 1,
    "orientation.outbreak": 2, "orientation.screening": 1, "orientation.contact": 0, "orientation.not_reported": 2,
    "country.not_reported": 2, "samples": 4,
    "participants.total": 276, "participants.median": 40, "participants.min": 36, "participants.max": 200,
    "participants.reported": 3, "participants.not_reported": 2,
    "n_asymptomatic.total": 63, "n_asymptomatic.median": 6.5, "n_asymptomatic.min": 0, "n_asymptomatic.max": 50,
    "n_asymptomatic.reported": 4, "n_asymptomatic.not_reported": 1,
    "prisma.total_studies": 7, "prisma.studies_without_files": 2,
}


@pytest.mark.parametrize("name, value", EXPECTED.items(), ids=list(EXPECTED))
def test_counts_of_the_second_review(counts, name, value):
    assert counts[name].value == value


def test_no_theme_counts_without_themes(counts):
    assert not [name for name in counts if name == "themes" or name.startswith("theme.")]


def test_meanings_say_what_is_counted(counts):
    assert counts["participants.total"].meaning == "participants in all included studies (sum of reported n)"
    assert counts["participants.not_reported"].meaning == "studies not reporting their number of participants (n)"
    assert counts["n_asymptomatic.median"].meaning == ("asymptomatic participants: median per study (over the studies "
                                                       "that report it)")
    assert counts["question.q1"].meaning == "studies addressing question q1 (asymptomatic proportion)"
    assert counts["question.q2"].meaning == ("studies addressing question q2 (How infectious are people with "
                                             "asymptomatic infection?)")
    assert counts["orientation.outbreak"].meaning == "studies with an outbreak investigation design"
    assert counts["orientation.screening"].meaning == "studies with a screening study design"
    assert counts["orientation.not_reported"].meaning == "studies not reporting their design orientation"


def test_reference_style_review_gets_participant_counts_too(tmp_path):
    counts = compute_counts(load_project(write_files(tmp_path, minimal_project_files())))
    # ahmad2020 n = 120; berg2018 n: null; carter2019 has no n
    assert [counts[f"participants.{k}"].value for k in ("total", "median", "min", "max", "reported", "not_reported")] \
        == [120, 120, 120, 120, 1, 2]
    assert counts["population.not_reported"].value == 1  # berg2018 gives no population
    assert counts["orientation.not_reported"].value == 0 and counts["samples"].value == 0


def test_no_reported_values_give_not_reported_statistics(tmp_path):
    files = changed(minimal_project_files(), "studies/ahmad2020.yaml", "n: 120", "n: null")
    counts = compute_counts(load_project(write_files(tmp_path, files)))
    assert [counts[f"participants.{k}"].value for k in ("total", "median", "min", "max", "reported")] \
        == [None, None, None, None, 0]


@pytest.mark.parametrize("values, expected", [([], None), ([5], 5), ([1, 2], 1.5), ([3, 1, 2], 2), ([2, 4], 3),
                                              ([0, 3, 10, 50], 6.5)])
def test_median(values, expected):
    assert median(values) == expected and type(median(values)) is type(expected)


def test_numeric_counts_fill_placeholders_and_a_half_median_has_no_words(counts):
    text, problems = fill("{{ n.participants.total }} participants, median {{ n.n_asymptomatic.median }}, "
                          "{{ n.participants.median | words }}", counts, "manuscript/01-results.md")
    assert problems == []
    assert text == "276 participants, median 6.5, forty"
    _, problems = fill("Median {{ n.n_asymptomatic.median | words }}.", counts, "manuscript/01-results.md", 3)
    assert [str(p) for p in problems] == [
        "manuscript/01-results.md:3:8: n.n_asymptomatic.median is 6.5, which is not a whole number and has no words "
        "form; write {{ n.n_asymptomatic.median }} (it renders 6.5)"]


def test_invoke_counts_lists_the_new_counts(tmp_path):
    root = write_files(tmp_path, systematic_project_files())
    out = io.StringIO()
    print_counts(root, out=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[2:]}
    assert "6.5" in lines["n.n_asymptomatic.median"].split()
    assert "276" in lines["n.participants.total"].split()
    out = io.StringIO()
    print_counts(root, fmt="json", out=out)
    data = json.loads(out.getvalue())
    assert data["participants.median"] == {"placeholder": "{{ n.participants.median }}", "value": 40,
                                           "meaning": "median number of participants per study (over the studies "
                                                      "that report n)"}


def test_check_is_clean_on_the_second_review_and_catches_a_wrong_placeholder(tmp_path):
    root = write_files(tmp_path, systematic_project_files())
    assert check_main(root, strict=True, out=io.StringIO()) == 0
    section = root / "manuscript/01-results.md"
    section.write_text(section.read_text(encoding="utf-8").replace("{{ n.participants.total }}",
                                                                   "{{ n.participant.total }}"), encoding="utf-8")
    out = io.StringIO()
    assert check_main(root, strict=True, out=out) == 1
    assert "unknown placeholder 'n.participant.total' (did you mean 'n.participants.total'?)" in out.getvalue()


def test_a_number_field_gets_counts_and_shows_in_table_1(tmp_path):
    files = changed(systematic_project_files(), "review.yaml",
                    "  - {name: n_asymptomatic, label: asymptomatic participants, type: integer}",
                    "  - {name: n_asymptomatic, label: asymptomatic participants, type: integer}\n"
                    "  - {name: ct_value, label: median cycle threshold, type: number}")
    files = changed(files, "studies/hijnen2020.yaml", "n_asymptomatic: 3", "n_asymptomatic: 3\nct_value: 24.5")
    files = changed(files, "studies/smith2021.yaml", "n_asymptomatic: 10", "n_asymptomatic: 10\nct_value: 30")
    files = changed(files, "studies/lee2022.yaml", "n_asymptomatic: 50", "n_asymptomatic: 50\nct_value: NR")
    project = load_project(write_files(tmp_path, files))
    assert [str(p) for p in project.problems] == [
        "studies/lee2022.yaml:13:11: ct_value: 'NR' looks like \"not reported\"; write null instead"]
    files = changed(files, "studies/lee2022.yaml", "ct_value: NR", "ct_value: null")
    project = load_project(write_files(tmp_path / "fixed", files))
    counts = compute_counts(project)
    assert [counts[f"ct_value.{k}"].value for k in ("total", "median", "min", "max", "reported", "not_reported")] \
        == [54.5, 27.25, 24.5, 30, 2, 3]
    text, problems = fill("{{ n.ct_value.median }} and {{ n.ct_value.total }}", counts, "x.md")
    assert (text, problems) == ("27.25 and 54.5", [])
