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
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, wait as wait_for
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from charter import PACKAGE_DIR
from charter.document.assemble import PLACEMENTS, Assembled, assemble
from charter.sources.bibtex import unreadable_bib_files
from charter.compile import jsontree
from charter.compile.cache import BuildCache, FigureDrawing, digest
from charter.document.counts import Count, compute_counts
from charter.document.fonts import missing_cjk_font, search_again
from charter.sources.load import load_sections
from charter.sources.metadata import Metadata, read_metadata
from charter.model import Location, Problem, Project, Section
from charter.compile.pandoc import (CompileError, PandocMessage, TypstCompileError, compile_typst, finish_docx, font_families,
                     json_to_typst, markdown_to_json, reference_docx, start_docx, wait)
from charter.paths import refuse_outside, resolve_images, source_problems, style_outside
from charter.document.placeholders import WORDS_STAND_IN, fill
from charter.sources.preflight import check_relied_on_blocks
from charter.revision.revisions import head_commit
from charter.compile.stages import Runner, Stage, State, remove, write
from charter.sources.styles import names_author_and_year, resolve_style
from charter.suggest import did_you_mean
from charter.document.table1 import PANDOC_API_VERSION, TABLE_ID, Table1, render_table1, text_inlines
from charter.document.word_placeholders import fill_word_counts, replace_stand_ins, word_count_names

try:
    import fcntl
except ImportError:  # Windows: msvcrt's byte-range lock instead (not exercised by the tests)
    fcntl = None
    import msvcrt

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
    skipped: list[str] = field(default_factory=list)  # stages whose recorded output was reused (charter.compile.cache)


# A build that has run this long names each stage it starts, so a slow build is not silent.
PROGRESS_AFTER = 1.5  # seconds
# A build slower than this prints how long each stage took (any build does with times=True, `invoke build --verbose`).
TIMES_AFTER = 20.0  # seconds


def _show_progress() -> bool:
    """Stage lines on a terminal only: quiet in CI and when output goes to a file (CHARTER_PROGRESS=1 forces them)."""
    if os.environ.get("CHARTER_PROGRESS") in ("0", "1"):
        return os.environ["CHARTER_PROGRESS"] == "1"
    return sys.stderr.isatty() and not os.environ.get("CI")


# -------------------------------------------------------------------- inputs


def read_sections(root: Path) -> list[Section]:
    """Read manuscript/*.md in file-name order (01-introduction.md, 02-method.md, …); a file that cannot be read
    (not UTF-8, too large, a link leading outside the project) is left out: ``charter.sources.load.load_sections`` says
    why."""
    return load_sections(root)[0]


