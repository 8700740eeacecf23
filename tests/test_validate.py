"""Field-by-field validation of study files and review.yaml, on real files.

Each case starts from the minimal valid project (tests/projects.py), changes one
thing, and asserts the exact message a researcher reads.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.document.counts import compute_counts
from charter.sources.load import load_project
from charter.document.prisma import check_arithmetic
from charter.document.table1 import render_table1
from conftest import write_files
from projects import changed, minimal_project_files, systematic_project_files

BERG = "studies/berg2018.yaml"
AHMAD = "studies/ahmad2020.yaml"
REVIEW = "review.yaml"


def problems_after(tmp_path, path: str, *replacements: tuple[str, str]) -> list[str]:
    """Messages of the minimal project with text replaced in one file."""
    files = minimal_project_files()
    for old, new in replacements:
        files = changed(files, path, old, new)
    return [f"{p} [{p.severity}]" for p in load_project(write_files(tmp_path, files)).problems]


STUDY_CASES = [
    pytest.param(
        [("research_question:", "reserch_question:")],
        ["studies/berg2018.yaml:7:1: reserch_question: unknown field 'reserch_question' "
         "(did you mean 'research_question'?) [error]"],
        id="unknown-field-typo"),
    pytest.param(
        [("keywords:", "colour: red\nkeywords:")],
        ["studies/berg2018.yaml:16:1: colour: unknown field 'colour'; expected one of: country, design, findings, "
         "id, keywords, participants, population, questions, reports, research_question, subtheme, theme, validity "
         "[error]"],
        id="unknown-field"),
    pytest.param(
        [("  method: Semi-structured interviews, thematic analysis\n", "  methd: interviews\n")],
        ["studies/berg2018.yaml:6:3: design.methd: unknown field 'methd' (did you mean 'method'?) [error]"],
        id="nested-unknown-field"),
    pytest.param(
        [("theme: a\n", "")],
        ["studies/berg2018.yaml:1:1: theme: missing required field 'theme' in a study file: "
         "add a line 'theme: …' [error]"],
        id="missing-field"),
    pytest.param(
        [("  internal: Small purposive sample.\n", "")],
        ["studies/berg2018.yaml:14:3: validity.internal: missing required field 'internal' in the validity "
         "(internal, external): add 'internal: …' under 'validity:' [error]"],
        id="missing-nested-field"),
    pytest.param(
        [("orientation: qualitative", "orientation: qualitive")],
        ["studies/berg2018.yaml:5:16: design.orientation: expected one of qualitative, quantitative, review "
         "(vocabularies.orientation in review.yaml) but got 'qualitive' (did you mean 'qualitative'?) [error]"],
        id="value-outside-vocabulary"),
    pytest.param(
        [("theme: a", "theme: c")],
        ["studies/berg2018.yaml:2:8: theme: expected one of a, b (the theme keys in review.yaml) but got 'c' "
         "[error]"],
        id="theme-not-declared"),
    pytest.param(
        [("theme: a", "theme: Features of social support-oriented services")],
        ["studies/berg2018.yaml:2:8: theme: expected one of a, b (the theme keys in review.yaml) but got "
         "'Features of social support-oriented services' (did you mean 'b'? write the key, not the label) "
         "[error]"],
        id="theme-label-instead-of-key"),
    pytest.param(
        [("theme: a\n", "theme: a\nsubtheme: statuss\n")],
        ["studies/berg2018.yaml:3:11: subtheme: expected one of status (the sub-themes of theme 'a') but got "
         "'statuss' (did you mean 'status'?) [error]"],
        id="subtheme-typo"),
    pytest.param(
        [("theme: a\n", "theme: b\nsubtheme: status\n")],
        ["studies/berg2018.yaml:3:11: subtheme: theme 'b' has no sub-themes in review.yaml: remove the subtheme "
         "line or declare it under the theme [error]"],
        id="subtheme-of-a-theme-without-subthemes"),
    pytest.param(
        [("research_question: How do service users describe support from friends during recovery?",
          "research_question: [How, why]")],
        ["studies/berg2018.yaml:7:20: research_question: expected text but got a list [error]"],
        id="list-where-text-expected"),
    pytest.param(
        [("  internal: Small purposive sample.", "  internal:\n    sample: small")],
        ["studies/berg2018.yaml:15:5: validity.internal: expected text but got a mapping (field: value lines) "
         "[error]"],
        id="mapping-where-text-expected"),
    pytest.param(
        [("research_question: How do service users describe support from friends during recovery?",
          "research_question:")],
        [],
        id="empty-text-is-not-reported"),
    pytest.param(
        [("n: null", "n: about 40")],
        ["studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
         "(or null when not reported) but got 'about 40' [error]"],
        id="text-where-number-expected"),
    pytest.param(
        [("n: null", "n: -4")],
        ["studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
         "(or null when not reported) but got -4: counts cannot be negative [error]"],
        id="negative-count"),
    pytest.param(
        [("n: null", "n: 2,819")],
        ["studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
         "(or null when not reported) but got '2,819'; write it without separators: 2819 [error]"],
        id="thousands-separator"),
    pytest.param(
        [("n: null", "n: '40'")],
        ["studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
         "(or null when not reported) but got '40'; remove the quotes [error]"],
        id="quoted-number"),
    pytest.param(
        [("n: null", "n: 12.5")],
        ["studies/berg2018.yaml:10:6: participants.n: expected the number of participants as a whole number "
         "(or null when not reported) but got '12.5' [error]"],
        id="fraction"),
    pytest.param(
        [("participants:\n  description: Service users in community mental health care\n  n: null",
          "participants: 12 service users")],
        ["studies/berg2018.yaml:8:15: participants: expected field: value lines (the participants "
         "(description, n)) but got '12 service users' [error]"],
        id="text-where-mapping-expected"),
    pytest.param(
        [("findings:\n  - Friends offered a sense of ordinary life.", "findings: []")],
        ["studies/berg2018.yaml:11:11: findings: expected at least one finding, one '- statement' per line; "
         "write null when the study reports none [error]"],
        id="no-findings"),
    pytest.param(
        [("keywords: [social support, recovery, friendship]", "keywords: social support, recovery")],
        ["studies/berg2018.yaml:16:11: keywords: expected a list of keywords such as [first, second] or one "
         "'- item' per line but got 'social support, recovery' [error]"],
        id="text-where-list-expected"),
    pytest.param(
        [("keywords: [social support, recovery, friendship]", "keywords: [social support, [a, b]]")],
        ["studies/berg2018.yaml:16:28: keywords.1: expected text but got a list [error]"],
        id="list-in-list"),
    pytest.param(
        [("country: Norway", "country: Norwy")],
        ["studies/berg2018.yaml:3:10: country: 'Norwy' is in no country group of review.yaml (western, "
         "non_western) (did you mean 'Norway'?); add it to the members of one group [warning]"],
        id="country-in-no-group-is-a-warning"),
    pytest.param(
        [("country: Norway", "country: [Norway, Peru]")],
        ["studies/berg2018.yaml:3:19: country.1: 'Peru' is in no country group of review.yaml (western, "
         "non_western); add it to the members of one group [warning]"],
        id="second-country-in-no-group"),
    pytest.param(
        [("country: Norway", "country: []")],
        ["studies/berg2018.yaml:3:10: country: expected a country or a list of countries but the list is empty; "
         "write null when the study does not report it [error]"],
        id="no-country"),
    pytest.param(
        [("country: Norway", "country:")],
        [],
        id="empty-country-is-not-reported"),
    pytest.param(
        [("keywords:", "population: sever\nkeywords:")],
        ["studies/berg2018.yaml:16:13: population: expected one of severe, moderate, context-specific "
         "(study_fields 'population' in review.yaml) but got 'sever' (did you mean 'severe'?) [error]"],
        id="declared-field-outside-its-choices"),
]


@pytest.mark.parametrize("replacements, expected", STUDY_CASES)
def test_study_file_mistakes(tmp_path, replacements, expected):
    assert problems_after(tmp_path, BERG, *replacements) == expected


def test_report_key_that_cannot_be_cited(tmp_path):
    files = changed(minimal_project_files(), BERG, "theme: a\n", "theme: a\nreports: [berg 2018b]\n")
    files = changed(files, REVIEW, "total_reports: 4", "total_reports: 5")
    assert [str(p) for p in load_project(write_files(tmp_path, files)).problems] == [
        "studies/berg2018.yaml:3:11: reports.0: 'berg 2018b' cannot be a citation key (the manuscript cites it "
        "as [@key]): use letters, digits and _ - : . / only, e.g. smith2020"]


REVIEW_CASES = [
    pytest.param(
        [("  - key: b\n", "  - key: a\n")],
        ["review.yaml:11:10: themes.1.key: theme 'a' is declared twice (first at line 6): each needs its own key "
         "[error]"],
        id="duplicate-theme"),
    pytest.param(
        [("    label: Features of social support-oriented services\n", "")],
        ["review.yaml:11:5: themes.1.label: missing required field 'label' in a theme: "
         "add 'label: …' to this item [error]"],
        id="theme-without-label"),
    pytest.param(
        [("      - key: status\n", "      - key: status\n        label: Again\n      - key: status\n")],
        ["review.yaml:11:14: themes.0.subthemes.1.key: sub-theme 'status' is declared twice (first at line 9): "
         "each needs its own key [error]"],
        id="duplicate-subtheme"),
    pytest.param(
        [("  - key: b\n", "  - key: b c\n")],
        ["review.yaml:11:10: themes.1.key: a theme key 'b c' may contain only letters, digits, '-' and '_' "
         "(it is used in study files and placeholders such as {{ n.theme.a }}) [error]"],
        id="theme-key-with-space"),
    pytest.param(
        [("\nthemes:\n  - key: a\n", "\nthemes: []\nold_themes:\n  - key: a\n")],
        ["review.yaml:5:9: themes: declare at least one theme (key and label) [error]",
         "review.yaml:6:1: old_themes: unknown field 'old_themes' (did you mean 'themes'?) [error]"],
        id="no-themes"),
    pytest.param(
        [("type: scoping", "type: scopin")],
        ["review.yaml:3:7: type: expected one of scoping, systematic but got 'scopin' (did you mean 'scoping'?) "
         "[error]"],
        id="review-type"),
    pytest.param(
        [("study_fields:", "stdy_fields:")],
        ["review.yaml:28:1: stdy_fields: unknown field 'stdy_fields' (did you mean 'study_fields'?) [error]"],
        id="unknown-top-level-field-without-cascade"),
    pytest.param(
        [("  orientation:\n", "  orientaton:\n")],
        ["review.yaml:15:3: vocabularies.orientaton: unknown field 'orientaton' (did you mean 'orientation'?) "
         "[error]"],
        id="vocabulary-typo-without-cascade"),
    pytest.param(
        [("    - {key: review, label: review, abbreviation: REV}",
          "    - {key: review, label: review, abbreviation: REV}\n    - qualitative")],
        ["review.yaml:19:7: vocabularies.orientation.3: orientation 'qualitative' is declared twice (first at "
         "line 16): each needs its own key [error]"],
        id="duplicate-term"),
    pytest.param(
        [("members: [Malaysia, China]", "members: [Malaysia, China, USA]")],
        ["review.yaml:26:32: country_groups.non_western.members.2: 'USA' is already in group 'western': a country "
         "belongs to one group [error]"],
        id="country-in-two-groups"),
    pytest.param(
        [("    type: choice\n", "    type: choise\n")],
        ["review.yaml:31:11: study_fields.0.type: expected one of text, integer, number, choice, list but got 'choise' "
         "(did you mean 'choice'?) [error]"],
        id="study-field-type"),
    pytest.param(
        [("  - name: population", "  - name: theme")],
        ["review.yaml:29:11: study_fields.0.name: 'theme' is already a field of every study: choose another name "
         "[error]"],
        id="study-field-shadows-a-built-in"),
    pytest.param(
        [("    required: false", "    required: no")],
        ["review.yaml:33:15: study_fields.0.required: expected true or false but got 'no' [error]"],
        id="yes-no-boolean"),
    pytest.param(
        [("{field: design, heading: Design}", "{field: desing, heading: Design}")],
        ["review.yaml:41:15: table.columns.2.field: expected one of study, research_question, participants, "
         "findings, design, validity, population but got 'desing' (did you mean 'design'?) [error]"],
        id="table-column-names-no-field"),
    pytest.param(
        [("width: 2}", "width: -2}")],
        ["review.yaml:42:56: table.columns.3.width: expected a width above 0 but got -2 [error]"],
        id="column-width"),
    pytest.param(
        [("dbr_assessed: 53", "dbr_assessed: fifty-three")],
        ["review.yaml:60:17: prisma.dbr_assessed: expected a whole number of 0 or more (or null when not "
         "reported) but got 'fifty-three' [error]"],
        id="prisma-text"),
    pytest.param(
        [("dbr_assessed: 53", "dbr_assessed: -53")],
        ["review.yaml:60:17: prisma.dbr_assessed: expected a whole number of 0 or more (or null when not "
         "reported) but got -53: counts cannot be negative [error]"],
        id="prisma-negative"),
    pytest.param(
        [("  duplicates: null", "  duplicate: null")],
        ["review.yaml:57:3: prisma.duplicate: unknown field 'duplicate' (did you mean 'duplicates'?) [error]"],
        id="prisma-typo"),
    pytest.param(
        [("{name: CINAHL, records: null}", "{name: CINAHL, records: many}")],
        ["review.yaml:54:31: prisma.databases.0.records: expected a whole number of 0 or more (or null when not "
         "reported) but got 'many' [error]"],
        id="prisma-source-records"),
    pytest.param(
        [("  - key: b\n", "  - key: b\n    order: 1\n")],
        ["review.yaml:12:12: themes.1.order: themes 'a' and 'b' both have order 1: give each theme its own order "
         "(or none: list order is used) [error]"],
        id="theme-order-twice"),
]


@pytest.mark.parametrize("replacements, expected", REVIEW_CASES)
def test_review_yaml_mistakes(tmp_path, replacements, expected):
    assert problems_after(tmp_path, REVIEW, *replacements) == expected


def test_review_values(tmp_path):
    review = load_project(write_files(tmp_path, minimal_project_files())).review
    assert review.review_type == "scoping"
    assert [(t.key, t.order, [s.key for s in t.subthemes]) for t in review.themes] == [
        ("a", 1, ["status"]), ("b", 2, [])]
    assert [(t.key, t.abbreviation) for t in review.orientations] == [
        ("qualitative", "QUAL"), ("quantitative", "QUAN"), ("review", "REV")]
    assert review.country_groups == {"western": ("Norway", "USA", "Canada"), "non_western": ("Malaysia", "China")}
    assert review.country_group_labels == {"western": "western", "non_western": "non-western"}
    (population,) = review.extra_fields
    assert (population.name, population.type, population.required, population.choices) == (
        "population", "choice", False, ("severe", "moderate", "context-specific"))
    assert [(c.field, c.width) for c in review.table_columns] == [
        ("study", 1.2), ("research_question", None), ("design", None), ("findings", 2.0)]
    assert review.search.databases[1] == "PsycINFO (Ovid)"
    assert review.search.last_search == "2020-01"
    prisma = review.prisma
    assert (prisma.database_records, prisma.dbr_assessed, prisma.duplicates) == (2819, 53, None)
    assert [(s.name, s.records) for s in prisma.databases] == [("CINAHL", None), ("PsycINFO (Ovid)", None)]


def test_themes_follow_their_order_field(tmp_path):
    files = changed(minimal_project_files(), REVIEW, "  - key: a\n", "  - key: a\n    order: 2\n")
    files = changed(files, REVIEW, "  - key: b\n", "  - key: b\n    order: 1\n")
    review = load_project(write_files(tmp_path, files)).review
    assert [t.key for t in review.themes] == ["b", "a"]


# ------------------------------------------------------------- declared study fields


EXTRA_FIELDS = """\
study_fields:
  - name: population
    label: mental health problems studied
    type: choice
    choices: [severe, moderate, context-specific]
    required: true
  - name: setting
    type: text
  - name: follow_up_months
    type: integer
  - name: outcomes
    type: list
    choices: [recovery, wellbeing, symptoms]
