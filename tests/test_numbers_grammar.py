"""Count-phrase grammar added after held-out batch 15, each rule shown on reviews unlike that batch's.

Two invented reviews (their vocabularies and counts given review.yaml-shaped, as the held-out
batches give theirs): a household water-treatment review in rural settings, with an integer field
whose label is a noun and a participle clause, and a vaccination-uptake review whose included
studies outnumber its study files and whose measures are children and unvaccinated children.
"""

from __future__ import annotations

import pytest

from charter.checking.numbers import claims_in_text
from number_scenarios import scenario_lexicon


def _counts(rows: list[tuple[str, int, str]]) -> list[dict]:
    return [{"name": n, "value": v, "meaning": m} for n, v, m in rows]


WATER = scenario_lexicon({
    "title": "Household water treatment in rural areas: a scoping review",
    "themes": [
        {"key": "a", "label": "Uptake of treatment methods", "subthemes": [
            {"key": "chlorine", "label": "Chlorination at the point of use"},
            {"key": "filters", "label": "Ceramic and biosand filters"}]},
        {"key": "b", "label": "Health effects of treated water", "subthemes": []},
    ],
    "orientation": [
        {"key": "cluster", "label": "cluster trial"},
        {"key": "case-control", "label": "case-control design"},
        {"key": "ethnographic", "label": "ethnographic"},
    ],
    "country_groups": {
        "east_africa": {"label": "East Africa", "members": ["Kenya", "Uganda", "Tanzania"]},
        "south_asia": {"label": "South Asia", "members": ["India", "Bangladesh"]},
    },
    "questions": [
        {"key": "q1", "label": "adoption of treatment"},
        {"key": "q2", "label": "sustained use"},
        {"key": "q3", "label": "diarrhoeal disease"},
    ],
    "study_fields": [{"name": "households", "label": "households visited at baseline", "type": "integer"}],
    "counts": _counts([
        ("included", 47, "included studies"),
        ("themes", 2, "themes"),
        ("theme.a", 30, "studies in theme (a) Uptake of treatment methods"),
        ("subtheme.a.chlorine", 18, "studies in sub-theme Chlorination at the point of use"),
        ("subtheme.a.filters", 12, "studies in sub-theme Ceramic and biosand filters"),
        ("theme.b", 17, "studies in theme (b) Health effects of treated water"),
        ("orientation.cluster", 21, "studies with a cluster trial design"),
        ("orientation.case-control", 6, "studies with a case-control design design"),
        ("orientation.ethnographic", 20, "studies with a ethnographic design"),
        ("questions", 3, "review questions"),
        ("question.q1", 25, "studies addressing question q1 (adoption of treatment)"),
        ("question.q2", 16, "studies addressing question q2 (sustained use)"),
        ("question.q3", 13, "studies addressing question q3 (diarrhoeal disease)"),
        ("countries", 5, "distinct countries of the included studies"),
        ("country.kenya", 15, "studies from Kenya"),
        ("country.uganda", 8, "studies from Uganda"),
        ("country.tanzania", 5, "studies from Tanzania"),
        ("country.india", 11, "studies from India"),
        ("country.bangladesh", 8, "studies from Bangladesh"),
        ("country_group.east_africa", 28, "studies from East Africa"),
        ("country_group.south_asia", 19, "studies from South Asia"),
        ("prisma.dbr_assessed", 160, "full-text reports assessed for eligibility"),
        ("prisma.dbr_excluded", 113, "full-text reports excluded"),
        ("households.total", 9120, "households visited at baseline: sum over the studies that report it"),
        ("households.median", 140, "households visited at baseline: median per study"),
        ("households.min", 12, "households visited at baseline: smallest value in a study"),
        ("households.max", 800, "households visited at baseline: largest value in a study"),
        ("households.reported", 43, "studies reporting households visited at baseline"),
        ("households.not_reported", 4, "studies not reporting households visited at baseline"),
    ]),
})