def _errors(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# -------------------------------------------------------------- rendered parts


def _figure_document(figure, label: str, review_type: str) -> dict:
    """Figure 1 as pandoc JSON: the PNG for the DOCX, the Typst drawing (real text) for the PDF."""
    flow = "PRISMA-ScR" if review_type == "scoping" else "PRISMA 2020"
    caption_text = f"{flow} flow diagram of the search and selection of studies."
    caption = [{"t": "Strong", "c": [{"t": "Str", "c": f"{label}."}]}, {"t": "Space"}, *text_inlines(caption_text)]
    image = {"t": "Image", "c": [["", [], [["width", FIGURE_WIDTH]]], [{"t": "Str", "c": "PRISMA flow diagram"}],
                                 [f"build/{figure.png.name}", ""]]}  # from the project folder
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


_write = write  # the names other modules and older code use
_remove = remove


class BuildLock:
    """build/.lock, held (fcntl.flock) while a build reads and writes build/: a second build waits.

    The lock is taken as soon as build/ exists (at once, or when the build first writes to it), so
    a build refused for bad sources never creates build/. The file holds the pid of the build
    holding it, for the message; it is never deleted (deleting a lock file others wait on races).
    """

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self.handle = None

    def __enter__(self) -> "BuildLock":
        if self.build_dir.is_dir():
            self.acquire()
        return self

    def acquire(self) -> None:
        if self.handle is not None:
            return
        self.build_dir.mkdir(exist_ok=True)
        try:  # never through a link: a planted build/.lock -> ~/.bashrc would be emptied
            descriptor = os.open(self.build_dir / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                                 0o644)
        except OSError as error:
            raise BuildError([Problem(Location("build/.lock"), "", f"cannot open the lock file ({error.strerror}); "
                                      "delete build/.lock and build again")], "cannot build") from error
        handle = open(descriptor, "r+", encoding="utf-8")
        if not _lock(handle, wait=False):
            try:
                handle.seek(0)
                holder = handle.read().strip() or "?"
            except OSError:  # Windows locks are mandatory: the holder's pid may be unreadable
                holder = "?"
            # on stderr, also when quiet: a build that seems to hang must say why
            print(f"waiting for another build in this folder (pid {holder}) …", file=sys.stderr, flush=True)
            _lock(handle, wait=True)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the file releases the lock
            self.handle = None


def _lock(handle, *, wait: bool) -> bool:
    """Lock the open file for this process; False when another holds it and ``wait`` is False."""
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            return True
        except BlockingIOError:
            return False
    while True:  # msvcrt.LK_LOCK gives up after ten seconds: retry for as long as the other build runs
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            if not wait:
                return False
            time.sleep(0.5)


class _Beside:
    """Work for a thread of its own, started when the build's Python is idle (pandoc reading), or when needed."""

    def __init__(self, work, *args, **kwargs) -> None:
        self.call, self.job = (work, args, kwargs), None

    def start(self) -> None:
        if self.job is None:
            work, args, kwargs = self.call
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="beside")
            self.job = pool.submit(work, *args, **kwargs)
            pool.shutdown(wait=False)  # the thread ends with the work

    def result(self):
        self.start()
        return self.job.result()

    def abandon(self) -> None:
        """The build stopped: let the work end (it writes into build/, which the build's lock holds)."""
        if self.job is not None:
            wait_for([self.job])


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
          *, verbose: bool = True, times: bool = False) -> BuildResult:
    """Build build/manuscript.docx and/or build/manuscript.pdf; raise BuildError listing every problem.

    ``times``: print how long each stage took (a verbose build over ``TIMES_AFTER`` seconds prints it anyway).
    """
    root = Path(root).resolve()
    formats = tuple(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BuildError([f"unknown format '{', '.join(unknown) or '(none)'}': use docx or pdf"], "cannot build")
    if paper not in PAPERS:
        raise BuildError([f"unknown paper size '{paper}': use a4 or letter"], "cannot build")
    say = print if verbose else (lambda *a, **k: None)
    if os.path.lexists(root / "build") and (os.path.islink(root / "build") or not (root / "build").is_dir()):
        # build/ came with the sources (a pull request?): writing through it could reach any folder
        raise BuildError([Problem(Location("build"), "", "build is a symbolic link or a file, not the folder the "
                                  "build writes; delete it (Charter creates build/ itself)")], "cannot build")
    with BuildLock(root / "build") as lock:  # a second build in this folder waits here
        return _build(root, formats, blind, paper, say, lock, times)


def _build(root: Path, formats: tuple[str, ...], blind: bool, paper: str, say, lock: BuildLock,
           times: bool = False) -> BuildResult:
    started = time.monotonic()
    build_dir = root / "build"
    search_again()  # Typst's fonts: searched once per build (a font installed during `invoke watch` is found)
    cache = BuildCache(build_dir)
    # a quiet build (verbose=False) shows no stages
    runner = Runner(cache, BuildError, progress_after=PROGRESS_AFTER if say is print and _show_progress() else None)
    with runner.timed("up to date?"):
        snapshot = cache.snapshot(root, {"formats": formats, "blind": blind, "paper": paper})
        recorded = cache.up_to_date(snapshot, [build_dir / f"manuscript.{fmt}" for fmt in formats])
    if recorded is not None:  # nothing the build reads changed and the outputs are intact
        for warning in recorded.get("warnings", []):
            say(f"warning: {warning}")
        say(f"up to date: {', '.join(f'build/manuscript.{fmt}' for fmt in formats)} (nothing changed)")
        return BuildResult({fmt: build_dir / f"manuscript.{fmt}" for fmt in formats}, build_dir, runner.timings,
                           list(recorded.get("warnings", [])), skipped=["build"])

    state = State(root=root, build_dir=build_dir, formats=formats, blind=blind, paper=paper, lock=lock, say=say)
    try:
        runner.run(PREPARE, state)
        try:
            runner.run(COMPILE, state)
        except CompileError as error:
            raise BuildError([*_typst_source_problems(error, root, state.sections), str(error)],
                             "pandoc or Typst failed") from error
    finally:  # a stopped build lets the diagram's drawing (and the reference DOCX) end while it still holds build/
        if state.has("figure_drawing") and state.figure_drawing is not None:
            state.figure_drawing.abandon()
        if state.has("reference") and state.reference is not None:
            state.reference.abandon()

    warnings = runner.warnings + [f"pandoc: {m.text}" for m in state.messages if m.level == "WARNING"]
    outputs = state.outputs
    intermediates = [build_dir / name for name in ("manuscript.md", "manuscript.json", "manuscript.typ", "counts.json",
                                                   "manuscript.anchors.json", "table1.md", "table1.json",
                                                   "figure1.json", "prisma.svg", "prisma.png")]
    cache.record_build(snapshot, [state.csl], [*outputs.values(), *(p for p in intermediates if p.is_file())],
                       warnings)
    cache.save()
    for warning in warnings:
        say(f"warning: {warning}")
    for fmt, path in outputs.items():
        say(f"wrote {path}" if fmt in state.made else f"up to date: {path}")
    if times or time.monotonic() - started > TIMES_AFTER:  # where the time went, when that is worth knowing
        say("times: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in runner.timings))
    return BuildResult(outputs, build_dir, runner.timings, warnings, skipped=list(cache.skipped))


# --------------------------------------------------------------- the stages
# Each takes the build's State (what earlier stages made) and the Runner (cache, problems);
# the lists PREPARE and COMPILE below are the pipeline, in order.


def _load(s: State, run: Runner) -> None:
    """Load and validate everything first: refuse to build on any error, listing all of them."""
    s.project = run.cache.load_project(s.root)
    s.metadata, metadata_problems = read_metadata(s.root)
    s.sections, section_problems = load_sections(s.root)
    reported = {str(p) for p in [*s.project.problems, *metadata_problems, *section_problems]}
    links = [p for p in source_problems(s.root) if str(p) not in reported]  # sections and templates
    run.add([*s.project.problems, *metadata_problems, *section_problems, *links])
    if not s.sections:
        run.add([Problem(Location("manuscript/"), "", "no sections: write the manuscript as numbered "
                         "Markdown files such as manuscript/01-introduction.md")])
    if run.errors() or s.metadata is None:
        raise BuildError(run.problems, "the build refused to start: the sources have errors")
    run.warn(p for p in run.problems if p.severity != "error")
    if s.paper == "a4" and s.metadata.paper:  # the command line's --paper letter wins over metadata.yaml
        s.paper = s.metadata.paper


def _counts(s: State, run: Runner) -> None:
    s.counts = compute_counts(s.project)


def _take_build_folder(s: State, run: Runner) -> None:
    s.lock.acquire()  # creates build/


def _preflight(s: State, run: Runner) -> None:
    """Everything pandoc would trip over, checked first (invoke check runs the same)."""
    s.preflight = check_before_pandoc(s.root, s.project, s.metadata, s.sections, s.counts, blind=s.blind,
                                      paper=s.paper)
    run.add(s.preflight.problems)
    s.table_plan, s.csl, s.assembled = s.preflight.table_plan, s.preflight.csl, s.preflight.assembled
    s.image_paths = s.preflight.image_paths


def _figure_stage(s: State, run: Runner) -> None:
    s.figure_doc, s.figure_drawing, problems, warnings = _figure(s.project, s.build_dir, run.cache)
    run.add(problems)
    run.warn(warnings)


def _pandoc_inputs(s: State, run: Runner) -> None:
    """The files that go into pandoc, kept in build/ for the author to read."""
    build_dir, assembled = s.build_dir, s.assembled
    run.warn(p for p in s.preflight.problems if p.severity != "error")
    run.warn(_unplaced(assembled, s.sections))
    label_table = assembled.labels.get(TABLE_ID, "Table 1")
    with jsontree.collector_paused():  # Table 1 is millions of small objects: 0.8 s instead of 1.5 at 3,000 studies
        s.table = render_table1(s.project, s.table_plan.caption_text, s.table_plan.note_text, label_table,
                                citations_name_authors=names_author_and_year(s.csl)) if s.table_plan else None
    s.splice = {}
    if s.table is not None:
        write(build_dir / "table1.md", s.table.markdown)
        write(build_dir / "table1.json", jsontree.dump(_landscape(s.table)))  # 17 MB at 3,000 studies
        s.splice[TABLE_ID] = "build/table1.json"
    s.docx_images = sorted(set(s.image_paths.values()))
    if FIGURE_ID in assembled.labels:
        document = s.figure_doc(assembled.labels[FIGURE_ID], s.project.review.review_type)
        write(build_dir / "figure1.json", json.dumps(document, ensure_ascii=False))
        s.splice[FIGURE_ID] = "build/figure1.json"
        s.docx_images.append("build/prisma.png")
    # the Lua filter's own settings: never in the document's metadata, where text could set them
    s.settings = json.dumps({"splice": s.splice, "images": s.image_paths}, ensure_ascii=False, sort_keys=True)
    write(build_dir / "filter-settings.json", s.settings)
    s.markdown = assembled.markdown
    write(build_dir / "manuscript.md", s.markdown)
    write(build_dir / "counts.json", _counts_json(s.counts))
    s.json_path = build_dir / "manuscript.json"
    s.bibliographies = [s.root / f for f in s.project.bibliography.files]
    s.tools = run.cache.tool_versions()
    s.reference = None
    if "docx" in s.formats:  # the reference DOCX (a script and a pandoc run), made while pandoc reads
        s.reference = _Beside(reference_docx, build_dir, s.paper, template_file(s.root, "make_reference_docx.py"),
                              version=s.tools["pandoc"])


def _anchor_manifest(s: State, run: Runner) -> None:
    """build/manuscript.anchors.json: made while pandoc reads (``_read``), or after a read the cache reused."""
    if s.has("manifest"):
        return
    anchors = {**s.assembled.anchors, **(s.table.anchors if s.table else {})}
    if "ch_f0001" in anchors:  # the figure is drawn from review.yaml's prisma: section
        prisma_at = s.project.review.positions.get("prisma")
        anchors["ch_f0001"] = {**anchors["ch_f0001"], "line": prisma_at.line if prisma_at else None}
    commit, dirty = head_commit(s.root)  # so `invoke diff --since returned.docx` knows where the copy came from
    s.manifest = {"version": 1, "anchors": dict(sorted(anchors.items())),
                  "numbers": dict(s.assembled.numbers),  # numbers placeholders wrote: invoke check --docx skips them
                  **({"source": {"commit": commit, "dirty": dirty}} if commit else {})}
    if "pdf" in s.formats:
        run.warn(missing_cjk_font(anchors, font_families))
    write(s.build_dir / "manuscript.anchors.json", json.dumps(s.manifest, ensure_ascii=False, indent=1) + "\n")


def _while_pandoc_reads(s: State, run: Runner):
    """What the build does once pandoc is reading (its Python is idle then): what pandoc does not need."""
    def started() -> None:
        if s.reference is not None:
            s.reference.start()  # in a thread: a script and a pandoc run
        _anchor_manifest(s, run)  # git, and the manifest's JSON

    return started


# ---- pandoc once to JSON, then DOCX and Typst together, then Typst to PDF;
# each step skipped when its key (inputs by content, tool versions) and its output are as recorded


def _read_key(s: State) -> str:
    return digest("pandoc read", s.markdown, s.settings, [str(b) for b in s.bibliographies], *s.bibliographies,
                  *(s.root / p for p in s.splice.values()), s.csl, s.tools, _count_headings(s.metadata))


def _count_headings(metadata: Metadata) -> bool:
    return bool(metadata.submission and metadata.submission.count_headings)


def _read(s: State, run: Runner) -> dict:
    s.messages = markdown_to_json(s.build_dir / "manuscript.md", s.json_path, csl=s.csl,
                                  bibliographies=s.bibliographies, root=s.root,
                                  settings=s.build_dir / "filter-settings.json", progress=_progress(s.say),
                                  started=_while_pandoc_reads(s, run))
    s.word_numbers, s.unknown_words = {}, []
    if WORDS_STAND_IN.split("{")[0] + "words." in s.markdown:  # {{ n.words.main }} in the text: count, fill in
        document = json.loads(s.json_path.read_text(encoding="utf-8"))
        filled, _, s.word_numbers, s.unknown_words = fill_word_counts(
            document, count_headings=_count_headings(s.metadata))
        write(s.json_path, json.dumps(filled, ensure_ascii=False))
    return {"messages": [[m.level, m.text] for m in s.messages], "word_numbers": s.word_numbers,
            "unknown_words": s.unknown_words}


def _reuse_read(s: State, recorded: dict) -> None:
    s.messages = [PandocMessage(*m) for m in recorded.get("messages", [])]
    s.word_numbers = dict(recorded.get("word_numbers", {}))
    s.unknown_words = list(recorded.get("unknown_words", []))


def _word_numbers(s: State, run: Runner) -> None:
    """The word counts the text states ({{ n.words.main }}): an unknown name is an error; the anchor manifest
    gets the numbers in place of the stand-ins, so invoke check --docx knows them as the build's."""
    if s.unknown_words:
        known = word_count_names(section.text for section in s.sections)
        problems = []
        for name in s.unknown_words:
            where = next((Location(e["source"], e["line"]) for e in s.manifest.get("numbers", {}).values()
                          if e.get("count") == name), Location("manuscript/"))
            problems.append(Problem(where, "", f"unknown placeholder 'n.{name}': no section has that heading"
                                    f"{did_you_mean(name, known)} (run 'invoke counts' after a build to list the "
                                    "word counts)"))
        raise BuildError(problems, "the word counts could not be filled in")
    if s.word_numbers:
        s.manifest = replace_stand_ins(s.manifest, s.word_numbers)
        write(s.build_dir / "manuscript.anchors.json", json.dumps(s.manifest, ensure_ascii=False, indent=1) + "\n")


def _citations(s: State, run: Runner) -> None:
    citeproc = _citeproc_problems(s.messages, s.sections)
    if citeproc:
        raise BuildError(citeproc, "citeproc could not resolve every citation")


def _figure_drawn(s: State, run: Runner) -> None:
    """The PNG the DOCX writer embeds, drawn beside pandoc's reading (``FigureDrawing``), is written now."""
    if s.figure_drawing is not None:
        s.figure_drawing.wait()


def _write_formats(s: State, run: Runner) -> None:
    """DOCX and PDF side by side, into temporary files; each format skipped when its key is as recorded."""
    root, build_dir, formats, cache = s.root, s.build_dir, s.formats, run.cache
    s.final = {fmt: build_dir / f"manuscript.{fmt}" for fmt in formats}
    # temporary names unique to this process, so two builds can never write the same file
    s.temporary = temporary = {fmt: build_dir / f".manuscript.{os.getpid()}.{fmt}.tmp" for fmt in formats}
    try:
        s.typst_source = typst_source = build_dir / "manuscript.typ"
        typst_images = _typst_images(root, build_dir, s.image_paths) if "pdf" in formats else {}
        writer_inputs = [s.json_path, build_dir / "prisma.png", sorted(s.image_paths.items()),
                         *(root / p for p in s.docx_images), s.tools]
        s.keys = {"docx": digest("docx", *writer_inputs, template_file(root, "make_reference_docx.py"), s.paper,
                                 core_properties(s.metadata, s.blind), s.manifest),
                  "pdf": digest("pdf", *writer_inputs, template_file(root, "manuscript.typ"),
                                pdf_inputs(s.metadata, s.blind))}
        recorded = {"docx": cache.fresh("DOCX", s.keys["docx"], [s.final["docx"]]) if "docx" in formats else None,
                    "pdf": cache.fresh("PDF", s.keys["pdf"], [typst_source, s.final["pdf"]])
                    if "pdf" in formats else None}
        s.made = made = {fmt: {"messages": [], "warnings": []} for fmt in formats if recorded[fmt] is None}
        docx_job = None
        if "docx" in made:
            docx_job = start_docx(s.json_path, temporary["docx"], s.reference.result(), root=root,
                                  images=s.docx_images)
        # Typst compiles in a thread (it releases the GIL) while this one finishes the DOCX: two cores busy
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst") as typst_thread:
            typst_job = None
            try:
                if "pdf" in made:
                    made["pdf"]["messages"] = json_to_typst(s.json_path, typst_source,
                                                            template_file(root, "manuscript.typ"), typst_images,
                                                            version=s.tools["pandoc"])
                    typst_job = typst_thread.submit(compile_typst, typst_source, temporary["pdf"], root=build_dir,
                                                    inputs=pdf_inputs(s.metadata, s.blind))
            finally:
                if docx_job is not None:
                    made["docx"]["messages"] = wait(docx_job, "writing the DOCX")
            unread = _unread_resources(made)
            if unread:
                raise BuildError(unread, "pandoc could not read every image")
            if docx_job is not None:
                finish_docx(temporary["docx"], paper=s.paper, core=core_properties(s.metadata, s.blind),
                            manifest=s.manifest)  # the anchor manifest embedded as it is finished: one zip
            if typst_job is not None:
                made["pdf"]["warnings"] = [f"typst: {w}" for w in typst_job.result()]
        for fmt in formats:  # in format order, as without the cache
            if fmt in made:
                s.messages += made[fmt]["messages"]
                run.warn(made[fmt]["warnings"])
            else:
                s.messages += [PandocMessage(*m) for m in recorded[fmt].get("messages", [])]
                run.warn(recorded[fmt].get("warnings", []))
    except BaseException:  # after any failure (or Ctrl-C) no temporary file of this build stays behind
        remove(temporary.values())
        raise


def _replace_outputs(s: State, run: Runner) -> None:
    """Every format succeeded: now replace the previous outputs, and record what was made."""
    s.outputs = {}
    for fmt in s.formats:
        if fmt in s.made:
            os.replace(s.temporary[fmt], s.final[fmt])
            run.cache.record(fmt.upper(), s.keys[fmt], [s.final[fmt]] if fmt == "docx" else [s.typst_source, s.final[fmt]],
                             {"messages": [[m.level, m.text] for m in s.made[fmt]["messages"]],
                              "warnings": [str(w) for w in s.made[fmt]["warnings"]]})
        s.outputs[fmt] = s.final[fmt]


# The pipeline. PREPARE reads, checks and renders the sources into build/; COMPILE runs pandoc and Typst.
PREPARE = (
    Stage("load and validate", _load, makes=("project", "metadata", "sections")),
    Stage("counts", _counts, needs=("project",), makes=("counts",)),
    Stage("build folder", _take_build_folder, timed=False),
    Stage("assemble", _preflight, needs=("project", "metadata", "sections", "counts"),
          makes=("preflight", "table_plan", "csl", "assembled", "image_paths")),
    Stage("PRISMA diagram", _figure_stage, needs=("project",), makes=("figure_doc", "figure_drawing")),
    Stage("pandoc inputs", _pandoc_inputs, timed=False, stop="the build stopped before running pandoc",
          needs=("assembled", "csl", "figure_doc", "image_paths"),
          makes=("table", "splice", "settings", "markdown", "docx_images", "json_path", "bibliographies", "tools",
                 "reference")),
)
COMPILE = (
    Stage("pandoc: read + citeproc", _read, key=_read_key, files=lambda s: [s.json_path], reuse=_reuse_read,
          needs=("markdown", "settings", "splice", "bibliographies", "csl", "tools", "reference", "table"),
          makes=("messages", "word_numbers", "unknown_words")),
    Stage("anchor manifest", _anchor_manifest, timed=False, needs=("assembled", "table"), makes=("manifest",)),
    Stage("citations", _citations, timed=False, needs=("messages",)),
    Stage("word counts in the text", _word_numbers, timed=False, needs=("word_numbers", "unknown_words", "manifest")),
    Stage("PRISMA diagram: waiting for the drawing", _figure_drawn, needs=("figure_drawing",)),
    Stage("DOCX and PDF side by side", _write_formats, needs=("json_path", "manifest", "image_paths", "reference"),
          makes=("made", "temporary", "final", "keys")),
    Stage("replace the outputs", _replace_outputs, timed=False, needs=("made",), makes=("outputs",)),
)


def _progress(say):
    """Where a long citation run reports how far it is: a line each step, on a terminal only (not in CI)."""
    if sys.stdout.isatty() and os.environ.get("CI", "").lower() not in ("true", "1"):
        return say
    return None


@dataclass(frozen=True)
class Preflight:
    """What ``check_before_pandoc`` found, and what it worked out on the way for the build to use."""

    problems: tuple[Problem, ...]
    table_plan: "_TablePlan | None"
    csl: Path | None
    assembled: Assembled
    image_paths: dict[str, str]  # image path as written -> path from the project folder


def check_before_pandoc(root: Path, project: Project, metadata: Metadata, sections: Sequence[Section],
                        counts: dict[str, Count], *, blind: bool = False, paper: str = "a4") -> Preflight:
    """Everything the build refuses before pandoc runs, with the source file and line.

    Table 1's caption and note (placeholders), the citation style (an id, or a
    .csl file inside the project), the assembled text (placeholders, citation
    keys, cross-references, unclosed comments, fences and divs, raw blocks,
    nesting, charter-* metadata), the images (files inside the project) and the
    review.yaml blocks the text relies on. ``invoke check`` runs this same
    function, so a project that checks clean never stops here.
    """
    table_plan, problems = _table(project, counts)
    csl, csl_problems = _style(metadata, root)
    problems += csl_problems
    table_texts = [("caption", table_plan.caption_text, table_plan.caption_at),
                   ("note", table_plan.note_text, table_plan.note_at)] if table_plan else []
    known_keys = None if unreadable_bib_files(project) else set(project.bibliography.references)
    assembled = assemble(metadata, sections, counts, known_keys, blind=blind, paper=paper, table_texts=table_texts)
    problems += assembled.problems
    image_paths, image_problems = resolve_images(root, assembled.images)
    problems += image_problems
    texts = [(s.path, s.text, 1) for s in sections]
    texts += [(metadata.source.path, metadata.abstract or "", (metadata.positions.get("abstract") or
                                                                metadata.source).line or 1)]
    problems += check_relied_on_blocks(project.review, texts)
    return Preflight(tuple(problems), table_plan, csl, assembled, image_paths)


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
    """Check the PRISMA arithmetic and draw the diagram; until charter.document.prisma exists, warn and leave a note."""
    try:
        from charter.document import prisma
    except ImportError as error:
        reason = f"charter.document.prisma is not available ({error})"
        return (lambda label, _type: _missing_figure_document(label, reason)), None, [], [f"Figure 1 skipped: {reason}"]
    n_studies = len(project.studies)
    problems = prisma.check_arithmetic(project.review.prisma, n_studies)
    if _errors(problems):
        return None, None, problems, []
    drawing = FigureDrawing(cache, project.review, n_studies, build_dir)  # drawn while pandoc reads
    return (lambda label, review_type: _figure_document(drawing.figure, label, review_type)), drawing, problems, []


def _unplaced(assembled, sections: Sequence[Section]) -> list[Problem]:
    """Table 1 and Figure 1 belong in every manuscript; building without them is allowed, but said."""
    problems = []
    for (kind, name), label in PLACEMENTS.items():
        if label not in assembled.placements and sections:
            what = "Table 1 (the included studies)" if kind == "table" else "Figure 1 (the PRISMA flow diagram)"
            problems.append(Problem(Location(sections[0].path), "", f"{what} is not placed in the manuscript; "
                                    f"add a line {{{{ {kind}:{name} }}}} where it belongs", severity="warning"))
    return problems


def _style(metadata: Metadata, root: Path) -> tuple[Path | None, list[Problem]]:
    """The CSL file: a style id from the installed styles, or a .csl path inside the project."""
    where = metadata.positions.get("csl") or metadata.source
    outside = style_outside(root, metadata.csl, where)
    if outside is not None:
        return None, [outside]
    return resolve_style(metadata.csl, root, where)


def _typst_images(root: Path, build_dir: Path, image_paths: dict[str, str]) -> dict[str, str]:
    """Copy the images of the text into build/images/ (inside Typst's root); {path from the root: Typst path}."""
    folder = build_dir / "images"
    if os.path.islink(folder) or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)  # only this build's images: a removed image does not linger
    located = {}
    for rel in sorted(set(image_paths.values())):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target, (root / rel).read_bytes())
        located[rel] = f"/images/{rel}"
    return located


