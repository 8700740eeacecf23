"""``invoke submit``: build the manuscript, then write build/submission/ as a list of stages.

The stages (``SUBMIT`` at the end) run with ``charter.compile.stages.Runner`` after the
ordinary build (``charter.compile.build``), blind when the journal asks: line-numbered
manuscript DOCX and PDF, the title page on its own when blind, one file per
figure and table, the word counts, the reporting checklist (when
``charter.submission.checklist`` is there) and a README.txt. Everything is written into a
fresh folder that replaces build/submission/ only when every stage succeeded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from charter.compile.build import BuildError, BuildLock, core_properties, pdf_inputs, template_file, build
from charter.document.assemble import md_escape
from charter.compile.cache import BuildCache
from charter.sources.metadata import read_metadata
from charter.compile.pandoc import compile_typst, finish_docx, json_to_typst, pandoc_path, reference_docx, start_docx, wait
from charter.document.placeholders import fill
from charter.compile.stages import Runner, Stage, State, write
from charter.model import Location, Problem
from charter.document.word_counts import count_words, limit_problems
from charter.sources.submission_options import SubmissionOptions, with_overrides
from charter.submission.journal import (FigureFileError, figure_file, move_floats, number_docx, number_typst,
                                        own_figure_file, own_figures)

FOLDER = "submission"


@dataclass
class SubmitResult:
    folder: Path
    files: list[str]
    warnings: list


def submit(root: str | Path, *, verbose: bool = True, **overrides) -> SubmitResult:  # noqa: C901
    """Write build/submission/; ``overrides`` (line_numbers, spacing, figure_format, figure_ppi, blind, …)
    win over metadata.yaml's ``submission:``. Raise BuildError listing every problem."""
    root = Path(root).resolve()
    say = print if verbose else (lambda *a, **k: None)
    metadata, problems = read_metadata(root)
    errors = [p for p in problems if p.severity == "error"]
    if errors or metadata is None:
        raise BuildError(problems, "invoke submit refused to start: manuscript/metadata.yaml has errors")
    options = with_overrides(metadata.submission, **overrides)  # ValueError: a bad command-line value
    built = build(root, blind=options.blind, paper=metadata.paper or "a4", verbose=verbose)
    build_dir = root / "build"
    runner = Runner(BuildCache(build_dir), BuildError)
    runner.warn(built.warnings)
    staging = build_dir / f".{FOLDER}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    state = State(root=root, build_dir=build_dir, metadata=metadata, options=options, folder=staging, files=[])
    try:
        with BuildLock(build_dir) as lock:  # after the build, which takes it itself: no build changes build/ now
            lock.acquire()
            runner.run(SUBMIT, state)
            final = build_dir / FOLDER
            if final.is_symlink() or final.is_file():
                final.unlink()
            elif final.is_dir():
                shutil.rmtree(final)
            os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for warning in runner.warnings[len(built.warnings):]:
        say(f"warning: {warning}")
    say(f"wrote {final.relative_to(root)}/: {', '.join(state.files)}")
    return SubmitResult(final, list(state.files), list(runner.warnings))


# ------------------------------------------------------------------ stages


def _add(s: State, name: str, data: str | bytes, what: str) -> None:
    write(s.folder / name, data)
    s.files.append(name)
    s.listing.append((name, what))


def _words(s: State, run: Runner) -> None:
    document = json.loads((s.build_dir / "manuscript.json").read_text(encoding="utf-8"))
    s.words = count_words(document, count_headings=s.options.count_headings)
    s.listing = []
    run.warn(limit_problems(s.words, s.options, "manuscript/metadata.yaml"))
    data = {"rule": "docs/submission.md#word-counts", "abstract": s.words.abstract, "main": s.words.main,
            "sections": dict(s.words.sections), "limits": dict(s.options.word_limits)}
    _add(s, "word-counts.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n",
         "word counts of the abstract, the main text and each section")


