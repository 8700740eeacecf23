"""Write a synthetic Charter review of N studies: the benchmark's input.

The texts are the reference review's own study texts, shuffled word by word
with a seeded random generator, so every field keeps a realistic length and
vocabulary and the same N always gives the same files. Authors include
non-ASCII names (Bjørlykhaug, 王, Muhammad bin Abdullah); studies fall into
three themes with sub-themes; the PRISMA block adds up to N; the manuscript
has placeholders, Table 1, Figure 1 and cites every study once.

    python -m benchmarks.generate 300 /tmp/review-300
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent

FAMILY_NAMES = [
    "Bjørlykhaug", "王", "Muhammad bin Abdullah", "Sæther", "Müller", "Nguyễn", "García-López", "Østergaard",
    "Kowalczyk", "Þórsdóttir", "Öztürk", "李", "Smith", "Okonkwo", "Karlsson", "Kleppe", "Dubois", "Ivanova",
    "Tanaka", "Hernández", "O'Brien", "Van der Berg", "Björk", "Şahin", "Nakamura", "Andersen", "Murphy",
]
GIVEN_NAMES = ["Knut Ivar", "Li", "Ahmad", "Ingrid", "Jürgen", "Thi Lan", "María José", "Søren", "Agnieszka",
               "Guðrún", "Ayşe", "Wei", "Sarah B.", "Chinedu", "Bengt", "Lise C.", "Amélie", "Olga"]
SLUG = {"王": "wang", "李": "li", "Þórsdóttir": "thorsdottir"}
# Syllables for made-up family names: a real review of thousands of studies has thousands of first
# authors, so author-year citations are rarely ambiguous (ambiguous ones make citeproc much slower).
ONSETS = ["B", "D", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "V", "W", "Z", "Br", "Ch", "Kr", "St"]
NUCLEI = ["a", "e", "i", "o", "u", "ø", "å", "é", "ai", "ou"]
CODAS = ["", "n", "r", "s", "l", "m", "k", "rt", "nd", "ss"]
COUNTRIES = ["Norway", "Sweden", "England", "Scotland", "USA", "Canada", "Australia", "Netherlands",
             "Malaysia", "China", "International"]
THEMES = {  # key -> (label, {sub-theme key: label})
    "a": ("Associations between mental health and social support",
          {"status": "Social support, mental health status and support preferences",
           "severe": "Social support in the lives of people with severe mental health problems"}),
    "b": ("Features of social support-oriented services",
          {"direct": "Social support as a direct strategy of services",
           "indirect": "Social support strengthened indirectly (housing, income)"}),
    "c": ("Social support across the life course", {}),
}
ORIENTATIONS = ["qualitative", "quantitative", "review", "conceptual", "mixed-methods", "case-study"]
NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "twenty", "thirty", "hundred", "thousand", "half", "third", "quarter", "single",
                "both", "none", "once", "twice", "first", "second", "majority", "most", "all", "every"}
BACKGROUND = 24  # background references cited in the introduction and discussion


def _reference_texts() -> dict[str, list[str]]:
    """Every text of the reference review's study files, by field."""
    texts: dict[str, list[str]] = {}
    for path in sorted((REPO / "studies").glob("*.yaml")):
        study = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, value in (("research_question", study["research_question"]),
                            ("method", study["design"]["method"]),
                            ("description", study["participants"]["description"]),
                            ("internal", study["validity"]["internal"]),
                            ("external", study["validity"]["external"])):
            texts.setdefault(name, []).append(str(value))
        texts.setdefault("findings", []).append(json.dumps(study["findings"]))
        texts.setdefault("keywords", []).extend(str(k) for k in study["keywords"])
    return texts


