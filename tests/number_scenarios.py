"""Score the number check on a labelled batch of sentences (tests/data/heldout/batch-N.yaml).

A batch names its scenarios — the reference review, or invented reviews given as
review.yaml-shaped vocabulary plus every count (name, value, meaning) — and its
sentences, each labelled with the (number, count) pairs a reader understands it to
state. ``load_batch`` builds one ``Lexicon`` per scenario exactly as ``invoke check``
builds it from a project (``Lexicon.build(counts, Vocabulary)``), and ``score``
gives precision and recall two ways:

- by number: over (number, count) pairs, as tests/test_numbers.py scores;
- by sentence: a sentence the check reads as stating something is right only when
  it finds exactly the labelled pairs; precision = right / sentences with a finding,
  recall = right / sentences labelled with at least one pair.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from charter.document.counts import Count, slug
from charter.checking.numbers import Lexicon, Vocabulary, claims_in_text

REPO = Path(__file__).resolve().parent.parent
HELDOUT = Path(__file__).parent / "data" / "heldout"


def reference_counts() -> dict[str, Count]:
    """The counts of the reference review, fixed here so the accuracy tests do not move with the data."""
    rows = [
        ("included", 29, "included studies"),
        ("reports", 29, "reports (papers) of the included studies"),
        ("themes", 2, "themes"),
        ("theme.a", 13, "studies in theme (a) Associations between mental health and social support"),
        ("subtheme.a.status", 8, "studies in sub-theme Social support, mental health status and support preferences"),
        ("subtheme.a.severe", 5, "studies in sub-theme Social support in the lives of people with severe mental "
                                 "health problems"),
        ("theme.b", 16, "studies in theme (b) Features of social support-oriented services"),
        ("subtheme.b.direct", 11, "studies in sub-theme Social support as a direct strategy of services"),
        ("subtheme.b.indirect", 5, "studies in sub-theme Social support strengthened indirectly (housing, income)"),
        ("orientation.qualitative", 9, "studies with a qualitative design"),
        ("orientation.quantitative", 13, "studies with a quantitative design"),
        ("orientation.review", 3, "studies with a literature review design"),
        ("orientation.conceptual", 2, "studies with a conceptual framework design"),
        ("orientation.mixed-methods", 1, "studies with a mixed-method evaluation design"),
        ("orientation.case-study", 1, "studies with a naturalistic case study design"),
        ("countries", 11, "distinct countries of the included studies"),
        ("country.australia", 1, "studies from Australia"),
        ("country.canada", 2, "studies from Canada"),
        ("country.china", 1, "studies from China"),
        ("country.england", 3, "studies from England"),
        ("country.international", 3, "studies from International"),
        ("country.malaysia", 1, "studies from Malaysia"),
        ("country.netherlands", 1, "studies from Netherlands"),
        ("country.norway", 5, "studies from Norway"),
        ("country.scotland", 1, "studies from Scotland"),
        ("country.sweden", 1, "studies from Sweden"),
        ("country.usa", 10, "studies from USA"),
        ("country_group.western", 27, "studies from western countries"),
        ("country_group.non_western", 2, "studies from non-western countries"),
        ("keyword.peer_support", 3, 'studies with "peer support" among their keywords'),
        ("keyword.recovery", 9, 'studies with "recovery" among their keywords'),
        ("keyword.social_support", 20, 'studies with "social support" among their keywords'),
        ("population.severe", 12, "studies with mental health problems studied severe"),
        ("databases", 5, "databases searched"),
        ("prisma.identified", 2819, "records identified from databases"),
        ("prisma.database.cinahl", None, "records from CINAHL"),
        ("prisma.database.psycinfo_ovid", None, "records from PsycINFO (Ovid)"),
        ("prisma.database_records", 2819, "records identified from databases"),
        ("prisma.duplicates", None, "duplicate records removed before screening"),
        ("prisma.records_screened", None, "records screened"),
        ("prisma.records_excluded", None, "records excluded after screening"),
        ("prisma.dbr_sought_reports", None, "reports sought for retrieval"),
        ("prisma.dbr_notretrieved_reports", None, "reports not retrieved"),
        ("prisma.dbr_assessed", 53, "full-text reports assessed for eligibility"),
        ("prisma.dbr_excluded", 24, "full-text reports excluded"),
        ("prisma.new_studies", 29, "new studies included"),
        ("prisma.total_studies", 29, "studies included in the review (PRISMA)"),
        ("prisma.total_reports", 29, "reports of included studies (PRISMA)"),
    ]
    return {name: Count(name, value, meaning) for name, value, meaning in rows}


def reference_vocabulary() -> Vocabulary:
    """The reference review's own vocabulary, read from this repository's review.yaml."""
    return Vocabulary.from_mapping(yaml.safe_load((REPO / "review.yaml").read_text(encoding="utf-8")))


def reference_lexicon() -> Lexicon:
    return Lexicon.build(reference_counts(), reference_vocabulary())


def heldout_reference_counts() -> dict[str, Count]:
    """The reference review's counts as the held-out batches' writers saw them: every count of
    ``invoke counts`` (tests/data/heldout/reference-counts.json, written by
    ``invoke counts --format json`` on 2026-12-01), not only the subset reference_counts() fixes."""
    data = json.loads((HELDOUT / "reference-counts.json").read_text(encoding="utf-8"))
    return {name: Count(name, row["value"], row["meaning"]) for name, row in data.items()}


def example_lexicon(name: str) -> Lexicon:
    """An example review's Lexicon as the batches' writers saw its counts: every count of
    ``invoke counts`` (tests/data/heldout/<name>-counts.json, written by ``invoke counts
    --format json`` in examples/<name>), with the vocabulary read from its review.yaml."""
    data = json.loads((HELDOUT / f"{name}-counts.json").read_text(encoding="utf-8"))
    counts = {key: Count(key, row["value"], row["meaning"]) for key, row in data.items()}
    review = yaml.safe_load((REPO / "examples" / name / "review.yaml").read_text(encoding="utf-8"))
    return Lexicon.build(counts, Vocabulary.from_mapping(review))


def scenario_lexicon(scenario: dict | str) -> Lexicon:
    """The Lexicon ``invoke check`` would build for a scenario of a batch: "reference", an example
    review by its folder name under examples/ (e.g. "asymptomatic-covid"), or an invented review."""
    if scenario == "reference":
        return Lexicon.build(heldout_reference_counts(), reference_vocabulary())
    if isinstance(scenario, str):
        return example_lexicon(scenario)
    counts = {c["name"]: Count(c["name"], c.get("value"), c.get("meaning", "")) for c in scenario.get("counts") or ()}
    return Lexicon.build(counts, Vocabulary.from_mapping(scenario))


@dataclass
class Batch:
    name: str
    path: Path
    lexicons: dict[str, Lexicon]
    sentences: list[dict]
    header: dict = field(default_factory=dict)  # everything but the sentences and scenarios


def load_batch(path: Path) -> Batch:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lexicons = {name: scenario_lexicon(s) for name, s in (data.get("scenarios") or {}).items()}
    header = {k: v for k, v in data.items() if k not in ("scenarios", "sentences")}
    return Batch(str(data.get("batch", path.stem)), path, lexicons, list(data["sentences"]), header)


# Counts that are one and the same number under two names (the batches' labelling conventions):
# a claim under either name matches a label under the other, when their values agree.
EQUIVALENT = {"prisma.total_studies": "included", "prisma.new_studies": "included",
              "prisma.total_reports": "reports", "prisma.new_reports": "reports",
              "prisma.database_records": "prisma.identified"}


def found_in(item: dict, lexicon: Lexicon) -> set[tuple[int, str]]:
    """The (number, count) pairs the check finds in an item's text (after its context, if any). The context
    is the line before the text (a line break inside a paragraph is a space to the reader), so a table's
    header row and its row stay two rows."""
    before = item.get("before") or ""
    text = f"{before}\n{item['text']}" if before else item["text"]
    return {(f.claim.number, same_count(f.claim.count, lexicon))
            for f in claims_in_text(text, lexicon) if f.offset >= len(before)}


def same_count(name: str, lexicon: Lexicon) -> str:
    """The name a count is scored under: its EQUIVALENT when the two have the same value in this
    review (in the second example, 146 studies are included but 134 have a study file, so there
    ``prisma.total_studies`` and ``included`` are two counts)."""
    other = EQUIVALENT.get(name)
    if other is None and name.startswith("country_group."):
        # a group of one country counts the same studies as that country (batch 13's convention:
        # Oceania = Australia), so naming either is right
        members = (lexicon.group_members or {}).get(name) or ()
        if len(members) == 1:
            other = f"country.{slug(members[0])}"
    if other is None:
        return name
    mine, theirs = lexicon.counts.get(name), lexicon.counts.get(other)
    if mine is not None and theirs is not None and mine.value != theirs.value:
        return name
    return other


def expected_in(item: dict, lexicon: Lexicon) -> set[tuple[int | float, str]]:
    return {(_number(e["number"]), same_count(str(e["count"]), lexicon)) for e in item.get("expect") or ()}


def _number(value) -> int | float:
    """A labelled number: a whole number, or a decimal median as labelled (46.5, not 46)."""
    number = float(value)
    return int(number) if number.is_integer() else number


@dataclass
class Score:
    sentences: int
    sentence_precision: float
    sentence_recall: float
    number_precision: float
    number_recall: float
    misses: list[str]

    def line(self) -> str:
        return (f"{self.sentences} sentences; by sentence P {self.sentence_precision:.3f} R {self.sentence_recall:.3f};"
                f" by number P {self.number_precision:.3f} R {self.number_recall:.3f}")


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score(items: list[dict], lexicons: dict[str, Lexicon]) -> Score:
    """Precision and recall by sentence and by number, and every disagreement."""
    tp = fp = fn = 0
    s_found = s_expected = s_right = 0
    misses = []
    for item in items:
        lexicon = lexicons[item.get("scenario", "reference")]
        found, expected = found_in(item, lexicon), expected_in(item, lexicon)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
        s_found += bool(found)
        s_expected += bool(expected)
        s_right += bool(found) and found == expected
        if found != expected:
            misses.append(f"[{item.get('scenario', 'reference')}/{item.get('kind', '?')}] {item['text'][:110]!r}: "
                          f"extra {sorted(found - expected)}, missed {sorted(expected - found)}")
    return Score(len(items), _ratio(s_right, s_found), _ratio(s_right, s_expected), _ratio(tp, tp + fp),
                 _ratio(tp, tp + fn), misses)


def score_batch(path: Path) -> tuple[Batch, Score]:
    batch = load_batch(path)
    return batch, score(batch.sentences, batch.lexicons)


if __name__ == "__main__":  # python tests/number_scenarios.py tests/data/heldout/batch-5.yaml [--misses]
    import sys

    for arg in [a for a in sys.argv[1:] if not a.startswith("--")]:
        batch, result = score_batch(Path(arg))
        print(f"{batch.name}: {result.line()}")
        if "--misses" in sys.argv:
            print("\n".join(result.misses))