def _floats(s: State, run: Runner) -> None:
    """Tables and figures at the end or left out (files of their own), markers in their place:
    pandoc's document rearranged, then written again as DOCX and Typst as the build does."""
    s.base_docx, s.base_typst = s.build_dir / "manuscript.docx", s.build_dir / "manuscript.typ"
    if s.options.floats == "inline":
        return
    document = json.loads((s.build_dir / "manuscript.json").read_text(encoding="utf-8"))
    moved = s.build_dir / "manuscript-floats.json"
    write(moved, json.dumps(move_floats(document, s.options.floats, s.options.float_marker), ensure_ascii=False))
    settings = json.loads((s.build_dir / "filter-settings.json").read_text(encoding="utf-8"))
    images = sorted(set(settings.get("images", {}).values()))
    paper = s.metadata.paper or "a4"
    s.base_docx = s.build_dir / "manuscript-floats.docx"
    reference = reference_docx(s.build_dir, paper, template_file(s.root, "make_reference_docx.py"))
    job = start_docx(moved, s.base_docx, reference, root=s.root,
                     images=[*images, *(["build/prisma.png"] if (s.build_dir / "figure1.json").is_file() else [])])
    s.base_typst = s.build_dir / "manuscript-floats.typ"
    try:
        json_to_typst(moved, s.base_typst, template_file(s.root, "manuscript.typ"),
                      {rel: f"/images/{rel}" for rel in images})
    finally:
        wait(job, "writing the DOCX with the tables and figures moved")
    finish_docx(s.base_docx, paper=paper, core=core_properties(s.metadata, s.options.blind))


def _manuscript_docx(s: State, run: Runner) -> None:
    data = number_docx(s.base_docx.read_bytes(), s.options)
    _add(s, "manuscript.docx", data, "the manuscript" + _how(s.options))


def _manuscript_pdf(s: State, run: Runner) -> None:
    source = s.base_typst
    numbered = s.build_dir / "manuscript-submission.typ"  # in build/: Typst's root, where the images are
    write(numbered, number_typst(source.read_text(encoding="utf-8"), s.options))
    target = s.folder / "manuscript.pdf"
    run.warn(f"typst: {w}" for w in compile_typst(numbered, target, root=s.build_dir,
                                                   inputs=pdf_inputs(s.metadata, s.options.blind)))
    s.files.append("manuscript.pdf")
    s.listing.append(("manuscript.pdf", "the manuscript as PDF" + _how(s.options)))


def _how(options: SubmissionOptions) -> str:
    spacing = {1.0: "single", 1.5: "one-and-a-half", 2.0: "double"}[options.spacing]
    parts = [f"{spacing} spacing"]
    if options.line_numbers:
        parts.append("continuous line numbers")
    if options.blind:
        parts.append("blind: no author is named")
    if options.floats != "inline":
        parts.append("tables and figures at the end" if options.floats == "end" else
                     "tables and figures in files of their own, markers in the text")
    return " (" + ", ".join(parts) + ")"


def _line_map(s: State, run: Runner) -> None:
    """build/submission/line-map.json: each numbered line of the PDF and the source line it came from."""
    if not s.options.line_numbers:
        return
    from charter.submission.linemap import line_map

    document = json.loads((s.build_dir / "manuscript.json").read_text(encoding="utf-8"))
    anchors = json.loads((s.build_dir / "manuscript.anchors.json").read_text(encoding="utf-8"))["anchors"]
    entries = line_map(s.root, s.folder / "manuscript.pdf", document, anchors)
    _add(s, "line-map.json", json.dumps(entries, ensure_ascii=False, indent=1) + "\n",
         "each numbered line of manuscript.pdf and its source file and line (invoke where N)")


def _title_page(s: State, run: Runner) -> None:
    """Blind review: the names, affiliations and word counts go on a title page of their own."""
    if not s.options.blind:
        return
    meta = s.metadata
    counts = _counts_for_text(s)
    lines = [f"# {meta.title}", ""]
    if meta.subtitle:
        lines += [f"## {meta.subtitle}", ""]
    numbers = meta.affiliation_numbers()
    for author in meta.authors:
        marks = ",".join(str(numbers[k]) for k in author.affiliations)
        star = "\\*" if author.corresponding else ""
        lines += [f"{md_escape(author.name)}{f'^{marks}^' if marks else ''}{star}  "]
    lines.append("")
    for key, number in numbers.items():
        lines += [f"^{number}^ {md_escape(meta.affiliations[key])}  "]
    lines.append("")
    for author in meta.authors:
        if author.corresponding:
            lines += [f"\\*Corresponding author: {md_escape(author.name)}" +
                      (f", {md_escape(author.email)}" if author.email else ""), ""]
    lines += [f"Word count: abstract {s.words.abstract}, main text {s.words.main}.", ""]
    from charter.sources.metadata import BACK_MATTER, IDENTIFYING

    for name, heading in BACK_MATTER:
        if name in IDENTIFYING and meta.back_matter.get(name):
            lines += [f"## {heading}", "", meta.back_matter[name], ""]
    text, problems = fill("\n".join(lines), counts, "manuscript/metadata.yaml")
    run.add(problems)
    markdown = s.build_dir / "title-page.md"
    write(markdown, text)
    out = s.folder / "title-page.docx"
    reference = reference_docx(s.build_dir, meta.paper or "a4", template_file(s.root, "make_reference_docx.py"))
    _pandoc(s.root, [str(markdown.relative_to(s.root)), "--from", "markdown", "--to", "docx",
                     "--reference-doc", str(reference.relative_to(s.root)), "--output", str(out.relative_to(s.root))])
    s.files.append("title-page.docx")
    s.listing.append(("title-page.docx", "the title page: authors, affiliations, word counts, and the back matter "
                      "that names people, left out of the blind manuscript"))


