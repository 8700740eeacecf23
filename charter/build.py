"""``invoke build``: the manuscript's DOCX and PDF from the study files, review.yaml, bib/ and manuscript/.

The pipeline, in order: load and validate everything (refuse to build on any
error, listing all of them) → compute the counts → fill the placeholders →
render Table 1 and the PRISMA diagram → assemble one Markdown document →
pandoc (once to JSON with citeproc, then DOCX and Typst at the same time) →
Typst to PDF. Outputs are written to temporary files and moved into place only
when every requested format succeeded, so a failed build keeps the last good
files.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from .assemble import Assembled, Section, assemble
from .counts import Count, compute_counts
from .load import load_project
from .metadata import Metadata, read_metadata
from .model import Location, Problem, Project
from .pandoc import (CompileError, compile_typst, finish_docx, json_to_typst, markdown_to_json, reference_docx,
                     start_docx, wait)
from .placeholders import fill
from .styles import resolve_style
from .table1 import PANDOC_API_VERSION, TABLE_ID, Table1, render_table1, text_inlines

FORMATS = ("docx", "pdf")
PAPERS = ("a4", "letter")
FIGURE_ID = "fig-prisma"
FIGURE_WIDTH = "15cm"  # fits the text width of A4 and Letter with 2.54 cm margins


class BuildError(Exception):
    """The build refused or failed; the message lists every problem as ``path:line: message``."""

    def __init__(self, problems: Sequence[Problem | str], headline: str = "the build stopped") -> None:
        self.problems = tuple(problems)
        lines = [str(p) for p in self.problems]
        errors = sum(1 for p in self.problems if not isinstance(p, Problem) or p.severity == "error")
        super().__init__(f"{headline}: {errors} problem{'s' if errors != 1 else ''} to fix\n" + "\n".join(lines))


@dataclass
class BuildResult:
    """What a build wrote: the outputs by format, the intermediate files, stage times and warnings."""

    outputs: dict[str, Path]  # "docx"/"pdf" -> path
    build_dir: Path
    timings: list[tuple[str, float]] = field(default_factory=list)
    warnings: list[Problem | str] = field(default_factory=list)


class _Clock:
    def __init__(self) -> None:
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))


# -------------------------------------------------------------------- inputs


def read_sections(root: Path) -> list[Section]:
    """Read manuscript/*.md in file-name order (01-introduction.md, 02-method.md, …)."""
    folder = root / "manuscript"
    return [Section(f"manuscript/{path.name}", path.read_text(encoding="utf-8").removeprefix("\ufeff"))
            for path in sorted(folder.glob("*.md"))]


def _errors(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# -------------------------------------------------------------- rendered parts


def _figure_document(figure, label: str, review_type: str) -> dict:
    """Figure 1 as pandoc JSON: the PNG for the DOCX, the Typst drawing (real text) for the PDF."""
    flow = "PRISMA-ScR" if review_type == "scoping" else "PRISMA 2020"
    caption_text = f"{flow} flow diagram of the search and selection of studies."
    caption = [{"t": "Strong", "c": [{"t": "Str", "c": f"{label}."}]}, {"t": "Space"}, *text_inlines(caption_text)]
    image = {"t": "Image", "c": [["", [], [["width", FIGURE_WIDTH]]], [{"t": "Str", "c": "PRISMA flow diagram"}],
                                 [str(figure.png), ""]]}
    docx_figure = {"t": "Figure", "c": [[FIGURE_ID, [], []], [None, [{"t": "Plain", "c": caption}]],
                                        [{"t": "Plain", "c": [image]}]]}
    typst_figure = (f"#figure(kind: image, supplement: none, caption: [*{label}.* {caption_text}])[\n"
                    f"{figure.typst}\n] <{FIGURE_ID}>")
    return {"pandoc-api-version": PANDOC_API_VERSION, "meta": {}, "blocks": [
        {"t": "Div", "c": [["ch_f0001", ["charter-docx-only"], []], [docx_figure]]},
        {"t": "RawBlock", "c": ["typst", typst_figure]},
    ]}


def _missing_figure_document(label: str, reason: str) -> dict:
    text = f"[{label}: the PRISMA flow diagram could not be drawn: {reason}]"
    return {"pandoc-api-version": PANDOC_API_VERSION, "meta": {}, "blocks": [
        {"t": "Para", "c": [{"t": "Str", "c": text}]}]}


# Raw page setup around Table 1: a landscape section in Word, landscape pages in Typst.
# The section properties are completed after pandoc (footer, margins, paper: pandoc.finish_docx).
_END_PORTRAIT = ('<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p>')
_END_LANDSCAPE = ('<w:p><w:pPr><w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>'
                  '</w:sectPr></w:pPr></w:p>')


def _landscape(table: Table1) -> dict:
    blocks = [{"t": "RawBlock", "c": ["openxml", _END_PORTRAIT]},
              {"t": "RawBlock", "c": ["typst", "#set page(flipped: true)"]},
              *table.document["blocks"],
              {"t": "RawBlock", "c": ["openxml", _END_LANDSCAPE]},
              {"t": "RawBlock", "c": ["typst", "#set page(flipped: false)"]}]
    return {**table.document, "blocks": blocks}


# --------------------------------------------------------------------- build


def _write(path: Path, data: str | bytes) -> None:
    """Write a file via a temporary file in the same folder, so a reader never sees half of it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(temporary, path)


def _counts_json(counts: dict[str, Count]) -> str:
    return json.dumps({name: {"value": c.value, "meaning": c.meaning} for name, c in counts.items()},
                      ensure_ascii=False, indent=1) + "\n"


def _citeproc_problems(messages, assembled_keys: set[str]) -> list[Problem]:
    """Pandoc's citeproc warnings are errors for us: a citation it could not resolve prints '???'."""
    problems = []
    for message in messages:
        if message.level == "WARNING" and "not found" in message.text.lower() and "citation" in message.text.lower():
            problems.append(Problem(Location("bib/"), "", f"pandoc citeproc: {message.text}; add the reference "
                                    "to a .bib file in bib/ or correct the key"))
    return problems


def build(root: str | Path, formats: Sequence[str] = FORMATS, blind: bool = False, paper: str = "a4",
          *, verbose: bool = True) -> BuildResult:
    """Build build/manuscript.docx and/or build/manuscript.pdf; raise BuildError listing every problem."""
    root = Path(root).resolve()
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BuildError([f"unknown format '{', '.join(unknown) or '(none)'}': use docx or pdf"], "cannot build")
    if paper not in PAPERS:
        raise BuildError([f"unknown paper size '{paper}': use a4 or letter"], "cannot build")
    clock = _Clock()
    say = print if verbose else (lambda *a, **k: None)

    # ---- load and validate everything first
    with clock.stage("load and validate"):
        project = load_project(root)
        metadata, metadata_problems = read_metadata(root)
        sections = read_sections(root)
    problems: list[Problem] = [*project.problems, *metadata_problems]
    if not sections:
        problems.append(Problem(Location("manuscript/"), "", "no sections: write the manuscript as numbered "
                                "Markdown files such as manuscript/01-introduction.md"))
    if _errors(problems) or metadata is None:
        raise BuildError(problems, "the build refused to start: the sources have errors")
    warnings: list[Problem | str] = [p for p in problems if p.severity != "error"]
    if paper == "a4" and metadata.paper:  # the command line's --paper letter wins over metadata.yaml
        paper = metadata.paper

    with clock.stage("counts"):
        counts = compute_counts(project)

    # ---- render the generated parts
    build_dir = root / "build"
    build_dir.mkdir(exist_ok=True)
    with clock.stage("Table 1"):
        table_plan, table_problems = _table(project, counts)
        problems += table_problems
    csl, csl_problems = resolve_style(metadata.csl, root, metadata.positions.get("csl") or metadata.source)
    problems += csl_problems
    with clock.stage("PRISMA diagram"):
        figure_doc, figure_problems, figure_warnings = _figure(project, build_dir)
        problems += figure_problems
        warnings += figure_warnings
    known_keys = set(project.bibliography.references)
    with clock.stage("assemble"):
        assembled = assemble(metadata, sections, counts, known_keys, blind=blind, paper=paper)
        problems += assembled.problems
    if _errors(problems):
        raise BuildError(_errors(problems), "the build stopped before running pandoc")
    warnings += [p for p in assembled.problems if p.severity != "error"]

    # ---- the files that go into pandoc, kept in build/ for the author to read
    label_table = assembled.labels.get(TABLE_ID, "Table 1")
    table = render_table1(project, table_plan.caption_text, table_plan.note_text, label_table) \
        if table_plan else None
    splice: dict[str, str] = {}
    if table is not None:
        _write(build_dir / "table1.md", table.markdown)
        _write(build_dir / "table1.json", json.dumps(_landscape(table), ensure_ascii=False))
        splice[TABLE_ID] = str(build_dir / "table1.json")
    if FIGURE_ID in assembled.labels:
        document = figure_doc(assembled.labels[FIGURE_ID], project.review.review_type)
        _write(build_dir / "figure1.json", json.dumps(document, ensure_ascii=False))
        splice[FIGURE_ID] = str(build_dir / "figure1.json")
    markdown = assembled.markdown.replace("---\n", "---\n" + _splice_yaml(splice), 1)
    _write(build_dir / "manuscript.md", markdown)
    _write(build_dir / "counts.json", _counts_json(counts))
    anchors = {**assembled.anchors, **(table.anchors if table else {})}
    if "ch_f0001" in anchors:  # the figure is drawn from review.yaml's prisma: section
        prisma_at = project.review.positions.get("prisma")
        anchors["ch_f0001"] = {**anchors["ch_f0001"], "line": prisma_at.line if prisma_at else None}
    manifest = {"version": 1, "anchors": dict(sorted(anchors.items()))}
    _write(build_dir / "manuscript.anchors.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")

    # ---- pandoc once to JSON, then DOCX and Typst together, then Typst to PDF
    json_path = build_dir / "manuscript.json"
    bibliographies = [root / f for f in project.bibliography.files]
    try:
        with clock.stage("pandoc: read + citeproc"):
            messages = markdown_to_json(build_dir / "manuscript.md", json_path, csl=csl,
                                        bibliographies=bibliographies, resource_path=root)
        citeproc = _citeproc_problems(messages, known_keys)
        if citeproc:
            raise BuildError(citeproc, "citeproc could not resolve every citation")
        temporary = {fmt: build_dir / f".manuscript.{fmt}.tmp" for fmt in formats}
        typst_source = build_dir / "manuscript.typ"
        with clock.stage("DOCX and PDF side by side"):
            docx_job = None
            if "docx" in formats:
                reference = reference_docx(build_dir, paper, _template(root, "make_reference_docx.py"))
                docx_job = start_docx(json_path, temporary["docx"], reference)
            try:
                if "pdf" in formats:
                    messages += json_to_typst(json_path, typst_source, _template(root, "manuscript.typ"))
                    typst_warnings = compile_typst(typst_source, temporary["pdf"], root=root,
                                                   inputs=_pdf_inputs(metadata, blind))
                    warnings += [f"typst: {w}" for w in typst_warnings]
            finally:
                if docx_job is not None:
                    messages += wait(docx_job, "writing the DOCX")
            if docx_job is not None:
                finish_docx(temporary["docx"], paper=paper, core=_core_properties(metadata, blind))
                _embed_manifest(temporary["docx"], manifest, warnings)
    except CompileError as error:
        for path in build_dir.glob(".manuscript.*.tmp"):
            path.unlink()
        raise BuildError([str(error)], "pandoc or Typst failed") from error
    except BuildError:
        for path in build_dir.glob(".manuscript.*.tmp"):
            path.unlink()
        raise

    outputs = {}
    for fmt in formats:  # every format succeeded: now replace the previous outputs
        final = build_dir / f"manuscript.{fmt}"
        os.replace(temporary[fmt], final)
        outputs[fmt] = final
    warnings += [f"pandoc: {m.text}" for m in messages if m.level == "WARNING"]
    for warning in warnings:
        say(f"warning: {warning}")
    for fmt, path in outputs.items():
        say(f"wrote {path}")
    say("times: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in clock.timings))
    return BuildResult(outputs, build_dir, clock.timings, warnings)


@dataclass(frozen=True)
class _TablePlan:
    caption_text: str
    note_text: str


def _table(project: Project, counts) -> tuple[_TablePlan | None, list[Problem]]:
    """Fill the placeholders of the table's caption and note (review.yaml)."""
    review = project.review
    problems: list[Problem] = []
    texts = []
    for name, text in (("table.caption", review.table_caption), ("table.note", review.table_note)):
        where = review.positions.get(name) or review.source
        filled, found = fill(text or "", counts, where.path or "review.yaml", where.line or 1)
        problems += found
        texts.append(filled)
    if not review.table_columns:
        return None, problems
    return _TablePlan(*texts), problems


def _figure(project: Project, build_dir: Path):
    """Check the PRISMA arithmetic and draw the diagram; until charter.prisma exists, warn and leave a note."""
    try:
        from . import prisma
    except ImportError as error:
        reason = f"charter.prisma is not available ({error})"
        return (lambda label, _type: _missing_figure_document(label, reason)), [], [f"Figure 1 skipped: {reason}"]
    n_studies = len(project.studies)
    problems = prisma.check_arithmetic(project.review.prisma, n_studies)
    if _errors(problems):
        return None, problems, []
    figure = prisma.render_figure(project.review, n_studies, build_dir)
    return (lambda label, review_type: _figure_document(figure, label, review_type)), problems, []


def _splice_yaml(splice: dict[str, str]) -> str:
    if not splice:
        return ""
    return "charter-splice:\n" + "".join(f"  {label}: {json.dumps(path)}\n" for label, path in splice.items())


def _template(root: Path, name: str) -> Path:
    """The project's templates/<name>, else Charter's own (a new project need not copy them)."""
    project_template = root / "templates" / name
    if project_template.is_file():
        return project_template
    return Path(__file__).resolve().parent.parent / "templates" / name


def _plain(markdown: str) -> str:
    """Metadata text without Markdown emphasis marks, for document properties."""
    return " ".join(markdown.replace("*", "").replace("_", " ").split())


def _core_properties(metadata: Metadata, blind: bool) -> dict[str, str]:
    return {"title": _plain(metadata.title), "keywords": "; ".join(metadata.keywords),
            "creator": "" if blind else "; ".join(a.name for a in metadata.authors)}


def _pdf_inputs(metadata: Metadata, blind: bool) -> dict[str, str]:
    return {"charter-title": _plain(metadata.title), "charter-keywords": "\n".join(metadata.keywords),
            "charter-authors": "" if blind else "\n".join(a.name for a in metadata.authors)}


def _embed_manifest(docx: Path, manifest: dict, warnings: list) -> None:
    try:
        from .review import embed_manifest
    except ImportError:
        warnings.append("the anchor manifest was not embedded in the DOCX (charter.review is not available)")
        return
    embed_manifest(docx, manifest)