def _prose_words(texts: dict[str, list[str]]) -> list[str]:
    """Words for generated prose: no digits and no number words (the number check would ask about them)."""
    words = []
    for name in ("research_question", "method", "description", "internal", "external"):
        for text in texts[name]:
            for word in text.split():
                bare = re.sub(r"\W", "", word).lower()
                if bare and not any(ch.isdigit() for ch in word) and bare not in NUMBER_WORDS \
                        and not re.search(r"[\[\]{}@*_#<>`|\\$~^]", word):
                    words.append(word.strip(".,;:()?!\"'"))
    return [w for w in words if w]


def _shuffled(text: str, rng: random.Random) -> str:
    words = text.split()
    rng.shuffle(words)
    return " ".join(words)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _sentence(words: list[str], rng: random.Random, length: int) -> str:
    chosen = [rng.choice(words) for _ in range(length)]
    return (chosen[0][:1].upper() + chosen[0][1:] + " " + " ".join(chosen[1:])).rstrip() + "."


def _family_name(rng: random.Random) -> str:
    """One of the listed names (one author in ten), else a made-up two-syllable name such as 'Brøndahl'."""
    if rng.random() < 0.1:
        return rng.choice(FAMILY_NAMES)
    return "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS) for _ in range(2)).capitalize()


def _suffix(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _slug(name: str) -> str:
    import unicodedata

    name = SLUG.get(name, name).translate(str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ð": "d",
                                                         "å": "a"}))
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", folded) or "anon"


def _bib_entry(key: str, authors: list[tuple[str, str]], year: int, title: str, journal: str) -> str:
    names = " and ".join(f"{{{family}}}, {given}" if " " in family else f"{family}, {given}"
                         for family, given in authors)
    return (f"@article{{{key},\n  author  = {{{names}}},\n  title   = {{{title}}},\n"
            f"  journal = {{{journal}}},\n  year    = {{{year}}},\n  volume  = {{{year % 50 + 1}}},\n"
            f"  pages   = {{{year % 97 + 1}--{year % 97 + 15}}}\n}}\n")


def _study_yaml(key: str, theme: str, subtheme: str | None, countries: list[str], orientation: str,
                texts: dict[str, list[str]], rng: random.Random, reports: list[str]) -> str:
    pick = lambda name: _shuffled(rng.choice(texts[name]), rng)  # noqa: E731
    findings = [_shuffled(f, rng) for f in json.loads(rng.choice(texts["findings"]))]
    keywords = sorted(set(rng.sample(texts["keywords"], 4)))
    n = rng.choice([None, rng.randint(5, 20000)])
    lines = [f"id: {key}"]
    if reports:
        lines.append(f"reports: [{', '.join(reports)}]")
    lines.append(f"theme: {theme}")
    if subtheme:
        lines.append(f"subtheme: {subtheme}")
    lines.append(f"country: {_q(countries[0])}" if len(countries) == 1
                 else "country: [" + ", ".join(_q(c) for c in countries) + "]")
    lines += ["design:", f"  orientation: {orientation}", f"  method: {_q(pick('method'))}",
              f"research_question: {_q(pick('research_question'))}",
              "participants:", f"  description: {_q(pick('description'))}", f"  n: {'null' if n is None else n}",
              "findings:", *(f"  - {_q(f)}" for f in findings),
              "validity:", f"  internal: {_q(pick('internal'))}", f"  external: {_q(pick('external'))}",
              "keywords: [" + ", ".join(_q(k) for k in keywords) + "]",
              f"population: {rng.choice(['severe', 'moderate', 'context-specific'])}"]
    return "\n".join(lines) + "\n"