def _counts_for_text(s: State) -> dict:
    """The data's counts and the word counts, for placeholders on the title page (``{{ n.words.main }}``)."""
    from charter.document.counts import Count, compute_counts
    from charter.sources.load import load_project

    counts = dict(compute_counts(load_project(s.root)))
    for name, value in s.words.as_counts().items():
        counts[name] = Count(name, value, f"words in {name.removeprefix('words.')} (docs/submission.md)")
    return counts


def _pandoc(root: Path, args: list[str]) -> None:
    process = subprocess.run([pandoc_path(), "--sandbox", *args], capture_output=True, text=True, cwd=root)
    if process.returncode != 0:
        raise BuildError([f"pandoc failed: {process.stderr.strip()}"], "invoke submit could not write a file")


def _figures(s: State, run: Runner) -> None:
    """Each figure in its own file, drawn again at the journal's format and resolution."""
    from charter.sources.load import load_project
    from charter.document.prisma import available_fonts, flow_typst, page_typst

    fmt, ppi = s.options.figure_format, s.options.figure_ppi
    if (s.build_dir / "figure1.json").is_file():
        project = load_project(s.root)
        page = page_typst(flow_typst(project.review, len(project.studies), available_fonts()))
        name = f"figure1.{'tif' if fmt == 'tiff' else fmt}"
        _add(s, name, figure_file(page, fmt, ppi), "Figure 1, the PRISMA flow diagram" +
             (f" ({ppi} pixels per inch)" if fmt in ("png", "tiff") else " (vector)"))
    _own_figures(s, run, fmt, ppi)


def _own_figures(s: State, run: Runner, fmt: str, ppi: int) -> None:
    """The authors' own figures (images in the sections), each in a file named after its label: figure2.png."""
    document = json.loads((s.build_dir / "manuscript.json").read_text(encoding="utf-8"))
    problems = []
    for label, image in own_figures(document):
        try:
            data, extension, notes = own_figure_file(s.root, image, fmt, ppi, label)
        except FigureFileError as error:
            problems.append(Problem(Location(image), "", str(error)))
            continue
        number = re.fullmatch(r"Figure (\d+)", label)
        stem = f"figure{number.group(1)}" if number else re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        name = f"{stem}.{extension}"
        if name in s.files:  # two figures with one label ("Figure 1" written by hand beside Charter's)
            problems.append(Problem(Location(image), "", f"{label}: another figure already has that label; "
                                    f"number the caption of {image} differently"))
            continue
        run.warn(notes)
        vector = extension in ("svg", "pdf") and Path(image).suffix.lower() in (".svg", ".pdf")
        _add(s, name, data, f"{label}, from {image}" + (" (vector)" if vector else
                                                       f" ({ppi} pixels per inch)" if extension != "pdf"
                                                       else f" (raster at {ppi} pixels per inch, in a PDF)"))
    if problems:
        raise BuildError(problems, "invoke submit could not write the figures")


def _tables(s: State, run: Runner) -> None:
    """Each table in its own DOCX, with its caption and note, citations formatted as in the manuscript."""
    table = s.build_dir / "table1.json"
    if not table.is_file():
        return
    document = json.loads((s.build_dir / "manuscript.json").read_text(encoding="utf-8"))
    blocks = document["blocks"]
    start = next((i for i, b in enumerate(blocks) if b.get("t") == "Table"), None)
    if start is None:
        return
    kept = [blocks[start]]
    if start + 1 < len(blocks) and blocks[start + 1].get("t") == "Div" and \
            "charter-table-note" in blocks[start + 1]["c"][0][1]:
        kept.append(blocks[start + 1])
    single = {**document, "meta": {}, "blocks": kept}
    source = s.build_dir / "table1-submission.json"
    write(source, json.dumps(single, ensure_ascii=False))
    out = s.folder / "table1.docx"
    paper = s.metadata.paper or "a4"
    reference = reference_docx(s.build_dir, paper, template_file(s.root, "make_reference_docx.py"))
    _pandoc(s.root, [str(source.relative_to(s.root)), "--from", "json", "--to", "docx",
                     "--reference-doc", str(reference.relative_to(s.root)), "--output", str(out.relative_to(s.root))])
    _turn_to_landscape(out, paper)
    s.files.append("table1.docx")
    s.listing.append(("table1.docx", "Table 1, the characteristics of the included studies"))