"""


def review_with_extra_fields() -> dict[str, str]:
    files = minimal_project_files()
    start = files[REVIEW].index("study_fields:")
    end = files[REVIEW].index("table:")
    return {**files, REVIEW: files[REVIEW][:start] + EXTRA_FIELDS + "\n" + files[REVIEW][end:]}


def test_declared_fields_land_in_extra(tmp_path):
    files = review_with_extra_fields()
    files = changed(files, AHMAD, "population: moderate\n",
                    "population: moderate\nsetting: outpatient clinic\nfollow_up_months: 6\n"
                    "outcomes: [recovery, symptoms]\n")
    files = changed(files, BERG, "keywords:", "population: severe\nkeywords:")
    project = load_project(write_files(tmp_path, files))
    assert [str(p) for p in project.problems] == []
    ahmad, berg, carter = project.studies
    assert ahmad.extra == {"population": "moderate", "setting": "outpatient clinic", "follow_up_months": 6,
                           "outcomes": ("recovery", "symptoms")}
    assert berg.extra == {"population": "severe"}
    assert str(ahmad.positions["outcomes.1"]) == "studies/ahmad2020.yaml:23:22"


def test_declared_field_mistakes(tmp_path):
    files = review_with_extra_fields()
    files = changed(files, AHMAD, "population: moderate\n",
                    "population: moderate\nsetting: [clinic]\nfollow_up_months: six\noutcomes: [recovery, joy]\n")
    project = load_project(write_files(tmp_path, files))
    assert [str(p) for p in project.problems] == [
        "studies/ahmad2020.yaml:21:10: setting: expected text but got a list",
        "studies/ahmad2020.yaml:22:19: follow_up_months: expected a whole number of 0 or more (or null when not "
        "reported) but got 'six'",
        "studies/ahmad2020.yaml:23:22: outcomes.1: expected one of recovery, wellbeing, symptoms (study_fields "
        "'outcomes' in review.yaml) but got 'joy'",
        "studies/berg2018.yaml:1:1: population: missing required field 'population' in a study file: "
        "add a line 'population: …'",
    ]


def test_undeclared_field_is_unknown(tmp_path):
    files = changed(minimal_project_files(), REVIEW, "  - name: population", "  - name: populations")
    problems = [str(p) for p in load_project(write_files(tmp_path, files)).problems]
    assert problems == [
        "studies/ahmad2020.yaml:20:1: population: unknown field 'population' (did you mean 'populations'?)",
        "studies/carter2019.yaml:16:1: population: unknown field 'population' (did you mean 'populations'?)",
    ]


# ------------------------------------------- not reported (null), questions, samples (issue 10)

SMITH = "studies/smith2021.yaml"
HIJNEN = "studies/hijnen2020.yaml"
SYSTEMATIC_REVIEW = "review.yaml"


def systematic_problems(tmp_path, path: str, *replacements: tuple[str, str]) -> list[str]:
    """Messages of the second test review with text replaced in one file."""
    files = systematic_project_files()
    for old, new in replacements:
        files = changed(files, path, old, new)
    return [f"{p} [{p.severity}]" for p in load_project(write_files(tmp_path, files)).problems]


def test_the_second_review_is_clean_and_reads_nulls_as_not_reported(tmp_path):
    project = load_project(write_files(tmp_path, systematic_project_files()))
    assert [str(p) for p in project.problems] == []
    studies = {s.id: s for s in project.studies}
    smith, who, lee = studies["smith2021"], studies["who2020"], studies["lee2022"]
    assert (smith.design.orientation, smith.research_question, smith.validity, smith.keywords) == (
        None, None, None, ())
    assert smith.design.method == "Follow-up of a nursing home outbreak"
    assert (who.design.orientation, who.design.method, who.countries) == (None, None, ())
    assert (who.participants.description, who.participants.n, who.participants.samples) == (None, None, ())
    assert (lee.validity, lee.keywords, lee.countries) == (None, (), ())  # optional fields left out
    assert smith.questions == ("q1", "q2") and who.questions == ("q2",)
    assert project.review.themes == () and project.review.table_group_by == "none"
    assert project.review.required_fields == ("research_question", "participants", "findings")
    assert project.review.prisma.studies_without_files == 2


def test_samples_give_the_total_when_every_n_is_known(tmp_path):
    studies = {s.id: s for s in load_project(write_files(tmp_path, systematic_project_files())).studies}
    oconnor, hijnen = studies["oconnor2019"].participants, studies["hijnen2020"].participants
    assert [(s.description, s.n) for s in oconnor.samples] == [("Ship A", 20), ("Ship B", 16)]
    assert (oconnor.n, oconnor.samples_known) == (36, 36)
    assert (hijnen.n, hijnen.samples_known) == (None, 12)  # one sample does not report n: total unknown


NOT_REPORTED_CASES = [
    pytest.param(SMITH, ("research_question: null", "research_question: NR"),
                 "studies/smith2021.yaml:7:20: research_question: 'NR' looks like \"not reported\"; "
                 "write null instead [warning]", id="NR"),
    pytest.param(SMITH, ("research_question: null", "research_question: N/A"),
                 "studies/smith2021.yaml:7:20: research_question: 'N/A' looks like \"not reported\"; "
                 "write null instead [warning]", id="N/A"),
    pytest.param(SMITH, ("research_question: null", 'research_question: ""'),
                 "studies/smith2021.yaml:7:20: research_question: '' looks like \"not reported\"; "
                 "write null instead [warning]", id="empty-quotes"),
    pytest.param(SMITH, ("  orientation: null", "  orientation: not reported"),
                 "studies/smith2021.yaml:5:16: design.orientation: 'not reported' looks like \"not reported\"; "
                 "write null instead [warning]", id="choice-field"),
    pytest.param(SMITH, ("country: USA", "country: unknown"),
                 "studies/smith2021.yaml:3:10: country: 'unknown' looks like \"not reported\"; "
                 "write null instead [warning]", id="country"),
    pytest.param(HIJNEN, ("  external: null", "  external: '-'"),
                 "studies/hijnen2020.yaml:17:13: validity.external: '-' looks like \"not reported\"; "
                 "write null instead [warning]", id="dash"),
    pytest.param(SMITH, ("  n: 40", "  n: NR"),
                 "studies/smith2021.yaml:10:6: participants.n: 'NR' looks like \"not reported\"; "
                 "write null instead [warning]", id="number-field"),
    pytest.param(SMITH, ("n_asymptomatic: 10", "n_asymptomatic: n/a"),
                 "studies/smith2021.yaml:15:17: n_asymptomatic: 'n/a' looks like \"not reported\"; "
                 "write null instead [warning]", id="declared-number-field"),
    pytest.param(SMITH, ("keywords: null", "keywords: [nursing homes, NR]"),
                 "studies/smith2021.yaml:14:27: keywords.1: 'NR' looks like \"not reported\"; "
                 "write null instead [warning]", id="list-item"),
    pytest.param(HIJNEN, ("Cluster 2 (workplace)", "NA"),
                 "studies/hijnen2020.yaml:12:21: participants.samples.1.description: 'NA' looks like "
                 "\"not reported\"; write null instead [warning]", id="sample-description"),
]


@pytest.mark.parametrize("path, replacement, expected", NOT_REPORTED_CASES)
def test_not_reported_texts_warn_with_the_fix(tmp_path, path, replacement, expected):
    assert systematic_problems(tmp_path, path, replacement) == [expected]


def test_a_not_reported_text_is_read_as_null(tmp_path):
    files = changed(systematic_project_files(), SMITH, "research_question: null", "research_question: n/a")
    files = changed(files, SMITH, "  orientation: null", "  orientation: NR")
    smith = next(s for s in load_project(write_files(tmp_path, files)).studies if s.id == "smith2021")
    assert (smith.research_question, smith.design.orientation) == (None, None)


SYSTEMATIC_CASES = [
    pytest.param(HIJNEN, [("    - {description: Cluster 2 (workplace), n: null}",
                           "    - {description: Cluster 2 (workplace), n: 30}"),
                          ("  description: Contacts of one index case", "  description: Contacts\n  n: 40")],
                 ["studies/hijnen2020.yaml:10:6: participants.n: says 40 but the samples add up to 42 (12 + 30); "
                  "the total is computed from the samples: remove this n, or correct the numbers [error]"],
                 id="typed-total-disagrees-with-samples"),
    pytest.param(HIJNEN, [("  description: Contacts of one index case", "  description: Contacts\n  n: 10")],
                 ["studies/hijnen2020.yaml:10:6: participants.n: says 10, fewer than the 12 in the sample that "
                  "reports n; the total is computed from the samples: remove this n, or correct the numbers [error]"],
                 id="typed-total-below-known-samples"),
    pytest.param(HIJNEN, [("  description: Contacts of one index case", "  description: Contacts\n  n: 30")],
                 [], id="typed-total-with-a-sample-not-reporting-n"),
    pytest.param(HIJNEN, [("    - {description: Cluster 1 (family), n: 12}", "    - {description: Cluster 1}")],
                 ["studies/hijnen2020.yaml:11:7: participants.samples.0.n: missing required field 'n' in a sample "
                  "(description, n): add 'n: …' to this item [error]"],
                 id="sample-without-n"),
    pytest.param(HIJNEN, [("questions: [q1]", "questions: [q4]")],
                 ["studies/hijnen2020.yaml:2:13: questions.0: expected one of q1, q2, q3 (the question keys in "
                  "review.yaml) but got 'q4' [error]"],
                 id="unknown-question"),
    pytest.param(HIJNEN, [("questions: [q1]\n", "")],
                 ["studies/hijnen2020.yaml:1:1: questions: missing required field 'questions' in a study file: "
                  "add a line 'questions: …' [error]"],
                 id="questions-required-when-declared"),
    pytest.param(HIJNEN, [("questions: [q1]", "questions: []")],
                 ["studies/hijnen2020.yaml:2:12: questions: expected the keys of the review questions this study "
                  "addresses, e.g. questions: [q1] [error]"],
                 id="no-question"),
    pytest.param(HIJNEN, [("questions: [q1]", "questions: [q1]\ntheme: a")],
                 ["studies/hijnen2020.yaml:3:8: theme: review.yaml declares no themes: remove the theme line, or "
                  "declare the themes in review.yaml [error]"],
                 id="theme-without-themes"),
    pytest.param(HIJNEN, [("findings:\n  - Three of twelve family contacts never had symptoms.\n", "")],
                 ["studies/hijnen2020.yaml:1:1: findings: missing required field 'findings' in a study file: "
                  "add a line 'findings: …' [error]"],
                 id="required-field-missing"),
    pytest.param(HIJNEN, [("findings:\n  - Three of twelve family contacts never had symptoms.\n",
                           "findings: null\n")],
                 [], id="required-field-null"),
    pytest.param(SYSTEMATIC_REVIEW, [("required_fields: [research_question, participants, findings]",
                                      "required_fields: [research_question, participant]")],
                 ["review.yaml:14:38: required_fields.1: expected one of country, design, research_question, "
                  "participants, findings, validity, keywords, n_asymptomatic but got 'participant' (did you mean "
                  "'participants'?) [error]"],
                 id="required-field-unknown"),
    pytest.param(SYSTEMATIC_REVIEW, [("  questions: [q1]", "  questions: [q9]")],
                 ["review.yaml:28:15: table.questions.0: expected one of q1, q2, q3 but got 'q9' [error]"],
                 id="table-question-unknown"),
    pytest.param(SYSTEMATIC_REVIEW, [("  group_by: none", "  group_by: theme")],
                 ["review.yaml:29:13: table.group_by: review.yaml declares no themes: write group_by: none (or "
                  "question), or declare themes: [error]"],
                 id="group-by-theme-without-themes"),
    pytest.param(SYSTEMATIC_REVIEW, [("  group_by: none", "  group_by: questions")],
                 ["review.yaml:29:13: table.group_by: expected one of theme, question, none but got 'questions' "
                  "(did you mean 'question'?) [error]"],
                 id="group-by-typo"),
    pytest.param(SYSTEMATIC_REVIEW, [("  group_by: none", "  group_by: none\n  study_label: authors")],
                 ["review.yaml:30:16: table.study_label: expected one of author-year, citation but got 'authors' "
                  "[error]"],
                 id="study-label-unknown"),
]


@pytest.mark.parametrize("path, replacements, expected", SYSTEMATIC_CASES)
def test_second_review_mistakes(tmp_path, path, replacements, expected):
    assert systematic_problems(tmp_path, path, *replacements) == expected


def test_default_required_fields_are_todays_list(tmp_path):
    files = changed(minimal_project_files(), BERG, "keywords: [social support, recovery, friendship]\n", "")
    assert [str(p) for p in load_project(write_files(tmp_path, files)).problems] == [
        "studies/berg2018.yaml:1:1: keywords: missing required field 'keywords' in a study file: "
        "add a line 'keywords: …'"]
    files = changed(minimal_project_files(), BERG, "keywords: [social support, recovery, friendship]",
                    "keywords: null")
    assert [str(p) for p in load_project(write_files(tmp_path / "null", files)).problems] == []


PRISMA_CASES = [
    pytest.param([("  studies_without_files: 2\n", "")],
                 ["review.yaml:43:18: prisma.total_studies: says 7 included studies, but studies/ has 5 study files; "
                  "if 2 included studies have no study file (e.g. they answer only another review question), write "
                  "studies_without_files: 2 under prisma: in review.yaml; otherwise correct the number or "
                  "add/remove study files [error]"],
                 id="total-above-study-files"),
    pytest.param([("studies_without_files: 2", "studies_without_files: 3")],
                 ["review.yaml:43:18: prisma.total_studies: says 7 included studies, but studies/ has 5 study files "
                  "and prisma.studies_without_files says 3: 8 in all; correct the number, the study files or "
                  "prisma.studies_without_files [error]"],
                 id="studies-without-files-wrong"),
]


@pytest.mark.parametrize("replacements, expected", PRISMA_CASES)
def test_prisma_total_against_study_files_and_studies_without_files(tmp_path, replacements, expected):
    files = systematic_project_files()
    for old, new in replacements:
        files = changed(files, SYSTEMATIC_REVIEW, old, new)
    project = load_project(write_files(tmp_path, files))
    problems = check_arithmetic(project.review.prisma, len(project.studies))
    assert [f"{p} [{p.severity}]" for p in problems] == expected


# Any value in any field of a study gives problems or a study that Table 1 and the counts can use, never a traceback.
FIELD_LINES = ["questions: [q1]", "country: Germany", "  orientation: outbreak",
               "  method: Investigation of two clusters after a conference",
               "research_question: How many infected contacts had no symptoms?",
               "  description: Contacts of one index case", "    - {description: Cluster 1 (family), n: 12}",
               "  internal: Symptoms recorded by telephone.", "keywords: [outbreak]", "n_asymptomatic: 3"]
VALUES = ["null", "NR", "[]", "{}", "''", "12", "-1", "[NR, x]", "{n: 1}", "~"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(FIELD_LINES), st.sampled_from(VALUES)), min_size=1, max_size=4,
                unique_by=lambda pair: pair[0]))
def test_any_value_anywhere_gives_problems_or_a_usable_study(tmp_path_factory, changes):
    files = systematic_project_files()
    for line, value in changes:
        key = line.split(":")[0] if not line.lstrip().startswith("- ") else "    - "
        new = f"{key}: {value}" if not line.lstrip().startswith("- ") else f"    - {value}"
        files = changed(files, HIJNEN, line, new)
    project = load_project(write_files(tmp_path_factory.mktemp("any"), files))
    if not project.errors:
        compute_counts(project)
        render_table1(project, "", "", citations_name_authors=False)