VACCINES = scenario_lexicon({
    "title": "Childhood vaccination uptake: a systematic review",
    "orientation": [{"key": "cohort", "label": "cohort"}, {"key": "survey", "label": "household survey"}],
    "study_fields": [{"name": "n_unvaccinated", "label": "children unvaccinated at enrolment", "type": "integer"}],
    "table": {"columns": [{"field": "participants", "heading": "Children enrolled"}]},
    "counts": _counts([
        ("included", 60, "included studies with a study file"),
        ("prisma.total_studies", 64, "studies included in the review (PRISMA)"),
        ("prisma.studies_without_files", 4, "included studies without a study file"),
        ("orientation.cohort", 35, "studies with a cohort design"),
        ("orientation.survey", 25, "studies with a household survey design"),
        ("participants.total", 51200, "participants: sum over the studies that report it"),
        ("participants.median", 420, "participants: median per study"),
        ("participants.min", 30, "participants: smallest value in a study"),
        ("participants.max", 9000, "participants: largest value in a study"),
        ("participants.reported", 58, "studies reporting participants"),
        ("participants.not_reported", 2, "studies not reporting participants"),
        ("n_unvaccinated.total", 7300, "children unvaccinated at enrolment: sum over the studies that report it"),
        ("n_unvaccinated.median", 60, "children unvaccinated at enrolment: median per study"),
        ("n_unvaccinated.min", 0, "children unvaccinated at enrolment: smallest value in a study"),
        ("n_unvaccinated.max", 2100, "children unvaccinated at enrolment: largest value in a study"),
        ("n_unvaccinated.reported", 51, "studies reporting children unvaccinated at enrolment"),
        ("n_unvaccinated.not_reported", 9, "studies not reporting children unvaccinated at enrolment"),
    ]),
})


def claims(text: str, lexicon) -> list[tuple[int, str]]:
    return [(f.claim.number, f.claim.count) for f in claims_in_text(text, lexicon)]


@pytest.mark.parametrize("text, expected", [
    pytest.param("Across the studies, 9,210 households were visited in all.", [(9210, "households.total")],
                 id="total-by-head-noun"),
    pytest.param("The studies surveyed between 12 and 800 households (median 140).",
                 [(12, "households.min"), (800, "households.max"), (140, "households.median")], id="range-and-median"),
    pytest.param("Four studies did not say how many households they visited.", [(4, "households.not_reported")],
                 id="not-reported"),
])
def test_a_measure_labelled_with_a_participle_clause_is_named_by_its_head_noun(text, expected):
    """"households visited at baseline": prose says "households"."""
    assert claims(text, WATER) == expected


@pytest.mark.parametrize("text, expected", [
    pytest.param("Villages held 20 to 60 households each.", [], id="per-village"),
    pytest.param("Clusters had between 8 and 30 households.", [], id="per-cluster"),
    pytest.param("Trials had 12 to 800 households.", [(12, "households.min"), (800, "households.max")],
                 id="per-study-still-counts"),
])
def test_a_range_of_a_measure_per_another_unit_is_not_the_studies_range(text, expected):
    assert claims(text, WATER) == expected


@pytest.mark.parametrize("text, expected", [
    pytest.param("The fewest households visited in any one study was 12.", [(12, "households.min")], id="fewest"),
    pytest.param("The largest number of households in a study was 801.", [(801, "households.max")], id="largest"),
    pytest.param("The fewest unvaccinated children found in a study was 0.", [(0, "n_unvaccinated.min")], id="zero"),
])
def test_a_superlative_subject_states_the_measures_extreme(text, expected):
    lexicon = VACCINES if "vaccinated" in text else WATER
    assert claims(text, lexicon) == expected


def test_a_measures_head_noun_after_a_number_is_what_it_counts():
    """"involved 310 households": households, not the studies of the design named before."""
    assert claims("One cluster trial in Uganda involved 310 households.", WATER) == []
    assert claims("Twenty-one cluster trials were included.", WATER) == [(21, "orientation.cluster")]


def test_people_said_to_be_what_a_narrower_measure_counts_name_that_measure():
    assert claims("Nine studies did not report how many children were unvaccinated.", VACCINES) == [
        (9, "n_unvaccinated.not_reported")]
    assert claims("Two studies did not report how many children they enrolled.", VACCINES) == [
        (2, "participants.not_reported")]


def test_a_label_word_in_a_table_row_is_no_label_across_the_cell_boundary():
    text = "| Design | Studies |\n|---|---|\n| Cluster trial | 21 |\n| Case-control design | 7 |\n"
    assert claims(text, WATER) == [(21, "orientation.cluster"), (7, "orientation.case-control")]
    assert claims("Trial 3 used chlorine tablets.", WATER) == []  # a label in prose is still one


def test_in_a_list_a_labels_own_word_beats_a_word_many_labels_share():
    """*design* alone is a weak word (of "case-control design"); "Ethnographic designs (20)" is ethnographic."""
    assert claims("Ethnographic designs (20) and cluster trials (21) dominated.", WATER) == [
        (20, "orientation.ethnographic"), (21, "orientation.cluster")]


