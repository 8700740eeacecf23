"""The invoke tasks of a review, shipped with the package so a review's tasks.py is one line.

A review's ``tasks.py`` (``charter init`` writes it)::

    from charter.tasks import *  # noqa: F401,F403  (invoke --list shows the tasks)

Which folder is the review: the folder of the ``tasks.py`` invoke loaded.
Invoke finds that file by searching upward from the working directory and
records its folder as the project location; every task reads it from there,
so ``invoke build`` run in ``manuscript/`` still builds the review above it,
and two reviews side by side never mix. Only when the tasks are called
without invoke's loader (a bare ``Context``) does the working directory count.

Each task works out paths, calls one package function, and turns a user's
mistake into ``Exit(message)``.
"""

from __future__ import annotations

from pathlib import Path

from invoke import Exit, task

__all__ = ["check", "counts", "build", "checklist", "supplements", "submit", "where", "review", "prisma_csv",
           "new_study", "import_studies", "export_studies", "watch", "diff", "changes"]


def project_root(c) -> Path:
    """The review folder: where invoke found tasks.py, else the working directory."""
    prefix = getattr(c.config, "_project_prefix", None) if c is not None else None
    return Path(prefix).resolve() if prefix else Path.cwd().resolve()


@task(help={"strict": "treat warnings as errors", "format": "text (default) or github",
            "docx": "check the numbers in a DOCX a co-author edited instead of the sources"})
def check(c, strict=False, format="text", docx=None):
    """Validate the data and prove every number in the text matches it."""
    from charter.checking.check import main

    code = main(project_root(c), strict=strict, fmt=format, docx=docx)
    if code:
        raise Exit(code=code)


@task(help={"format": "text (default) or json"})
def counts(c, format="text"):
    """Print every count the data gives, with its placeholder name."""
    from charter.checking.check import print_counts

    print_counts(project_root(c), fmt=format)


@task(help={"format": "docx or pdf (default: both)", "blind": "anonymised manuscript for peer review",
            "paper": "a4 (default) or letter"})
def build(c, format=None, blind=False, paper="a4"):
    """Build build/manuscript.docx and build/manuscript.pdf from the sources."""
    from charter.compile.build import BuildError, build as run_build

    formats = (format,) if format else ("docx", "pdf")
    try:
        run_build(project_root(c), formats=formats, blind=blind, paper=paper)
    except BuildError as error:
        raise Exit(str(error), code=1)


@task(help={"no_build": "use the manuscript PDF already in build/ instead of building first"})
def checklist(c, no_build=False):
    """Build, then write build/checklist.docx and .pdf: each PRISMA item with its section and PDF page."""
    from charter.compile.build import BuildError, build as run_build
    from charter.submission.checklist import build_checklist
    from charter.compile.pandoc import CompileError

    root = project_root(c)
    if not no_build:
        try:
            run_build(root)
        except BuildError as error:
            raise Exit(str(error), code=1)
    try:
        paths, rows = build_checklist(root, root / "build")
    except CompileError as error:
        raise Exit(f"invoke checklist: {error}", code=1)
    missing = [r.item for r in rows if not r.reported and not r.optional]
    if missing:
        print(f"not reported anywhere yet: item(s) {', '.join(missing)} (see docs/submission.md)")
    for path in paths:
        print(f"wrote {path.relative_to(root)}")


@task
def supplements(c):
    """Write build/supplements/: the search strategy (DOCX, Markdown) and the full extraction table (XLSX, DOCX)."""
    from charter.submission.supplements import SupplementError, write_supplements

    root = project_root(c)
    try:
        paths = write_supplements(root, root / "build" / "supplements")
    except SupplementError as error:
        raise Exit(str(error), code=1)
    for path in paths:
        print(f"wrote {path.relative_to(root)}")


@task(positional=["files"],
      help={"files": "returned DOCX file(s): one path, several separated by commas or spaces, or a quoted glob",
            "format": "text (default), csv or json",
            "apply": "apply tracked changes inside one prose paragraph back to its source",
            "force": "with --apply: also touch files with uncommitted changes"})
def review(c, files, format="text", apply=False, force=False):
    """List comments and tracked changes in returned DOCX files, traced to their source files."""
    from charter.revision.review import main

    paths = _expand_paths(files)
    if not paths:
        raise Exit(f"No DOCX file matches {files!r}: name the returned file(s), e.g. invoke review returned.docx", code=2)
    code = main(project_root(c), paths, fmt=format, apply=apply, force=force)
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


@task(name="prisma-csv", positional=["csv"], help={"csv": "the CSV the PRISMA2020 Shiny app exports"})
def prisma_csv(c, csv):
    """Print the prisma: block of review.yaml from a PRISMA2020 app CSV, to paste in."""
    from charter.sources.prisma_csv import prisma_to_yaml, read_prisma_csv

    prisma, problems = read_prisma_csv(Path(csv))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem)
    if errors:
        raise Exit(f"{len(errors)} problem(s) in {csv}: nothing printed", code=1)
    print(prisma_to_yaml(prisma), end="")


@task(name="new-study", positional=["key"], help={"key": "the citation key of the study's main report in bib/"})
def new_study(c, key):
    """Write studies/KEY.yaml with every field the review declares, pre-filled from the bibliography."""
    from charter.start.importer import ImportFailed, new_study as write_new_study

    try:
        path = write_new_study(project_root(c), key)
    except ImportFailed as error:
        raise Exit(str(error), code=1)
    print(f"wrote {path}: fill in every null you can; leave null what the report does not say")


