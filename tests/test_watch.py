"""Progress lines of a slow build, and `invoke watch`: rebuild on save, print only what changed and new warnings."""

from __future__ import annotations

import io
import threading
import time

import pytest

import charter.compile.build
from charter.compile.build import build
from charter.start.init import init_review
from charter.compile.watch import _relevant, rebuild, watch

GROUPS = "country_groups:\n  nordic:\n    label: Nordic\n    members: [Norway, Sweden]\n"


@pytest.fixture
def review(tmp_path):
    root = tmp_path / "review"
    init_review(root)
    text = (root / "review.yaml").read_text(encoding="utf-8")
    (root / "review.yaml").write_text(text + "\n" + GROUPS, encoding="utf-8")
    return root


def test_a_slow_build_names_each_stage_on_a_terminal_only(review, monkeypatch, capsys):
    monkeypatch.setattr(charter.compile.build, "PROGRESS_AFTER", 0.0)  # every build counts as slow
    monkeypatch.setenv("CHARTER_PROGRESS", "1")
    result = build(review, formats=("docx",))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("… ")]
    # one line per stage, as each starts, in the order the build ran them
    assert [line.split(" (")[0] for line in lines] == [f"… {name}" for name, _ in result.timings]
    assert len(lines) >= 5 and lines[0].startswith("… up to date?")
    (review / "manuscript" / "01-introduction.md").write_text("# Introduction\n\nChanged.\n", encoding="utf-8")
    monkeypatch.setenv("CHARTER_PROGRESS", "0")  # what CI and a redirected output get
    build(review, formats=("docx",))
    assert "… " not in capsys.readouterr().err


def test_rebuild_prints_what_changed_and_only_new_warnings(review):
    out = io.StringIO()
    seen = rebuild(review, [], set(), ("docx",), out)
    assert "rebuilt build/manuscript.docx in" in out.getvalue()
    assert seen == set()

    study = review / "studies" / "example2024.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("country: Norway", "country: Atlantis"),
                     encoding="utf-8")
    out = io.StringIO()
    seen = rebuild(review, ["studies/example2024.yaml"], seen, ("docx",), out)
    report = out.getvalue().splitlines()
    assert report[0] == "changed: studies/example2024.yaml"
    assert report[1].startswith("new warning: studies/example2024.yaml:6:10: country: 'Atlantis' is in no country "
                                "group of review.yaml (nordic)")
    assert len(seen) == 1

    out = io.StringIO()
    (review / "manuscript" / "04-discussion.md").write_text("# Discussion\n\nShorter.\n", encoding="utf-8")
    rebuild(review, ["manuscript/04-discussion.md"], seen, ("docx",), out)
    assert "new warning" not in out.getvalue()  # shown once, not again on every save

    out = io.StringIO()
    rebuild(review, [], seen, ("docx",), out)
    assert out.getvalue() == "up to date (nothing the build reads changed)\n"


def test_a_failed_rebuild_keeps_the_last_good_output(review):
    rebuild(review, [], set(), ("docx",), io.StringIO())
    before = (review / "build" / "manuscript.docx").read_bytes()
    study = review / "studies" / "example2024.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace("theme: main", "theme: nosuch"), encoding="utf-8")
    out = io.StringIO()
    rebuild(review, ["studies/example2024.yaml"], set(), ("docx",), out)
    assert "build failed; the last good outputs are kept:" in out.getvalue()
    assert "theme: expected one of main" in out.getvalue()
    assert (review / "build" / "manuscript.docx").read_bytes() == before


def test_only_what_the_build_reads_triggers_a_rebuild(review):
    assert _relevant(review, str(review / "studies" / "a.yaml")) == "studies/a.yaml"
    assert _relevant(review, str(review / "review.yaml")) == "review.yaml"
    assert _relevant(review, str(review / "build" / "manuscript.docx")) is None  # its own outputs
    assert _relevant(review, str(review / "manuscript" / ".01-introduction.md.swp")) is None
    assert _relevant(review, str(review / "manuscript" / "~$draft.docx")) is None


def test_watch_rebuilds_when_a_file_is_saved(review):
    out = io.StringIO()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(review, ("docx",), stop, out))
    watcher.start()
    try:
        deadline = time.monotonic() + 120
        while "watching" not in out.getvalue() and time.monotonic() < deadline:
            stop.wait(0.1)
        assert "watching" in out.getvalue(), out.getvalue()
        (review / "manuscript" / "04-discussion.md").write_text("# Discussion\n\nSaved.\n", encoding="utf-8")
        while out.getvalue().count("rebuilt") < 2 and time.monotonic() < deadline:
            stop.wait(0.1)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert "changed: manuscript/04-discussion.md" in out.getvalue()
    assert out.getvalue().count("rebuilt build/manuscript.docx") == 2
