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
