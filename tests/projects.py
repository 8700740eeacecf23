"""A small valid project that tests can write into tmp_path and then break on purpose.

Usage::

    from conftest import write_files            # tests/ is on sys.path under pytest
    from projects import minimal_project_files

    files = minimal_project_files()
    files["studies/carter2019.yaml"] = files["studies/carter2019.yaml"].replace("theme: a", "theme: z")
    root = write_files(tmp_path, files)

The numbers are chosen so each count is distinct and easy to assert:
3 studies; theme a has 2 (one in sub-theme "status"), theme b has 1;
orientations 1 qualitative, 1 quantitative, 1 review; 2 studies have the
keyword "social support"; 1 study is from a non-western country (Malaysia);
2,819 records identified; 53 full texts assessed; 4 references in bib/
(the 3 studies and one further report of study ahmad2020).
"""

from __future__ import annotations

REVIEW_YAML = """\
title: Social support and recovery from mental health problems
question: What is known about social support and recovery from mental health problems?
type: scoping

themes:
  - key: a
    label: Associations between mental health and social support
    subthemes:
      - key: status
        label: Social support and mental health status
  - key: b
    label: Features of social support-oriented services

vocabularies:
  orientation:
    - {key: qualitative, label: qualitative, abbreviation: QUAL}
    - {key: quantitative, label: quantitative, abbreviation: QUAN}
    - {key: review, label: review, abbreviation: REV}

country_groups:
  western:
    label: western
    members: [Norway, USA, Canada]
  non_western:
    label: non-western
    members: [Malaysia, China]

study_fields:
  - name: population
    label: mental health problems studied
    type: choice
    choices: [severe, moderate, context-specific]
    required: false

table:
  caption: Characteristics of the included studies
  note: "QUAL = qualitative; QUAN = quantitative; REV = review."
  columns:
    - {field: study, heading: "Study (country)", width: 1.2}
    - {field: research_question, heading: Research question}
    - {field: design, heading: Design}
    - {field: findings, heading: Main findings, width: 2}

search:
  databases: [CINAHL, PsycINFO (Ovid), Medline, SocINDEX, Web of Science]
  date_from: "2000-01"
  date_to: 2020-01
  last_search: 2020-01
  languages: [English, Norwegian]
  terms: [social support, mental health recovery]

prisma:
  databases:
    - {name: CINAHL, records: null}
    - {name: PsycINFO (Ovid), records: null}
  database_records: 2819
  duplicates: null
  records_screened: null
  records_excluded: null
  dbr_assessed: 53
  dbr_excluded: 49  # 53 assessed − 4 reports of the 3 included studies
  dbr_excluded_reasons:
    - {reason: Not about social support, count: null}
  new_studies: 3
  new_reports: 4
  total_studies: 3
  total_reports: 4
"""

STUDY_AHMAD = """\
id: ahmad2020
reports: [ahmad2021]
theme: a
subtheme: status
country: Malaysia
design:
  orientation: quantitative
  method: Survey of outpatients with regression analysis
research_question: Does perceived support relate to depressive symptoms among outpatients?
participants:
  description: Adult psychiatric outpatients
  n: 120
findings:
  - More perceived support went with fewer depressive symptoms.
  - Family support mattered most.
validity:
  internal: Cross-sectional; self-report measures.
  external: One clinic.
keywords: [social support, depression]
population: moderate
"""

STUDY_BERG = """\
id: berg2018
theme: a
country: Norway
design:
  orientation: qualitative
  method: Semi-structured interviews, thematic analysis
research_question: How do service users describe support from friends during recovery?
participants:
  description: Service users in community mental health care
  n: null
findings:
  - Friends offered a sense of ordinary life.
validity:
  internal: Small purposive sample.
  external: Norwegian municipal services only.
keywords: [social support, recovery, friendship]
"""

STUDY_CARTER = """\
id: carter2019
theme: b
country: [USA, Canada]
design:
  orientation: review
  method: Narrative review of peer support programmes
research_question: What features do peer support services share?
participants:
  description: Published evaluations of peer support programmes
findings:
  - Most programmes paired users with trained peers.
validity:
  internal: No quality appraisal of the sources.
  external: English-language literature only.
keywords: [peer support]
population: severe
"""

BIB = """\
% References of the minimal test project. UTF-8.
@article{ahmad2020,
  author  = {Ahmad, Nurul and Lim, Wei},
  title   = {Perceived support and depression among outpatients},
  journal = {Journal of Affective Disorders},
  year    = {2020},
}

@article{ahmad2021,
  author  = {Ahmad, Nurul and Tan, Mei},
  title   = {Family support and depressive symptoms: a follow-up},
  journal = {Asian Journal of Psychiatry},
  year    = 2021,
}

@article{berg2018,
  author  = {Berg, Øystein and Sæther, Åse},
  title   = {Friends and recovery: service users' accounts},
  journal = {Nordic Social Work Research},
  year    = {2018},
}

@book{carter2019,
  author    = "Carter, James",
  title     = "Peer support services: a review",
  publisher = {Routledge},
  year      = {2019},
}
"""

