"""The build's runner: named stages, each declaring what it reads and makes, run in order.

A build (``charter.compile.build``, ``charter.submission.journal``) is a list of ``Stage`` values.
Each stage is a plain function of the build's ``State`` (the values earlier stages
made, by name); it names the values it ``needs`` and the values it ``makes``, and,
when its work is worth skipping, a ``key`` (the hash of everything its result
depends on) and the ``files`` it writes. The ``Runner`` owns what every stage
would otherwise repeat:

* caching: a stage with a key is skipped when ``charter.compile.cache`` has that key
  recorded and its files are intact; its recorded data is handed to ``reuse``;
* timing: each stage that ran is timed under its name (``BuildResult.timings``);
  past ``progress_after`` seconds each stage that starts is named on stderr;
* problems: a stage adds problems with ``runner.add``; a stage with ``stop`` set
  ends the build (``BuildError``) when errors have been found so far;
* atomic writes: ``write`` replaces a file through a temporary one, so a reader
  never sees half of it and a failed build keeps the last good file.

The runner checks the declarations: a stage that needs a value no earlier stage
made, or forgets to make one it declared, is a bug in Charter, reported by name.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from charter.model import Problem


class State:
    """The values a build's stages have made so far, by name (``state.counts``, ``state.sections``)."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str):
        raise AttributeError(f"no stage has made '{name}' yet (a stage's needs= is missing a name, or the "
                             "stages are out of order)")

    def has(self, name: str) -> bool:
        return name in self.__dict__


@dataclass(frozen=True)
class Stage:
    """One named step of a build.

    ``run(state, runner)`` does the work and returns the data to record for a cached
    stage (JSON-serialisable) or None. ``key(state)`` makes the stage cached: when
    the cache holds that key and ``files(state)`` are intact, ``reuse(state, data)``
    restores what ``run`` would have made instead. ``stop`` is the headline of the
    BuildError raised before the stage when errors have been found so far
    (``stop_all`` lists the warnings with the errors, as the first check does).
    """

    name: str
    run: Callable[["State", "Runner"], dict | None]
    needs: tuple[str, ...] = ()
    makes: tuple[str, ...] = ()
    key: Callable[["State"], str] | None = None
    files: Callable[["State"], Sequence[Path]] = lambda state: ()
    reuse: Callable[["State", dict], None] | None = None
    timed: bool = True
    stop: str | None = None
    stop_all: bool = False


@dataclass
class Runner:
    """Runs stages over one State with one cache; collects the timings, problems and warnings."""

    cache: object  # charter.compile.cache.BuildCache
    error: Callable[..., Exception]  # BuildError(problems, headline)
    timings: list[tuple[str, float]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # Problem or str, in the order found
    progress_after: float | None = None  # seconds: past this, each stage that starts is named on stderr
    began: float = field(default_factory=time.perf_counter)

    # ---- problems
    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def warn(self, warnings: Iterable) -> None:
        self.warnings.extend(warnings)

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def stop_on_errors(self, headline: str, *, everything: bool = False) -> None:
        """Raise the build's error listing every error so far (with the warnings too if ``everything``)."""
        errors = self.errors()
        if errors:
            raise self.error(list(self.problems) if everything else errors, headline)

    # ---- time
    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        if self.progress_after is not None and start - self.began >= self.progress_after:
            print(f"… {name} ({start - self.began:.1f}s)", file=sys.stderr, flush=True)
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))

    # ---- the stages
    def run(self, stages: Sequence[Stage], state: State) -> State:
        for stage in stages:
            self.run_stage(stage, state)
        return state

    def run_stage(self, stage: Stage, state: State) -> None:
        missing = [name for name in stage.needs if not state.has(name)]
        if missing:
            raise RuntimeError(f"stage '{stage.name}' needs {', '.join(missing)}, which no earlier stage made")
        if stage.stop:
            self.stop_on_errors(stage.stop, everything=stage.stop_all)
        key = stage.key(state) if stage.key else None
        if key is not None:
            recorded = self.cache.fresh(stage.name, key, list(stage.files(state)))
            if recorded is not None:
                stage.reuse(state, recorded)
                self._check_made(stage, state)
                return
        if stage.timed:
            with self.timed(stage.name):
                data = stage.run(state, self)
        else:
            data = stage.run(state, self)
        self._check_made(stage, state)
        if key is not None:
            self.cache.record(stage.name, key, list(stage.files(state)), data or {})

    @staticmethod
    def _check_made(stage: Stage, state: State) -> None:
        forgotten = [name for name in stage.makes if not state.has(name)]
        if forgotten:
            raise RuntimeError(f"stage '{stage.name}' did not make {', '.join(forgotten)}")


def write(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file in the same folder, so a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # one per process: builds may overlap
    try:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def remove(paths: Iterable[Path]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)
