"""Charter's tasks: a thin layer over the charter package (``invoke --list``)."""

from __future__ import annotations

from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent


@task(help={"strict": "treat warnings as errors", "format": "text (default) or github",
            "docx": "check the numbers in a DOCX a co-author edited instead of the sources"})
def check(c, strict=False, format="text", docx=None):
    """Validate the data and prove every number in the text matches it."""
    from charter.check import main

    code = main(ROOT, strict=strict, fmt=format, docx=docx)
    if code:
        raise Exit(code=code)


@task(help={"format": "text (default) or json"})
def counts(c, format="text"):
    """Print every count the data gives, with its placeholder name."""
    from charter.check import print_counts

    print_counts(ROOT, fmt=format)


@task(help={"format": "docx or pdf (default: both)", "blind": "anonymised manuscript for peer review",
            "paper": "a4 (default) or letter"})
def build(c, format=None, blind=False, paper="a4"):
    """Build build/manuscript.docx and build/manuscript.pdf from the sources."""
    from charter.build import BuildError, build as run_build

    formats = (format,) if format else ("docx", "pdf")
    try:
        run_build(ROOT, formats=formats, blind=blind, paper=paper)
    except BuildError as error:
        raise Exit(str(error), code=1)


@task(positional=["files"],
      help={"files": "returned DOCX file(s): one path, several separated by commas or spaces, or a quoted glob",
            "format": "text (default), csv or json",
            "apply": "apply tracked changes inside one prose paragraph back to its source",
            "force": "with --apply: also touch files with uncommitted changes"})
def review(c, files, format="text", apply=False, force=False):
    """List comments and tracked changes in returned DOCX files, traced to their source files."""
    from charter.review import main

    paths = _expand_paths(files)
    if not paths:
        raise Exit(f"No DOCX file matches {files!r}: name the returned file(s), e.g. invoke review returned.docx", code=2)
    code = main(ROOT, paths, fmt=format, apply=apply, force=force)
    if code:
        raise Exit(code=code)


def _expand_paths(spec: str) -> list[str]:
    """Split 'a.docx,b.docx' or 'a.docx b.docx' and expand globs, keeping the order given."""
    import glob
    import re

    paths: list[str] = []
    for part in filter(None, re.split(r"[,\s]+", spec)):
        paths.extend(sorted(glob.glob(part)) if any(ch in part for ch in "*?[") else [part])
    return paths


@task(positional=["old", "new"],
      help={"old": "the earlier version: a tag, branch or commit (default: the most recent tag)",
            "new": "the later version (default: the working tree, uncommitted changes included)",
            "since": "compare with the commit a returned DOCX was built from, instead of OLD",
            "author": "name every change after this person instead of the commit authors",
            "format": "docx or pdf (default: both)"})
def diff(c, old=None, new=None, since=None, author=None, format=None):
    """Write build/diff/manuscript-changes.docx (tracked changes) and .pdf between two versions."""
    from charter.diff import DiffError, make_diff

    try:
        result = make_diff(ROOT, old, new, since=Path(since) if since else None, author=author,
                           formats=(format,) if format else ("docx", "pdf"))
    except DiffError as error:
        raise Exit(f"invoke diff: {error}", code=1)
    for note in result.notes:
        print(f"note: {note}")
    print(f"compared {result.old.label} ({result.old.short}) with {result.new.label} ({result.new.short}): "
          f"{len(result.changes)} change(s)")
    for path in (result.docx, result.pdf):
        if path:
            print(f"wrote {path.relative_to(ROOT)}")


@task(positional=["old", "new"],
      help={"old": "the earlier version (default: the most recent tag)",
            "new": "the later version (default: the working tree)",
            "since": "compare with the commit a returned DOCX was built from",
            "format": "text (default), markdown (for a response letter) or json"})
def changes(c, old=None, new=None, since=None, format="text"):
    """List studies, fields, counts, PRISMA numbers and references that changed between two versions."""
    from charter.changes import RENDERERS
    from charter.diff import DiffError, data_changes_between

    if format not in RENDERERS:
        raise Exit(f"unknown format '{format}': use text, markdown or json", code=2)
    try:
        found = data_changes_between(ROOT, old, new, since=Path(since) if since else None)
    except DiffError as error:
        raise Exit(f"invoke changes: {error}", code=1)
    print(RENDERERS[format](found), end="")


@task(help={"sizes": "numbers of studies, comma-separated (default 30,300,3000)",
            "runs": "runs per measurement; the median is reported (default 3)",
            "json": "also write every measurement to this JSON file"})
def bench(c, sizes="30,300,3000", runs=3, json=None, floor_max=1000):
    """Time check, each build stage, the whole build and the pandoc + Typst floor on synthetic reviews."""
    from benchmarks.run import main

    main([int(size) for size in sizes.split(",")], int(runs), json_path=json, floor_max=int(floor_max))


@task(name="prisma-csv", positional=["csv"], help={"csv": "the CSV the PRISMA2020 Shiny app exports"})
def prisma_csv(c, csv):
    """Print the prisma: block of review.yaml from a PRISMA2020 app CSV, to paste in."""
    from charter.prisma_csv import prisma_to_yaml, read_prisma_csv

    prisma, problems = read_prisma_csv(Path(csv))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem)
    if errors:
        raise Exit(f"{len(errors)} problem(s) in {csv}: nothing printed", code=1)
    print(prisma_to_yaml(prisma), end="")