METADATA_YAML = """\
title: Social support and recovery from mental health problems
subtitle: a scoping review
authors:
  - name: Kari Nordmann
    affiliation: 1
    orcid: 0000-0002-1825-0097
    corresponding: true
    email: kari.nordmann@example.org
affiliations:
  - id: 1
    name: Department of Health Sciences, Example University, Norway
abstract: |
  We mapped {{ n.included }} studies on social support and recovery.
keywords: [social support, recovery, scoping review]
funding: None.
acknowledgements: We thank the librarians.
disclosure: The authors report no conflict of interest.
csl: apa
"""

SECTION_INTRODUCTION = """\
# Introduction

We included {{ n.included }} studies in this review [@ahmad2020; @berg2018].
@carter2019 described the features of peer support services.
"""


def minimal_project_files() -> dict[str, str]:
    """Return {relative path: text} of a small valid project (write it with conftest.write_files)."""
    return {
        "review.yaml": REVIEW_YAML,
        "studies/ahmad2020.yaml": STUDY_AHMAD,
        "studies/berg2018.yaml": STUDY_BERG,
        "studies/carter2019.yaml": STUDY_CARTER,
        "bib/references.bib": BIB,
        "manuscript/metadata.yaml": METADATA_YAML,
        "manuscript/01-introduction.md": SECTION_INTRODUCTION,
    }


def changed(files: dict[str, str], path: str, old: str, new: str) -> dict[str, str]:
    """Return a copy of files with one exact piece of text replaced in one file (it must be there once)."""
    assert files[path].count(old) == 1, f"{old!r} is not once in {path}"
    return {**files, path: files[path].replace(old, new)}


# ------------------------------------------------------- a second, different review
#
# A small systematic review (synthetic: the authors and numbers are made up for the tests)
# unlike the reference in every way issue 10 names: three review questions, no themes, a
# numeric citation style (Vancouver), studies with several samples, "not reported" (null)
# values, a declared number field, fewer required fields, and two included studies that have
# no study file. The counts it gives, worked out by hand:
#   studies: 5 files (hijnen2020, lee2022, oconnor2019, smith2021, who2020) + 2 without files = 7
#   question.q1 = 4 (all but who2020), question.q2 = 2 (smith2021, who2020), question.q3 = 1 (lee2022)
#   participants n: hijnen2020 null (samples 12 + null), smith2021 40, oconnor2019 20 + 16 = 36,
#     who2020 null (participants: null), lee2022 200 -> total 276, median 40, min 36, max 200,
#     reported 3, not reported 2; samples 4 (2 in hijnen2020, 2 in oconnor2019)
#   n_asymptomatic: 3, 10, null, 0, 50 -> total 63, median (3 + 10) / 2 = 6.5, min 0, max 50,
#     reported 4, not reported 1
#   orientation: outbreak 2 (hijnen2020, oconnor2019), screening 1 (lee2022), contact 0,
#     not reported 2 (smith2021, who2020); country not reported 2 (lee2022, who2020)

SYSTEMATIC_REVIEW_YAML = """\
title: Asymptomatic infection in contact and outbreak investigations
question: How often do infections remain asymptomatic, and how do asymptomatic people transmit?
type: systematic

questions:
  - key: q1
    label: What proportion of infections remain asymptomatic?
    short: asymptomatic proportion
  - key: q2
    label: How infectious are people with asymptomatic infection?
  - key: q3
    label: What proportion of transmission comes from asymptomatic people?

required_fields: [research_question, participants, findings]

vocabularies:
  orientation:
    - {key: outbreak, label: outbreak investigation, abbreviation: OI}
    - {key: screening, label: screening study, abbreviation: SCR}
    - {key: contact, label: contact investigation, abbreviation: CI}

study_fields:
  - {name: n_asymptomatic, label: asymptomatic participants, type: integer}

table:
  caption: "Studies of question 1 (N = {{ n.question.q1 }})"
  note: "OI = outbreak investigation; SCR = screening study; CI = contact investigation."
  questions: [q1]
  group_by: none
  columns:
    - {field: study, heading: Study}
    - {field: participants, heading: Participants, width: 1.5}
    - {field: design, heading: Design}
    - {field: n_asymptomatic, heading: Asymptomatic}
    - {field: findings, heading: Main findings, width: 2}
    - {field: validity, heading: Validity}

prisma:
  database_records: 1200
  dbr_assessed: 40
  dbr_excluded: 33
  new_studies: 7
  total_studies: 7
  studies_without_files: 2
"""

STUDY_HIJNEN = """\
id: hijnen2020
questions: [q1]
country: Germany
design:
  orientation: outbreak
  method: Investigation of two clusters after a conference
research_question: How many infected contacts had no symptoms?
participants:
  description: Contacts of one index case
  samples:
    - {description: Cluster 1 (family), n: 12}
    - {description: Cluster 2 (workplace), n: null}
findings:
  - Three of twelve family contacts never had symptoms.
validity:
  internal: Symptoms recorded by telephone.
  external: null
keywords: [outbreak]
n_asymptomatic: 3
"""