def _unread_resources(made: dict) -> list[str]:
    """Pandoc only warns when it cannot read an image (the sandbox refused it): for us it is an error."""
    return [f"pandoc: {m.text}; images must be files inside the project folder"
            for result in made.values() for m in result["messages"] if "Could not fetch resource" in m.text]


def _typst_source_problems(error: CompileError, root: Path, sections: Sequence[Section]) -> list[Problem]:
    """Point a Typst error at the source line that holds the Typst text it names (a raw block, a caption)."""
    snippet = getattr(error, "snippet", "") if isinstance(error, TypstCompileError) else ""
    if not snippet:
        return []
    texts = [(s.path, s.text) for s in sections]
    for rel in ("review.yaml", "manuscript/metadata.yaml"):
        if refuse_outside(root, rel) is None and (root / rel).is_file():
            texts.append((rel, (root / rel).read_text(encoding="utf-8", errors="replace")))
    for path, text in texts:
        offset = text.find(snippet)
        if offset >= 0:
            line = text.count("\n", 0, offset) + 1
            return [Problem(Location(path, line), "", f"Typst could not compile the Typst written here "
                            f"({snippet}); the message below says why. Raw Typst may read only files inside "
                            "build/ (the folder Typst is given)")]
    return []


def template_file(root: Path, name: str) -> Path:
    """The project's templates/<name>, else Charter's own (a new project need not copy them)."""
    project_template = root / "templates" / name
    if project_template.is_file():
        return project_template
    return PACKAGE_DIR / "templates" / name


def _plain(markdown: str) -> str:
    """Metadata text without Markdown emphasis marks, for document properties."""
    return " ".join(markdown.replace("*", "").replace("_", " ").split())


def core_properties(metadata: Metadata, blind: bool) -> dict[str, str]:
    return {"title": _plain(metadata.title), "keywords": "; ".join(metadata.keywords),
            "creator": "" if blind else "; ".join(a.name for a in metadata.authors)}


def pdf_inputs(metadata: Metadata, blind: bool) -> dict[str, str]:
    return {"charter-title": _plain(metadata.title), "charter-keywords": "\n".join(metadata.keywords),
            "charter-authors": "" if blind else "\n".join(a.name for a in metadata.authors)}
