"""The stage runner (charter.compile.stages) and the build as its list of stages (issue 14, item 0).

The runner is tested with a real BuildCache in tmp_path; the build's stage
lists are checked against what a real build reports (timings, skipped stages).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.compile.build import COMPILE, PREPARE, BuildError, build
from charter.compile.cache import BuildCache
from charter.model import Location, Problem
from charter.compile.stages import Runner, Stage, State, write
from conftest import write_files
from projects import minimal_project_files


def _runner(tmp_path: Path) -> Runner:
    return Runner(BuildCache(tmp_path / "build"), BuildError)


def _counting_stage(calls: list, key: str) -> Stage:
    def run(s: State, runner: Runner) -> dict:
        calls.append("ran")
        write(s.out, f"made with {key}")
        s.value = key
        return {"value": key}

    def reuse(s: State, recorded: dict) -> None:
        calls.append("reused")
        s.value = recorded["value"]

    return Stage("make", run, makes=("value",), key=lambda s: key, files=lambda s: [s.out], reuse=reuse)


def test_a_cached_stage_is_skipped_while_its_key_and_file_are_as_recorded(tmp_path: Path):
    (tmp_path / "build").mkdir()
    out = tmp_path / "build" / "out.txt"
    calls: list[str] = []
    first = _runner(tmp_path)
    first.run([_counting_stage(calls, "k1")], State(out=out))
    first.cache.save()
    assert calls == ["ran"] and [name for name, _ in first.timings] == ["make"]

    again = _runner(tmp_path)
    state = again.run([_counting_stage(calls, "k1")], State(out=out))
    assert calls == ["ran", "reused"] and state.value == "k1"
    assert again.timings == [] and again.cache.skipped == ["make"]  # a reused stage takes no time

    out.write_text("edited by hand")  # the output changed: the stage runs again
    _runner(tmp_path).run([_counting_stage(calls, "k1")], State(out=out))
    assert calls[-1] == "ran"
    _runner(tmp_path).run([_counting_stage(calls, "k2")], State(out=out))  # a new key: runs again
    assert calls[-1] == "ran" and out.read_text() == "made with k2"


def test_a_stage_that_needs_what_no_stage_made_is_named(tmp_path: Path):
    stage = Stage("assemble", lambda s, r: None, needs=("counts",))
    with pytest.raises(RuntimeError, match="'assemble' needs counts"):
        _runner(tmp_path).run([stage], State())
    forgetful = Stage("counts", lambda s, r: None, makes=("counts",))
    with pytest.raises(RuntimeError, match="'counts' did not make counts"):
        _runner(tmp_path).run([forgetful], State())


def test_a_stop_ends_the_build_with_the_errors_found_so_far(tmp_path: Path):
    error = Problem(Location("studies/a.yaml", 3), "year", "expected a year")
    warning = Problem(Location("studies/b.yaml", 1), "", "a warning", severity="warning")
    ran: list[str] = []
    stages = [Stage("read", lambda s, r: r.add([warning, error])),
              Stage("write", lambda s, r: ran.append("write"), stop="the build stopped")]
    with pytest.raises(BuildError) as raised:
        _runner(tmp_path).run(stages, State())
    assert raised.value.problems == (error,) and ran == []
    assert "studies/a.yaml:3" in str(raised.value)


def test_warnings_alone_do_not_stop(tmp_path: Path):
    warning = Problem(Location("review.yaml", 1), "", "a warning", severity="warning")
    runner = _runner(tmp_path)
    runner.run([Stage("read", lambda s, r: r.add([warning])),
                Stage("write", lambda s, r: r.warn(["noted"]), stop="the build stopped")], State())
    assert runner.warnings == ["noted"]


def test_write_never_leaves_a_temporary_file(tmp_path: Path):
    target = tmp_path / "a.txt"
    write(target, "one")
    write(target, b"two")
    assert target.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_the_build_is_its_list_of_stages(tmp_path: Path):
    root = write_files(tmp_path / "p", minimal_project_files())
    result = build(root, verbose=False)
    timed = [name for name, _ in result.timings]
    listed = [stage.name for stage in (*PREPARE, *COMPILE) if stage.timed]
    assert timed == ["up to date?", *listed]  # every timed stage ran, in the listed order
    for stage in (*PREPARE, *COMPILE):  # each declares what it reads from earlier stages
        earlier = {"root", "build_dir", "formats", "blind", "paper", "lock"}
        for other in (*PREPARE, *COMPILE):
            if other is stage:
                break
            earlier |= set(other.makes)
        assert set(stage.needs) <= earlier, stage.name
