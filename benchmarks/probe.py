"""Measure one thing in a fresh process and print its time, stage times and peak memory as JSON.

    python -m benchmarks.probe check|build|floor-docx|floor-pdf ROOT

Run by ``benchmarks.run`` once per measurement, so the peak memory is that
measurement's alone. Three peaks are reported: this process's own
(``ru_maxrss`` of RUSAGE_SELF), the largest child's (RUSAGE_CHILDREN: pandoc,
Typst when it runs apart), and the whole build's — the largest sum of the
resident memory of this process and every process below it, sampled every
20 ms from /proc (children run side by side: the DOCX writer beside Typst).

The floor is what a user would type by hand in the review's folder: one plain
pandoc run to DOCX, and one to Typst followed by the Typst compile, with the
build's filters (and their settings file), citeproc, CSL, bibliography,
reference document and template, reading the Markdown the build assembled in
``build/``. Its ``tools_cpu`` is the CPU time of those runs alone (the pandoc
processes and the Typst compile), without this Python's start.
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path


class TreeMemory:
    """The largest resident memory of this process and all its descendants together, sampled from /proc."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval, self.peak_kib, self.stopped = interval, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def _sample(self) -> None:
        while not self.stopped.wait(self.interval):
            self.peak_kib = max(self.peak_kib, sum(_rss_kib(pid) for pid in _tree(os.getpid())))


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    queue.extend(int(child) for child in handle.read().split())
        except OSError:  # the process ended between two reads
            pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _check(root: Path) -> dict:
    from charter.checking.check import main

    code = main(root, out=io.StringIO())
    return {"exit": code}


def _build(root: Path) -> dict:
    from charter.compile.build import build

    result = build(root, verbose=False)
    return {"stages": result.timings, "skipped": list(getattr(result, "skipped", []))}


def _floor_options(root: Path) -> tuple[list[str], dict]:
    """The options the build gives pandoc, as one plain command line (filters, citeproc, CSL, bibliography)."""
    from charter.compile.build import pdf_inputs
    from charter.sources.metadata import read_metadata
    from charter.compile.pandoc import FILTERS
    from charter.sources.styles import resolve_style

    metadata, _ = read_metadata(root)
    csl, _ = resolve_style(metadata.csl, root, metadata.source)
    options = ["--from", "markdown", "--lua-filter", str(FILTERS / "charter.lua"), "--citeproc", "--csl", str(csl),
               "--resource-path", str(root), "--metadata", "link-citations=false"]
    for bib in sorted((root / "bib").glob("*.bib")):
        options += ["--bibliography", str(bib)]
    return options, pdf_inputs(metadata, blind=False)


def _pandoc(root: Path, args: list[str]) -> None:
    """Pandoc as a user would run it in the review's folder, with the filter's settings the build wrote.

    The Lua filter splices Table 1 and Figure 1 only from the settings file named by
    CHARTER_FILTER_SETTINGS (never from the document): without it the floor would be a
    manuscript without Table 1.
    """
    from charter.compile.pandoc import _environment, pandoc_path

    env = {**_environment(), "CHARTER_FILTER_SETTINGS": str(root / "build" / "filter-settings.json")}
    subprocess.run([pandoc_path(), *args], check=True, capture_output=True, env=env, cwd=root)


def _cpu() -> float:
    """CPU seconds of this process and of the processes it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _floor_docx(root: Path) -> dict:
    options, _ = _floor_options(root)
    out = root / "build" / "floor"
    out.mkdir(exist_ok=True)
    reference = sorted((root / "build").glob("reference-*.docx"))[0]
    cpu, start = _cpu(), time.perf_counter()
    _pandoc(root, [str(root / "build" / "manuscript.md"), *options, "--to", "docx", "--reference-doc", str(reference),
             "--output", str(out / "manuscript.docx")])
    return {"stages": [("pandoc → DOCX", time.perf_counter() - start)], "tools_cpu": _cpu() - cpu}


def _floor_pdf(root: Path) -> dict:
    from charter.compile.build import template_file  # the review's templates/, else Charter's own

    options, inputs = _floor_options(root)
    out = root / "build" / "floor"
    out.mkdir(exist_ok=True)
    # written in the review's folder, as a user would: the images' paths (build/prisma.png) are from there
    source = root / "floor-manuscript.typ"
    cpu, start = _cpu(), time.perf_counter()
    _pandoc(root, [str(root / "build" / "manuscript.md"), *options, "--to", "typst-citations",
                   "--template", str(template_file(root, "manuscript.typ")), "--wrap", "preserve", "--output", str(source)])
    middle = time.perf_counter()
    import typst  # in the timed part: a user's typst command starts up too

    typst.compile(str(source), output=str(out / "manuscript.pdf"), root="/", sys_inputs=inputs)
    end = time.perf_counter()
    tools_cpu = _cpu() - cpu
    source.replace(out / "manuscript.typ")
    return {"stages": [("pandoc → Typst", middle - start), ("Typst → PDF", end - middle)], "tools_cpu": tools_cpu}


PROBES = {"check": _check, "build": _build, "floor-docx": _floor_docx, "floor-pdf": _floor_pdf}


def main(what: str, root: str) -> None:
    start = time.perf_counter()
    with TreeMemory() as tree:
        result = PROBES[what](Path(root).resolve())
    result["seconds"] = time.perf_counter() - start
    if what.startswith("floor"):  # the tools' own time, not the Python that prepares their options
        result["seconds"] = sum(seconds for _, seconds in result["stages"])
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of this process (Typst runs in it) and of every pandoc it waited for: on a shared
    # machine the wall time includes waiting for a core, the CPU time does not
    result["cpu"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    result["self_mib"] = own.ru_maxrss / 1024
    result["largest_child_mib"] = children.ru_maxrss / 1024
    # the whole build: what ran side by side, added up (at least the largest single process)
    result["peak_mib"] = max(tree.peak_kib, own.ru_maxrss, children.ru_maxrss) / 1024
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