def test_a_step_verb_right_before_a_count_without_noun_is_its_own():
    assert claims("We read 160 full texts and excluded 113.", WATER) == [
        (160, "prisma.dbr_assessed"), (113, "prisma.dbr_excluded")]
    assert claims("Full texts assessed (n = 160); included (n = 47).", WATER) == [
        (160, "prisma.dbr_assessed"), (47, "included")]


def test_a_bare_ordinal_after_any_ordinal_with_its_noun_names_that_place():
    assert claims("Our first question was addressed by 25 studies and our third by 13.", WATER) == [
        (25, "question.q1"), (13, "question.q3")]


def test_several_countries_make_their_group_only_when_named_together():
    assert claims("Eight studies were Ugandan and eleven Indian, behind Kenya with 15.", WATER) == [
        (8, "country.uganda"), (11, "country.india"), (15, "country.kenya")]
    assert claims("Thirteen studies came from Uganda and Tanzania.", WATER) == [(13, "country_group.east_africa")]


def test_the_qualifiers_of_a_whole_without_a_number_are_the_wholes():
    """"N of the cluster trials" is a part of the cluster trials, not their count: a cross-tabulation."""
    assert claims("In four of the cluster trials, chlorine was supplied free.", WATER) == []
    assert claims("Three of the Kenyan studies were case-control designs.", WATER) == []
    assert claims("Nine of the 47 studies were case-control designs.", WATER) == [
        (9, "orientation.case-control"), (47, "included")]
    # a narrower part the data counts is still one: a sub-theme of the whole's theme
    assert claims("Eighteen of the uptake studies concerned chlorination at the point of use.", WATER) == [
        (18, "subtheme.a.chlorine")]


def test_a_relative_part_of_the_included_studies_is_the_files_when_its_clause_says_so():
    assert claims("The review includes 64 studies, 60 of which have a study file.", VACCINES) == [
        (64, "prisma.total_studies"), (60, "included")]


def test_this_review_as_the_owner_of_an_earlier_version_does_not_bring_its_numbers_back():
    assert claims("A previous version of this review included 38 studies.", WATER) == []
    assert claims("This review included 47 studies.", WATER) == [(47, "included")]


def test_across_studies_sums_a_measure():
    assert claims("Across studies, 7,300 children were unvaccinated at enrolment.", VACCINES) == [
        (7300, "n_unvaccinated.total")]


def test_a_count_opening_the_sentence_after_in_frames_the_clause_after_it():
    """"In N <noun>, <clause>": in how many studies the clause holds; the noun phrase names no count."""
    assert claims("In five cluster trials, households received free chlorine.", WATER) == []
    assert claims("In 3 ethnographic studies the researchers lived in the villages.", WATER) == []
    # a qualifier of the clause still names the count
    assert claims("In 15 studies, the households visited were in Kenya.", WATER) == [(15, "country.kenya")]


def test_a_framed_part_takes_its_qualifier_from_the_clause_not_from_its_whole():
    assert claims("In 4 of the 60 studies with a study file, all the children came from one clinic.", VACCINES) == [
        (60, "included")]
    assert claims("In 14 of the 47 studies, the households visited were in India.", WATER) == [
        (14, "country.india"), (47, "included")]


def test_meeting_the_inclusion_criteria_is_inclusion_after_records_or_full_texts():
    assert claims("Of the 160 full texts, 47 met the inclusion criteria.", WATER) == [
        (160, "prisma.dbr_assessed"), (47, "included")]
    assert claims("Of the records found, 160 were read in full and 47 met the inclusion criteria.", WATER) == [
        (160, "prisma.dbr_assessed"), (47, "included")]


def test_without_one_after_study_files_stands_for_without_a_study_file():
    assert claims("The review includes 64 studies; 60 have a study file and the other 4 are reports without one.",
                  VACCINES) == [(64, "prisma.total_studies"), (60, "included"), (4, "prisma.studies_without_files")]


def test_included_with_an_object_the_review_names_is_the_studies_verb():
    assert claims("Six studies included only case-control designs.", WATER) == [(6, "orientation.case-control")]
    assert claims("Eleven studies included Indian villages.", WATER) == [(11, "country.india")]
    assert claims("Forty-seven studies were included in the review.", WATER) == [(47, "included")]