STUDY_SMITH = """\
id: smith2021
questions: [q1, q2]
country: USA
design:
  orientation: null
  method: Follow-up of a nursing home outbreak
research_question: null
participants:
  description: Residents of one nursing home
  n: 40
findings:
  - A quarter of infected residents stayed free of symptoms.
validity: null
keywords: null
n_asymptomatic: 10
"""

STUDY_OCONNOR = """\
id: oconnor2019
questions: [q1]
country: Ireland
design:
  orientation: outbreak
  method: Serological survey of two ships
research_question: How many crew members were infected without symptoms?
participants:
  description: Crew members
  samples:
    - {description: Ship A, n: 20}
    - {description: Ship B, n: 16}
findings:
  - Asymptomatic infection was common on both ships.
validity:
  internal: Serology only.
  external: Young, healthy crews.
keywords: [ships]
n_asymptomatic: null
"""

STUDY_WHO = """\
id: who2020
questions: [q2]
country: null
design:
  orientation: null
  method: null
research_question: How infectious are asymptomatic people?
participants: null
findings:
  - Asymptomatic people transmit less often than symptomatic people.
n_asymptomatic: 0
"""

STUDY_LEE = """\
id: lee2022
questions: [q1, q3]
design:
  orientation: screening
  method: Screening of all arrivals at a quarantine hotel
research_question: How many arrivals who tested positive had no symptoms?
participants:
  description: International arrivals
  n: 200
findings:
  - Half of those who tested positive had no symptoms.
n_asymptomatic: 50
"""

SYSTEMATIC_BIB = """\
@article{hijnen2020,
  author  = {Hijnen, Dirk and Marzano, Angelo V. and Eyerich, Kilian and others},
  title   = {{SARS-CoV-2} transmission from presymptomatic meeting attendee, {Germany}},
  journal = {Emerging Infectious Diseases},
  year    = {2020},
}

@article{smith2021,
  author  = {Smith, Jane},
  title   = {Asymptomatic infection in a nursing home},
  journal = {Journal of Infection},
  year    = {2021},
}

@article{oconnor2019,
  author  = {O'Connor, Se{\\'a}n and M{\\"u}ller, J{\\"u}rgen},
  title   = {Silent infection at sea},
  journal = {Epidemiology and Infection},
  year    = {2019},
}

@techreport{who2020,
  author      = {{World Health Organization}},
  title       = {Transmission of {SARS-CoV-2}: implications for infection prevention precautions},
  institution = {World Health Organization},
  year        = {2020},
}

@article{lee2022,
  author  = {Min-jun Lee and Ji-woo Park and Soo Kim},
  title   = {Screening arrivals at a quarantine hotel},
  journal = {Journal of Travel Medicine},
  year    = {2022},
}
"""

SYSTEMATIC_METADATA_YAML = """\
title: Asymptomatic infection in contact and outbreak investigations
subtitle: a systematic review
authors:
  - name: Ana Lima
    affiliation: 1
    corresponding: true
    email: ana.lima@example.org
affiliations:
  - id: 1
    name: Institute of Public Health, Example University
abstract: |
  We included {{ n.prisma.total_studies }} studies.
keywords: [asymptomatic infection, systematic review]
csl: vancouver
"""

SYSTEMATIC_RESULTS = """\
# Results

Of {{ n.prisma.total_studies }} included studies, {{ n.question.q1 }} addressed the first question
[@hijnen2020; @smith2021; @oconnor2019; @lee2022] and {{ n.question.q2 }} the second [@who2020].
They studied {{ n.participants.total }} participants (median {{ n.participants.median }} per study,
range {{ n.participants.min }} to {{ n.participants.max }}); {{ n.participants.not_reported | words }}
did not report how many. The median number of asymptomatic participants was
{{ n.n_asymptomatic.median }}. @tbl-studies describes the studies of the first question; @fig-prisma shows
how they were found.

{{ table:studies }}

{{ figure:prisma }}
"""


def systematic_project_files() -> dict[str, str]:
    """Return {relative path: text} of the second test review (see the comment above for its counts)."""
    return {
        "review.yaml": SYSTEMATIC_REVIEW_YAML,
        "studies/hijnen2020.yaml": STUDY_HIJNEN,
        "studies/smith2021.yaml": STUDY_SMITH,
        "studies/oconnor2019.yaml": STUDY_OCONNOR,
        "studies/who2020.yaml": STUDY_WHO,
        "studies/lee2022.yaml": STUDY_LEE,
        "bib/references.bib": SYSTEMATIC_BIB,
        "manuscript/metadata.yaml": SYSTEMATIC_METADATA_YAML,
        "manuscript/01-results.md": SYSTEMATIC_RESULTS,
    }