@task(name="import-studies", positional=["file"],
      help={"file": "the extraction spreadsheet (.xlsx or .csv), one row per study",
            "mapping": "a YAML file mapping columns to fields (default: import: in review.yaml)",
            "sheet": "the sheet to read in an .xlsx (default: the first)",
            "dry_run": "show what would change, write nothing",
            "update": "also update existing study files (fields the sheet lacks are kept)"})
def import_studies(c, file, mapping=None, sheet=None, dry_run=False, update=False):
    """Write one studies/<key>.yaml per spreadsheet row (CSV or XLSX), as the mapping says."""
    from charter.start.importer import ImportFailed, import_studies as run_import

    try:
        code = run_import(project_root(c), Path(file), mapping=Path(mapping) if mapping else None, sheet=sheet,
                          dry_run=dry_run, update=update)
    except ImportFailed as error:
        raise Exit(str(error), code=1)
    if code:
        raise Exit(code=code)


@task(name="export-studies", help={"format": "xlsx (default) or csv",
                                   "output": "where to write (default: build/studies.xlsx or .csv)"})
def export_studies(c, format="xlsx", output=None):
    """Write the study data as a spreadsheet, one row per study and one column per field."""
    from charter.start.exporter import ExportError, export_studies as run_export

    root = project_root(c)
    try:
        path, left_out = run_export(root, format, Path(output) if output else None)
    except ExportError as error:
        raise Exit(str(error), code=1)
    print(f"wrote {path}")
    if left_out:
        print(f"not in the sheet (a list of several values each, kept in the study files by import-studies "
              f"--update): {', '.join(left_out)}")



@task(help={"format": "docx or pdf (default: both)"})
def watch(c, format=None):
    """Rebuild whenever a source file is saved; print only what changed and new warnings."""
    from charter.compile.watch import watch as run_watch

    run_watch(project_root(c), formats=(format,) if format else ("docx", "pdf"))


# OLD and NEW are options, not positional arguments: invoke requires every positional argument, so
# `invoke diff` alone (the most recent tag → the working tree) could not be typed.
@task(help={"old": "the earlier version: a tag, branch or commit (default: the most recent tag)",
            "new": "the later version (default: the working tree, uncommitted changes included)",
            "since": "compare with the commit a returned DOCX was built from, instead of OLD",
            "author": "name every change after this person instead of the commit authors",
            "format": "docx or pdf (default: both)"})
def diff(c, old=None, new=None, since=None, author=None, format=None):
    """Write build/diff/manuscript-changes.docx (tracked changes) and .pdf between two versions."""
    from charter.revision.diff import DiffError, make_diff

    root = project_root(c)
    try:
        result = make_diff(root, old, new, since=Path(since) if since else None, author=author,
                           formats=(format,) if format else ("docx", "pdf"))
    except DiffError as error:
        raise Exit(f"invoke diff: {error}", code=1)
    for note in result.notes:
        print(f"note: {note}")
    print(f"compared {result.old.label} ({result.old.short}) with {result.new.label} ({result.new.short}): "
          f"{len(result.changes)} change(s)")
    for path in (result.docx, result.pdf):
        if path:
            print(f"wrote {path.relative_to(root)}")


@task(help={"old": "the earlier version (default: the most recent tag)",
            "new": "the later version (default: the working tree)",
            "since": "compare with the commit a returned DOCX was built from",
            "format": "text (default), markdown (for a response letter) or json"})
def changes(c, old=None, new=None, since=None, format="text"):
    """List studies, fields, counts, PRISMA numbers and references that changed between two versions."""
    from charter.revision.changes import RENDERERS
    from charter.revision.diff import DiffError, data_changes_between

    if format not in RENDERERS:
        raise Exit(f"unknown format '{format}': use text, markdown or json", code=2)
    try:
        found = data_changes_between(project_root(c), old, new, since=Path(since) if since else None)
    except DiffError as error:
        raise Exit(f"invoke changes: {error}", code=1)
    print(RENDERERS[format](found), end="")


@task(help={"no-line-numbers": "no line numbers (default: as metadata.yaml's submission: block says, else numbered)",
            "spacing": "line spacing: 1, 1.5 or 2", "figure-format": "png, tiff, pdf or svg",
            "figure-ppi": "resolution of PNG and TIFF figures (pixels per inch)",
            "blind": "anonymised manuscript, with the title page as its own file",
            "floats": "inline, end (tables and figures after the text) or separate (in their files only)"})
def submit(c, no_line_numbers=False, spacing=None, figure_format=None, figure_ppi=None, blind=False, floats=None):
    """Write build/submission/: line-numbered manuscript, title page, figure and table files, word counts."""
    from charter.compile.build import BuildError
    from charter.submission.submit import submit as run_submit

    try:
        run_submit(project_root(c), line_numbers=False if no_line_numbers else None,
                   spacing=float(spacing) if spacing else None, figure_format=figure_format,
                   figure_ppi=int(figure_ppi) if figure_ppi else None, blind=True if blind else None,
                   floats=floats)
    except BuildError as error:
        raise Exit(str(error), code=1)
    except ValueError as error:
        raise Exit(f"invoke submit: {error}", code=2)


@task(positional=["line"], help={"line": "the line number a referee gives (of build/submission/manuscript.pdf)"})
def where(c, line):
    """Say which source file and line is line N of the line-numbered submission PDF."""
    from charter.submission.linemap import where as find

    if not str(line).isdigit():
        raise Exit(f"invoke where: '{line}' is not a line number; write e.g. invoke where 123", code=2)
    print(find(project_root(c), int(line)))
