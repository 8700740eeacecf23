"""Measure one thing in a fresh process and print its time, stage times and peak memory as JSON.

    python -m benchmarks.probe check|build|floor-docx|floor-pdf ROOT

Run by ``benchmarks.run`` once per measurement, so the peak memory
(``ru_maxrss`` of this process and of the pandoc processes it waited for) is
that measurement's alone. The floor is what a user would type by hand: one
plain pandoc run to DOCX, and one to Typst followed by the Typst compile, with
the build's filters, citeproc, CSL, bibliography, reference document and
template, reading the Markdown the build assembled in ``build/``.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


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
    from charter.compile.build import _pdf_inputs
    from charter.sources.metadata import read_metadata
    from charter.compile.pandoc import FILTERS
    from charter.sources.styles import resolve_style

    metadata, _ = read_metadata(root)
    csl, _ = resolve_style(metadata.csl, root, metadata.source)
    options = ["--from", "markdown", "--lua-filter", str(FILTERS / "charter.lua"), "--citeproc", "--csl", str(csl),
               "--resource-path", str(root), "--metadata", "link-citations=false"]
    for bib in sorted((root / "bib").glob("*.bib")):
        options += ["--bibliography", str(bib)]
    return options, _pdf_inputs(metadata, blind=False)


def _pandoc(args: list[str]) -> None:
    from charter.compile.pandoc import _environment, pandoc_path

    subprocess.run([pandoc_path(), *args], check=True, capture_output=True, env=_environment())


def _floor_docx(root: Path) -> dict:
    options, _ = _floor_options(root)
    out = root / "build" / "floor"
    out.mkdir(exist_ok=True)
    reference = sorted((root / "build").glob("reference-*.docx"))[0]
    start = time.perf_counter()
    _pandoc([str(root / "build" / "manuscript.md"), *options, "--to", "docx", "--reference-doc", str(reference),
             "--output", str(out / "manuscript.docx")])
    return {"stages": [("pandoc → DOCX", time.perf_counter() - start)]}


def _floor_pdf(root: Path) -> dict:
    options, inputs = _floor_options(root)
    out = root / "build" / "floor"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    _pandoc([str(root / "build" / "manuscript.md"), *options, "--to", "typst-citations", "--template", str(root / "templates" / "manuscript.typ"),
             "--wrap", "preserve", "--output", str(out / "manuscript.typ")])
    middle = time.perf_counter()
    import typst  # in the timed part: a user's typst command starts up too

    typst.compile(str(out / "manuscript.typ"), output=str(out / "manuscript.pdf"), root="/", sys_inputs=inputs)
    return {"stages": [("pandoc → Typst", middle - start), ("Typst → PDF", time.perf_counter() - middle)]}


PROBES = {"check": _check, "build": _build, "floor-docx": _floor_docx, "floor-pdf": _floor_pdf}


def main(what: str, root: str) -> None:
    start = time.perf_counter()
    result = PROBES[what](Path(root).resolve())
    result["seconds"] = time.perf_counter() - start
    if what.startswith("floor"):  # the tools' own time, not the Python that prepares their options
        result["seconds"] = sum(seconds for _, seconds in result["stages"])
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of this process (Typst runs in it) and of every pandoc it waited for: on a shared
    # machine the wall time includes waiting for a core, the CPU time does not
    result["cpu"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    result["peak_mib"] = peak_kib / 1024
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
