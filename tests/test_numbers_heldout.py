"""The number check on held-out batches: each scored before any rule changed for it, its first score kept.

Protocol (docs/number-check.md): a batch in tests/data/heldout/ is written by someone
who has not seen the rules; it is scored as it arrives, and that first score is written
into the batch's header (``first_score``) and into docs/number-check.md before any of
its sentences is read. Only then do its misses guide fixes, and the batch is marked
``status: development``. ``pytest tests/test_numbers_heldout.py -s`` prints each
batch's current score beside its first one.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from number_scenarios import HELDOUT, load_batch, score, score_batch

DOCS = Path(__file__).resolve().parent.parent / "docs" / "number-check.md"
BATCHES = sorted(HELDOUT.glob("batch-*.yaml"))

TINY = textwrap.dedent("""\
    batch: tiny
    scenarios:
      reference: reference
      clinic:
        type: systematic
        themes: [{key: access, label: Access to care, subthemes: []}]
        orientation: [{key: rct, label: randomised controlled trial}, {key: cohort, label: cohort study}]
        country_groups: {lmic: {label: low- and middle-income, members: [Kenya, Brazil]}}
        questions: [{key: q1, label: effects on adherence, short: adherence}]
        study_fields: [{name: setting, label: setting, type: choice, choices: [hospital, primary care]}]
        counts:
          - {name: included, value: 30, meaning: included studies}
          - {name: theme.access, value: 30, meaning: studies in theme (access) Access to care}
          - {name: orientation.rct, value: 12, meaning: studies with a randomised controlled trial design}
          - {name: orientation.cohort, value: 18, meaning: studies with a cohort study design}
          - {name: country.kenya, value: 4, meaning: studies from Kenya}
          - {name: country.brazil, value: 6, meaning: studies from Brazil}
          - {name: country_group.lmic, value: 10, meaning: studies from low- and middle-income countries}
          - {name: setting.hospital, value: 19, meaning: studies with setting hospital}
          - {name: setting.primary_care, value: 11, meaning: studies with setting primary care}
    sentences:
      - {scenario: clinic, kind: correct, text: "Twelve studies were randomised controlled trials.",
         expect: [{number: 12, count: orientation.rct}]}
      - {scenario: clinic, kind: wrong, text: "Five studies were conducted in Kenya.",
         expect: [{number: 5, count: country.kenya}]}
      - {scenario: clinic, kind: correct, text: "Eleven studies took place in primary care.",
         expect: [{number: 11, count: setting.primary_care}]}
      - {scenario: clinic, kind: not-count, text: "Trials lasted 12 weeks.", expect: []}
      - {scenario: reference, kind: correct, text: "Nine of the 29 studies were qualitative.",
         expect: [{number: 9, count: orientation.qualitative}, {number: 29, count: included}]}
      - {scenario: reference, kind: correct, text: "We mapped the literature in 2020.",
         expect: [{number: 2020, count: included}]}
    """)


def test_the_harness_scores_by_sentence_and_by_number(tmp_path):
    """A batch whose answers are known: five sentences read right, one label the check cannot find."""
    path = tmp_path / "batch-tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    batch, result = score_batch(path)
    assert set(batch.lexicons) == {"reference", "clinic"}
    assert result.sentences == 6
    # the last label is one no reader would give ("2020" is a year): one missed number, one missed sentence
    assert (result.number_precision, result.number_recall) == (1.0, 5 / 6)
    assert (result.sentence_precision, result.sentence_recall) == (1.0, 4 / 5)
    assert len(result.misses) == 1 and "missed [(2020, 'included')]" in result.misses[0]


def test_a_wrong_count_counts_as_found_when_the_check_finds_its_claim(tmp_path):
    path = tmp_path / "batch-tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    batch = load_batch(path)
    wrong = [s for s in batch.sentences if s["kind"] == "wrong"]
    assert score(wrong, batch.lexicons).number_recall == 1.0


@pytest.mark.parametrize("path", BATCHES or [None], ids=[p.stem for p in BATCHES] or ["no-batch-yet"])
def test_held_out_batch(path):
    """Each batch: enough sentences, its first score recorded (header and docs), its current score printed."""
    if path is None:
        pytest.skip("no held-out batch in tests/data/heldout/ yet")
    batch, result = score_batch(path)
    print(f"\n{batch.name}: now {result.line()}")
    first = batch.header.get("first_score")
    assert first, f"{path.name}: score the batch and record its first_score in the header before anything else"
    print(f"{batch.name}: first score {first}")
    assert result.sentences >= 150
    assert first["sentences"] == result.sentences or batch.header.get("labels_changed")
    assert batch.name in DOCS.read_text(encoding="utf-8"), f"record {batch.name}'s first score in {DOCS.name}"
    if batch.header.get("status") == "development":
        print("\n".join(result.misses))
        # a batch still below the target after its fixes records the score it reached (``floor_after_fixes``,
        # reported in the docs): it may not fall below that, nor below 0.95 once it is there
        floor = batch.header.get("floor_after_fixes") or {}
        assert result.number_precision >= min(0.95, floor.get("precision", 0.95)) and \
            result.number_recall >= min(0.95, floor.get("recall", 0.95)), "\n".join(result.misses)


def test_batches_are_valid_yaml_with_known_scenarios():
    for path in BATCHES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = set(data["scenarios"])
        assert all(s.get("scenario", "reference") in names for s in data["sentences"]), path.name