def _turn_to_landscape(docx: Path, paper: str) -> None:
    """The DOCX's pages turned to landscape, as Table 1's pages in the manuscript (on a portrait page
    its narrow columns broke words in two), in place."""
    import zipfile

    from lxml import etree

    from charter.compile.pandoc import NS, PAPER_TWIPS, W, docx_package

    with zipfile.ZipFile(docx) as package:
        names = package.namelist()
        files = {name: package.read(name) for name in names}
    document = etree.fromstring(files["word/document.xml"])
    size = document.find("w:body/w:sectPr/w:pgSz", NS)
    if size is None:
        return
    width, height = PAPER_TWIPS[paper]
    size.attrib.clear()
    size.set(f"{{{W}}}w", str(height))
    size.set(f"{{{W}}}h", str(width))
    size.set(f"{{{W}}}orient", "landscape")
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    docx.write_bytes(docx_package(names, files))


def _checklist(s: State, run: Runner) -> None:
    """The reporting checklist, its pages those of the submitted PDF (charter.submission.checklist, issue 14 item 5)."""
    try:
        from charter.submission.checklist import build_checklist
    except ImportError:  # HOOK: charter.submission.checklist comes from the branch `checklist`; nothing to add until then
        return
    paths, rows = build_checklist(s.root, s.folder, pdf=s.folder / "manuscript.pdf")
    for path in paths:
        s.files.append(path.name)
        s.listing.append((path.name, "the reporting checklist: each item with its section and page of manuscript.pdf"))
    missing = [row.item for row in rows if not row.reported and not row.optional]
    if missing:
        run.warn([f"checklist: item(s) {', '.join(missing)} not reported anywhere yet (docs/submission.md)"])


def _supplements(s: State, run: Runner) -> None:
    """The supplementary files: search strategy and full extraction table (charter.submission.supplements, item 6)."""
    try:
        from charter.submission.supplements import write_supplements
    except ImportError:  # HOOK: charter.submission.supplements comes from the branch `checklist`
        return
    for path in write_supplements(s.root, s.folder / "supplementary"):
        name = f"supplementary/{path.name}"
        s.files.append(name)
        s.listing.append((name, "supplementary file"))


def _readme(s: State, run: Runner) -> None:
    s.listing.append(("README.txt", "this list"))
    width = max(len(name) for name, _ in s.listing) + 2
    lines = [f"Submission files for: {' '.join(s.metadata.title.replace('*', '').split())}", "",
             "Made by Charter (invoke submit) from the review's sources; do not edit these files, edit the",
             "sources and run invoke submit again.", ""]
    lines += [f"{name.ljust(width)}{what}" for name, what in s.listing]
    lines += ["", f"Words: abstract {s.words.abstract}, main text {s.words.main} (the rule: docs/submission.md).",
              ""]
    for name, limit in s.options.word_limits.items():
        actual = s.words.abstract if name == "abstract" else s.words.main
        lines.insert(-1, f"Limit for the {'abstract' if name == 'abstract' else 'main text'}: {limit} "
                     f"({'within' if actual <= limit else 'OVER'})")
    write(s.folder / "README.txt", "\n".join(lines))
    s.files.append("README.txt")


SUBMIT = (
    Stage("word counts", _words, timed=False, makes=("words", "listing")),
    Stage("submission: tables and figures", _floats, makes=("base_docx", "base_typst")),
    Stage("submission: DOCX", _manuscript_docx, needs=("options", "base_docx")),
    Stage("submission: PDF", _manuscript_pdf, needs=("options", "base_typst")),
    Stage("submission: line map", _line_map, needs=("words",)),
    Stage("submission: title page", _title_page, needs=("words",)),
    Stage("submission: figures", _figures),
    Stage("submission: tables", _tables),
    Stage("submission: checklist", _checklist, needs=("listing",)),
    Stage("submission: supplementary files", _supplements, needs=("listing",)),
    Stage("submission: README", _readme, needs=("words", "listing")),
)