def _review_yaml(n_studies: int, n_reports: int) -> str:
    excluded = max(3, n_studies // 2)
    themes = []
    for key, (label, subs) in THEMES.items():
        themes.append(f"  - key: {key}\n    label: {_q(label)}")
        if subs:
            themes.append("    subthemes:\n" + "\n".join(f"      - key: {k}\n        label: {_q(v)}"
                                                        for k, v in subs.items()))
    orientations = "\n".join(f"    - {{key: {o}, label: {o}, abbreviation: {o[:4].upper()}}}" for o in ORIENTATIONS)
    return f"""\
title: "A synthetic scoping review of {n_studies} studies on social support and recovery"
question: What is known about social support and recovery from mental health problems?
type: scoping

themes:
{chr(10).join(themes)}

vocabularies:
  orientation:
{orientations}

country_groups:
  western:
    label: western
    members: [Australia, Canada, England, Netherlands, Norway, Scotland, Sweden, USA, International]
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
  caption: "Characteristics of the included studies (N = {{{{ n.included }}}}), by theme"
  note: "Studies are grouped by theme. QUAL = qualitative; QUAN = quantitative; REVI = review."
  columns:
    - {{field: study, heading: "Study (country)", width: 1.2}}
    - {{field: research_question, heading: "Research question", width: 1.6}}
    - {{field: participants, heading: "Participants", width: 1.4}}
    - {{field: findings, heading: "Main findings", width: 2.4}}
    - {{field: design, heading: "Design", width: 1.2}}
    - {{field: validity, heading: "Internal and external validity", width: 1.6}}

search:
  databases: [CINAHL, PsycINFO (Ovid), Medline, SocINDEX, Web of Science]
  date_from: "2000-01"
  date_to: "2020-01"
  last_search: "2020-01"
  languages: [English, Nordic languages]
  terms: [Social support, Mental health recovery]

prisma:
  databases:
    - {{name: CINAHL, records: {n_studies * 20}}}
    - {{name: PsycINFO (Ovid), records: {n_studies * 15}}}
    - {{name: Medline, records: {n_studies * 25}}}
    - {{name: SocINDEX, records: {n_studies * 5}}}
    - {{name: Web of Science, records: {n_studies * 35}}}
  database_records: {n_studies * 100}
  registers: []
  register_records: null
  duplicates: {n_studies * 10}
  excluded_automatic: null
  excluded_other: null
  records_screened: {n_studies * 90}
  records_excluded: {n_studies * 90 - n_reports - excluded - 2}
  dbr_sought_reports: {n_reports + excluded + 2}
  dbr_notretrieved_reports: 2
  dbr_assessed: {n_reports + excluded}
  dbr_excluded: {excluded}
  dbr_excluded_reasons:
    - {{reason: Poor study design, count: {excluded - excluded // 3}}}
    - {{reason: Personal viewpoint, count: {excluded // 3}}}
  other_sources: []
  previous_studies: null
  previous_reports: null
  new_studies: {n_studies}
  new_reports: {n_reports}
  total_studies: {n_studies}
  total_reports: {n_reports}
"""


def _sections(groups: dict[str, list[str]], words: list[str], rng: random.Random) -> dict[str, str]:
    background = [f"bg{i:02d}" for i in range(1, BACKGROUND + 1)]
    para = lambda cites: " ".join(_sentence(words, rng, rng.randint(14, 30)) for _ in range(4)) \
        + f" [{'; '.join('@' + c for c in cites)}]."  # noqa: E731
    intro = "# Introduction\n\n" + "\n\n".join(para(background[i:i + 3]) for i in range(0, 12, 3)) + "\n"
    method = ("# Method\n\n" + para(background[12:14]) + "\n\n"
              "We searched {{ n.databases | words }} databases and found {{ n.prisma.identified }} records. "
              "After removing {{ n.prisma.duplicates }} duplicates we screened {{ n.prisma.records_screened }} "
              "records and assessed {{ n.prisma.dbr_assessed }} full texts, of which we excluded "
              "{{ n.prisma.dbr_excluded }}; {{ n.included }} studies are included, as @fig-prisma shows.\n\n"
              "{{ figure:prisma }}\n")
    findings = ["# Findings", "@tbl-studies gives an overview of the {{ n.included }} included studies: "
                "{{ n.orientation.qualitative }} qualitative and {{ n.orientation.quantitative }} quantitative. "
                "{{ n.theme.a | Words }} belong to the first theme, {{ n.theme.b }} to the second and "
                "{{ n.theme.c }} to the third.", "{{ table:studies }}"]
    for theme, (label, _) in THEMES.items():
        findings.append(f"## {label}")
        ids = groups[theme]
        for start in range(0, len(ids), 4):
            chunk = ids[start:start + 4]
            text = f"@{chunk[0]} reported that " + _sentence(words, rng, rng.randint(12, 24)).lower()
            if chunk[1:]:
                text += " " + para(chunk[1:])
            findings.append(text)
    discussion = "# Discussion\n\n" + "\n\n".join(para(background[i:i + 2]) for i in range(14, 22, 2)) + "\n"
    conclusion = "# Conclusion\n\n" + para(background[22:24]) + "\n"
    return {"01-introduction.md": intro, "02-method.md": method, "03-findings.md": "\n\n".join(findings) + "\n",
            "04-discussion.md": discussion, "05-conclusion.md": conclusion}


def generate(n_studies: int, root: Path, seed: int = 2021) -> Path:
    """Write a synthetic review of n_studies studies into root (created or emptied); return root."""
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    for folder in ("studies", "bib", "manuscript", "templates"):
        (root / folder).mkdir(parents=True)
    rng = random.Random(seed)
    texts = _reference_texts()
    words = _prose_words(texts)
    themes = [(t, s) for t, (_, subs) in THEMES.items() for s in [*subs, None]]
    included, others, groups = [], [], {t: [] for t in THEMES}
    n_reports = 0
    for index in range(n_studies):
        authors = [(_family_name(rng), rng.choice(GIVEN_NAMES)) for _ in range(rng.randint(1, 4))]
        if index < 3:  # the three names the issue asks for, always present
            authors[0] = (("Bjørlykhaug", "Knut Ivar"), ("王", "Li"), ("Muhammad bin Abdullah", "Ahmad"))[index]
        year = 2000 + rng.randint(0, 20)
        key = f"{_slug(authors[0][0])}{year}{_suffix(index)}"
        theme, subtheme = themes[index % len(themes)]
        groups[theme].append(key)
        reports = [f"{key}r"] if index % 10 == 9 else []
        n_reports += 1 + len(reports)
        title = _sentence(texts["research_question"][index % len(texts["research_question"])].split(), rng, 12)
        journal = rng.choice(["Nordic Social Work Research", "Psychiatric Services", "Social Psychiatry and "
                              "Psychiatric Epidemiology", "Community Mental Health Journal"])
        included.append(_bib_entry(key, authors, year, title.rstrip("."), journal))
        for report in reports:
            included.append(_bib_entry(report, authors, year + 1, title.rstrip(".") + ": follow-up", journal))
        countries = rng.sample(COUNTRIES, 2) if index % 17 == 5 else [COUNTRIES[index % len(COUNTRIES)]]
        orientation = ORIENTATIONS[index % len(ORIENTATIONS)]
        (root / "studies" / f"{key}.yaml").write_text(
            _study_yaml(key, theme, subtheme, countries, orientation, texts, rng, reports), encoding="utf-8")
    for i in range(1, BACKGROUND + 1):
        others.append(_bib_entry(f"bg{i:02d}", [(rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES))],
                                 1990 + i, _sentence(words, rng, 10).rstrip("."), "Background Journal"))
    (root / "bib" / "included.bib").write_text("\n".join(included), encoding="utf-8")
    (root / "bib" / "background.bib").write_text("\n".join(others), encoding="utf-8")
    (root / "review.yaml").write_text(_review_yaml(n_studies, n_reports), encoding="utf-8")
    for name, text in _sections(groups, words, rng).items():
        (root / "manuscript" / name).write_text(text, encoding="utf-8")
    shutil.copy2(REPO / "manuscript" / "metadata.yaml", root / "manuscript" / "metadata.yaml")
    for template in (REPO / "charter" / "templates").iterdir():
        if template.is_file():
            shutil.copy2(template, root / "templates" / template.name)
    return root


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
