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
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from .assemble import PLACEMENTS, Section, assemble
from .cache import BuildCache, cached_figure, digest
from .counts import Count, compute_counts
from .fonts import missing_cjk_font
from .metadata import Metadata, read_metadata
from .model import Location, Problem, Project
from .pandoc import (CompileError, PandocMessage, compile_typst, finish_docx, font_families, json_to_typst, markdown_to_json, reference_docx,
                     start_docx, wait)
from .placeholders import fill
from .revisions import head_commit
from .styles import names_author_and_year, resolve_style
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
    skipped: list[str] = field(default_factory=list)  # stages whose recorded output was reused (charter.cache)


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


def _citeproc_problems(messages, sections: Sequence[Section]) -> list[Problem]:
    """Pandoc's citeproc warnings are errors for us: a citation it could not resolve prints '???'."""
    problems = []
    for message in messages:
        match = re.search(r"citation (\S+) not found", message.text)
        if message.level != "WARNING" or not match:
            continue
        key = match.group(1)
        where = Location("manuscript/")
        for section in sections:  # point at the first place the key is written
            offset = section.text.find(f"@{key}")
            if offset >= 0:
                where = Location(section.path, section.text.count("\n", 0, offset) + 1)
                break
        problems.append(Problem(where, "", f"citation key '@{key}' is not in bib/ (pandoc's citeproc could not "
                                "find it); add the reference to a .bib file in bib/ or correct the key"))
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
    build_dir = root / "build"
    cache = BuildCache(build_dir)
    with clock.stage("up to date?"):
        snapshot = cache.snapshot(root, {"formats": formats, "blind": blind, "paper": paper})
        recorded = cache.up_to_date(snapshot, [build_dir / f"manuscript.{fmt}" for fmt in formats])
    if recorded is not None:  # nothing the build reads changed and the outputs are intact
        for warning in recorded.get("warnings", []):
            say(f"warning: {warning}")
        say(f"up to date: {', '.join(f'build/manuscript.{fmt}' for fmt in formats)} (nothing changed)")
        return BuildResult({fmt: build_dir / f"manuscript.{fmt}" for fmt in formats}, build_dir, clock.timings,
                           list(recorded.get("warnings", [])), skipped=["build"])

    # ---- load and validate everything first
    with clock.stage("load and validate"):
        project = cache.load_project(root)
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
    build_dir.mkdir(exist_ok=True)
    with clock.stage("Table 1"):
        table_plan, table_problems = _table(project, counts)
        problems += table_problems
    csl, csl_problems = resolve_style(metadata.csl, root, metadata.positions.get("csl") or metadata.source)
    problems += csl_problems
    with clock.stage("PRISMA diagram"):
        figure_doc, figure_problems, figure_warnings = _figure(project, build_dir, cache)
        problems += figure_problems
        warnings += figure_warnings
    known_keys = set(project.bibliography.references)
    with clock.stage("assemble"):
        table_texts = [("caption", table_plan.caption_text, table_plan.caption_at),
                       ("note", table_plan.note_text, table_plan.note_at)] if table_plan else []
        assembled = assemble(metadata, sections, counts, known_keys, blind=blind, paper=paper,
                             table_texts=table_texts)
        problems += assembled.problems
        problems += _missing_images(root, assembled.images)
    if _errors(problems):
        raise BuildError(_errors(problems), "the build stopped before running pandoc")
    warnings += [p for p in assembled.problems if p.severity != "error"]
    warnings += _unplaced(assembled, sections)

    # ---- the files that go into pandoc, kept in build/ for the author to read
    label_table = assembled.labels.get(TABLE_ID, "Table 1")
    table = render_table1(project, table_plan.caption_text, table_plan.note_text, label_table,
                          citations_name_authors=names_author_and_year(csl)) if table_plan else None
    splice: dict[str, str] = {}
    if table is not None:
        _write(build_dir / "table1.md", table.markdown)
        _write(build_dir / "table1.json", json.dumps(_landscape(table), ensure_ascii=False))
        splice[TABLE_ID] = str(build_dir / "table1.json")
    if FIGURE_ID in assembled.labels:
        document = figure_doc(assembled.labels[FIGURE_ID], project.review.review_type)
        _write(build_dir / "figure1.json", json.dumps(document, ensure_ascii=False))
        splice[FIGURE_ID] = str(build_dir / "figure1.json")
    markdown = assembled.markdown.replace("---\n", "---\n" + _splice_yaml(splice, root), 1)
    _write(build_dir / "manuscript.md", markdown)
    _write(build_dir / "counts.json", _counts_json(counts))
    anchors = {**assembled.anchors, **(table.anchors if table else {})}
    if "ch_f0001" in anchors:  # the figure is drawn from review.yaml's prisma: section
        prisma_at = project.review.positions.get("prisma")
        anchors["ch_f0001"] = {**anchors["ch_f0001"], "line": prisma_at.line if prisma_at else None}
    commit, dirty = head_commit(root)  # so `invoke diff --since returned.docx` knows where the copy came from
    manifest = {"version": 1, "anchors": dict(sorted(anchors.items())),
                **({"source": {"commit": commit, "dirty": dirty}} if commit else {})}
    if "pdf" in formats:
        warnings += missing_cjk_font(anchors, font_families)
    _write(build_dir / "manuscript.anchors.json", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")

    # ---- pandoc once to JSON, then DOCX and Typst together, then Typst to PDF;
    # each step skipped when its key (inputs by content, tool versions) and its output are as recorded
    json_path = build_dir / "manuscript.json"
    bibliographies = [root / f for f in project.bibliography.files]
    tools = cache.tool_versions()
    read_key = digest("pandoc read", markdown, [str(b) for b in bibliographies], *bibliographies,
                      *(Path(p) for p in splice.values()), csl, tools)
    final = {fmt: build_dir / f"manuscript.{fmt}" for fmt in formats}
    try:
        recorded_read = cache.fresh("pandoc: read + citeproc", read_key, [json_path])
        if recorded_read is None:
            with clock.stage("pandoc: read + citeproc"):
                messages = markdown_to_json(build_dir / "manuscript.md", json_path, csl=csl,
                                            bibliographies=bibliographies, resource_path=root)
            cache.record("pandoc: read + citeproc", read_key, [json_path],
                         {"messages": [[m.level, m.text] for m in messages]})
        else:
            messages = [PandocMessage(*m) for m in recorded_read.get("messages", [])]
        citeproc = _citeproc_problems(messages, sections)
        if citeproc:
            raise BuildError(citeproc, "citeproc could not resolve every citation")
        temporary = {fmt: build_dir / f".manuscript.{fmt}.tmp" for fmt in formats}
        typst_source = build_dir / "manuscript.typ"
        resources = sorted(p for p in (root / "manuscript").rglob("*") if p.is_file() and p.suffix not in (".md",))
        writer_inputs = [json_path, build_dir / "prisma.png", [str(p) for p in resources], *resources, tools]
        docx_key = digest("docx", *writer_inputs, _template(root, "make_reference_docx.py"), paper,
                          _core_properties(metadata, blind), manifest)
        pdf_key = digest("pdf", *writer_inputs, _template(root, "manuscript.typ"), _pdf_inputs(metadata, blind))
        recorded = {"docx": cache.fresh("DOCX", docx_key, [final["docx"]]) if "docx" in formats else None,
                    "pdf": cache.fresh("PDF", pdf_key, [typst_source, final["pdf"]]) if "pdf" in formats else None}
        made = {fmt: {"messages": [], "warnings": []} for fmt in formats if recorded[fmt] is None}
        with clock.stage("DOCX and PDF side by side"):
            docx_job = None
            if "docx" in made:
                reference = reference_docx(build_dir, paper, _template(root, "make_reference_docx.py"))
                docx_job = start_docx(json_path, temporary["docx"], reference)
            try:
                if "pdf" in made:
                    made["pdf"]["messages"] = json_to_typst(json_path, typst_source, _template(root, "manuscript.typ"))
                    typst_warnings = compile_typst(typst_source, temporary["pdf"], root=root,
                                                   inputs=_pdf_inputs(metadata, blind))
                    made["pdf"]["warnings"] = [f"typst: {w}" for w in typst_warnings]
            finally:
                if docx_job is not None:
                    made["docx"]["messages"] = wait(docx_job, "writing the DOCX")
            if docx_job is not None:
                finish_docx(temporary["docx"], paper=paper, core=_core_properties(metadata, blind))
                _embed_manifest(temporary["docx"], manifest, made["docx"]["warnings"])
        for fmt in formats:  # in format order, as without the cache
            if fmt in made:
                messages += made[fmt]["messages"]
                warnings += made[fmt]["warnings"]
            else:
                messages += [PandocMessage(*m) for m in recorded[fmt].get("messages", [])]
                warnings += recorded[fmt].get("warnings", [])
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
        if fmt in made:
            os.replace(temporary[fmt], final[fmt])
            cache.record(fmt.upper(), docx_key if fmt == "docx" else pdf_key,
                         [final[fmt]] if fmt == "docx" else [typst_source, final[fmt]],
                         {"messages": [[m.level, m.text] for m in made[fmt]["messages"]],
                          "warnings": [str(w) for w in made[fmt]["warnings"]]})
        outputs[fmt] = final[fmt]
    warnings += [f"pandoc: {m.text}" for m in messages if m.level == "WARNING"]
    intermediates = [build_dir / name for name in ("manuscript.md", "manuscript.json", "manuscript.typ", "counts.json",
                                                   "manuscript.anchors.json", "table1.md", "table1.json",
                                                   "figure1.json", "prisma.svg", "prisma.png")]
    cache.record_build(snapshot, [csl], [*outputs.values(), *(p for p in intermediates if p.is_file())], warnings)
    cache.save()
    for warning in warnings:
        say(f"warning: {warning}")
    for fmt, path in outputs.items():
        say(f"wrote {path}" if fmt in made else f"up to date: {path}")
    say("times: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in clock.timings))
    return BuildResult(outputs, build_dir, clock.timings, warnings, skipped=list(cache.skipped))


@dataclass(frozen=True)
class _TablePlan:
    caption_text: str
    note_text: str
    caption_at: Location
    note_at: Location


def _table(project: Project, counts) -> tuple[_TablePlan | None, list[Problem]]:
    """Fill the placeholders of the table's caption and note (review.yaml)."""
    review = project.review
    problems: list[Problem] = []
    texts, places = [], []
    for name, text in (("table.caption", review.table_caption), ("table.note", review.table_note)):
        where = review.positions.get(name) or review.source
        where = Location(where.path or "review.yaml", where.line, where.column)
        first = where.line + 1 if "\n" in (text or "") and where.line else where.line or 1
        filled, found = fill(text or "", counts, where.path, first)
        problems += found
        texts.append(filled)
        places.append(where)
    if not review.table_columns:
        return None, problems
    return _TablePlan(texts[0], texts[1], places[0], places[1]), problems


def _figure(project: Project, build_dir: Path, cache: BuildCache):
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
    figure = cached_figure(cache, project.review, n_studies, build_dir)
    return (lambda label, review_type: _figure_document(figure, label, review_type)), problems, []


def _unplaced(assembled, sections: Sequence[Section]) -> list[Problem]:
    """Table 1 and Figure 1 belong in every manuscript; building without them is allowed, but said."""
    problems = []
    for (kind, name), label in PLACEMENTS.items():
        if label not in assembled.placements and sections:
            what = "Table 1 (the included studies)" if kind == "table" else "Figure 1 (the PRISMA flow diagram)"
            problems.append(Problem(Location(sections[0].path), "", f"{what} is not placed in the manuscript; "
                                    f"add a line {{{{ {kind}:{name} }}}} where it belongs", severity="warning"))
    return problems


def _missing_images(root: Path, images) -> list[Problem]:
    """An image in the text must exist, in manuscript/ or the project folder (where pandoc will look)."""
    problems = []
    for where, src in images:
        if not any((folder / src).is_file() for folder in _image_folders(root)):
            problems.append(Problem(where, "", f"image '{src}' not found (looked in manuscript/ and in the project "
                                    "folder); correct the path or add the file"))
    return problems


def _image_folders(root: Path) -> list[Path]:
    return [root / "manuscript", root]


def _splice_yaml(splice: dict[str, str], root: Path) -> str:
    """Metadata for the Lua filter: the files to splice in, and where images in the text are found."""
    folders = "".join(f"  - {json.dumps(str(folder))}\n" for folder in _image_folders(root))
    lines = "charter-image-folders:\n" + folders
    if splice:
        lines += "charter-splice:\n" + "".join(f"  {label}: {json.dumps(path)}\n" for label, path in splice.items())
    return lines


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
