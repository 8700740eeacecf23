"""Run pandoc and Typst: the only module that starts a subprocess or calls the compilers.

One pandoc run parses the Markdown and runs the Lua filters and citeproc,
writing pandoc's JSON (a large review's citations are formatted in groups:
``charter.compile.citations``). From that JSON a background pandoc writes the
DOCX while a second pandoc writes the Typst source and the ``typst`` package
compiles it to PDF. Parsing and citation processing therefore happen once
however many formats we write, and the two formats are made side by side.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from charter import PACKAGE_DIR
from charter.paths import inside
from charter.compile import group_size, jsontree, typst_blocks

FILTERS = PACKAGE_DIR / "filters"
# A fixed date for every date an output holds (the DOCX's created/modified properties), so the
# same sources give byte-identical files; SOURCE_DATE_EPOCH set by the user wins. Zip entries
# always carry 1980-01-01 and the PDF carries no date at all.
DEFAULT_EPOCH = "315532800"  # 1980-01-01, the earliest date a zip file can hold

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
PAPER_TWIPS = {"a4": (11906, 16838), "letter": (12240, 15840)}


class CompileError(Exception):
    """Pandoc or Typst failed; the message says what it reported."""


@dataclass(frozen=True)
class PandocMessage:
    level: str  # "WARNING", "INFO", …
    text: str


def pandoc_path() -> str:
    """The pandoc to run: pypandoc's choice, found without starting pandoc (``charter.compile.pandoc_binary``)."""
    from charter.compile import pandoc_binary

    return pandoc_binary.pandoc_path()


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_EPOCH)
    return env


def _messages(stderr: str) -> list[PandocMessage]:
    messages = []
    for line in stderr.splitlines():
        match = re.match(r"\[(\w+)\]\s*(.*)", line)
        if match:
            messages.append(PandocMessage(match.group(1), match.group(2)))
        elif line.strip() and messages:
            messages[-1] = PandocMessage(messages[-1].level, f"{messages[-1].text} {line.strip()}")
        elif line.strip():
            messages.append(PandocMessage("ERROR", line.strip()))
    return messages


def _run_environment(settings: Path | None) -> dict[str, str]:
    env = _environment()
    env.pop("CHARTER_FILTER_SETTINGS", None)  # only the build names the filter's settings
    if settings is not None:
        env["CHARTER_FILTER_SETTINGS"] = str(settings)
    return env


def _run(args: Sequence[str], what: str, *, cwd: Path, settings: Path | None = None,
         started: Callable[[], None] | None = None) -> list[PandocMessage]:
    env = _run_environment(settings)
    process = subprocess.Popen([pandoc_path(), "--sandbox", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=cwd)
    with process:  # as subprocess.run, which could not say when pandoc has started
        try:
            if started is not None:
                started()
            _, stderr = process.communicate()
        except BaseException:
            process.kill()
            raise
    if process.returncode != 0:
        raise CompileError(f"pandoc failed while {what} (exit code {process.returncode}):\n{stderr.strip()}")
    return _messages(stderr)



def ris_to_csl_json(ris_text: str) -> str:
    """Convert an RIS bibliography to CSL JSON with pandoc, so its keys are the ones pandoc's citeproc uses."""
    process = subprocess.run([pandoc_path(), "--from", "ris", "--to", "csljson"], input=ris_text,
                             capture_output=True, text=True, env=_environment())
    if process.returncode != 0:
        raise CompileError(f"pandoc could not read the RIS file: {process.stderr.strip()}")
    return process.stdout

# ------------------------------------------------------------ reference DOCX


def reference_docx(build_dir: Path, paper: str, script: Path, version: str | None = None) -> Path:
    """Generate the reference DOCX into build/ with the script in templates/, reusing it while unchanged.

    ``version``: the first line of ``pandoc --version`` when the caller knows it (the build's cache
    does), which saves starting pandoc once more.
    """
    script_text = script.read_bytes()
    if version is None:
        version = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    digest = hashlib.sha256(script_text + version.encode() + paper.encode()).hexdigest()[:12]
    target = build_dir / f"reference-{paper}-{digest}.docx"
    if target.is_file():
        return target
    namespace: dict = {"__name__": "charter_reference_docx", "__file__": str(script)}
    exec(compile(script_text, str(script), "exec"), namespace)  # the script is the project's own template code
    default = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"],
                             check=True, capture_output=True).stdout
    for old in build_dir.glob(f"reference-{paper}-*.docx"):
        old.unlink()
    _write_atomically(target, namespace["make_reference_docx"](default, paper))
    return target


# -------------------------------------------------------------------- pandoc


def markdown_to_json(markdown: Path, json_out: Path, *, csl: Path, bibliographies: Iterable[Path],
                     root: Path, settings: Path | None = None, progress=None,
                     started: Callable[[], None] | None = None) -> list[PandocMessage]:
    """Parse the assembled Markdown once: Lua filters (cross-references, Table 1), then citeproc.

    A large review's citations are formatted in groups (``charter.compile.citations``), whose own
    reading run leaves the Table 1 and Figure 1 splice to Python (``charter.compile.splice``).

    Pandoc runs in the project folder with ``--sandbox``: its reader and citeproc can read only the
    files named here (the Markdown, the bibliographies, the CSL style), whatever the text asks for.
    The Lua filter reads the files to splice and the images from ``settings`` (a JSON file the build
    wrote), never from the document. Paths are given relative to the project folder, so none of
    this computer's paths ends up in the outputs.

    ``started`` is called once pandoc is reading (after the grouped runs, when they were used): the
    caller's Python is idle from then on, a moment for work of its own.
    """
    args = [_relative(markdown, root), "--from", "markdown", "--to", "json", "--output", _relative(json_out, root),
            "--lua-filter", str(FILTERS / "charter.lua"), "--citeproc", "--csl", _relative(csl, root),
            "--metadata", "link-citations=false", "--metadata", "suppress-bibliography=false"]
    bibliographies = list(bibliographies)
    for bib in bibliographies:
        args += ["--bibliography", _relative(bib, root)]
    settings = Path(_relative(settings, root)) if settings is not None else None
    if group_size.certainly_plain(Path(root) / b for b in bibliographies):  # a small review: no import of citations
        return _run(args, "reading the manuscript and formatting citations", cwd=root, settings=settings,
                    started=started)
    from charter.compile.citations import format_citations  # a large review: the same output from citeproc in groups of works

    # the grouped runs read the Markdown without citeproc anyway: they splice Table 1 in Python there
    stderr = format_citations(args, csl=Path(root) / csl, bibliographies=[Path(root) / b for b in bibliographies],
                              json_out=json_out, work_dir=json_out.parent, executable=pandoc_path(),
                              environment=_run_environment(settings), cwd=root, progress=progress,
                              settings=Path(root) / settings if settings is not None else None)
    if stderr is not None:
        if started is not None:
            started()
        return _messages(stderr)
    return _run(args, "reading the manuscript and formatting citations", cwd=root, settings=settings,
                started=started)


def start_docx(json_in: Path, docx_out: Path, reference: Path, *, root: Path,
               images: Sequence[str] | None = None) -> subprocess.Popen:
    """Start writing the DOCX from pandoc's JSON in the background; finish with ``wait``.

    ``--sandbox`` lets the DOCX writer read only the files on its command line: the JSON, the
    reference DOCX and the images (paths from the project folder, checked by charter.paths),
    handed over with ``--epub-embed-font``, an option the DOCX writer otherwise ignores.
    ``images`` None: those the JSON names that lie inside ``root``.
    """
    if images is None:
        images = [src for src in image_sources(json.loads(Path(json_in).read_text(encoding="utf-8")))
                  if not os.path.isabs(src) and "://" not in src and inside(root, src) is not None]
    args = ["--sandbox", _relative(json_in, root), "--from", "json", "--to", "docx",
            "--output", _relative(docx_out, root), "--reference-doc", _relative(reference, root)]
    for image in images:
        args.append(f"--epub-embed-font={image}")
    return subprocess.Popen([pandoc_path(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_environment(), cwd=root)


def _relative(path: Path, root: Path) -> str:
    """The path from the project folder when it is inside (Charter's own resources stay absolute)."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def wait(process: subprocess.Popen, what: str) -> list[PandocMessage]:
    """Wait for a pandoc started in the background; raise CompileError if it failed."""
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise CompileError(f"pandoc failed while {what} (exit code {process.returncode}):\n{stderr.strip()}")
    return _messages(stderr)


_TYPST_WRITER = ["--sandbox", "--from", "json", "--to", "typst-citations", "--wrap", "preserve"]


def json_to_typst(json_in: Path, typst_out: Path, template: Path,
                  images: Mapping[str, str] | None = None, *, version: str = "",
                  min_block_bytes: int = typst_blocks.LARGE_BLOCK_BYTES,
                  chunk_rows: int = typst_blocks.CHUNK_ROWS) -> list[PandocMessage]:
    """Write the Typst source from pandoc's JSON (prepared by ``for_typst``) with the manuscript template.

    ``images`` maps an image's path from the project folder to its path inside Typst's root (build/).
    Large blocks (Table 1, the bibliography) are written apart, Table 1's rows in chunks of about
    ``chunk_rows`` (0: in one run), and remembered in build/.typst-cache/ (``typst_blocks``), keyed by
    pandoc's ``version`` among the rest: the same bytes, faster.
    """
    with jsontree.collector_paused():  # a tree of millions of objects: for_typst takes 0.2 s instead of 1.5
        tree = for_typst(jsontree.load(json_in.read_bytes()))
        if images:
            tree = _with_image_paths(tree, images)
        rest, parts = typst_blocks.split_large(tree, min_block_bytes, chunk_rows)
        data = jsontree.dump(rest)
        del tree, rest  # a large review's tree is hundreds of MiB: not kept while pandoc runs
    template_args = [*_TYPST_WRITER, "--template", str(template)]
    remembered = typst_blocks.Remembered(typst_out.parent / typst_blocks.CACHE_FOLDER, version, template_args)

    def start(args: Sequence[str], data: bytes) -> subprocess.Popen:
        process = subprocess.Popen([pandoc_path(), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=_environment(), cwd=typst_out.parent)
        try:
            process.stdin.write(data)  # pandoc reads all of its input before it writes: no deadlock
            process.stdin.close()
        except BrokenPipeError:
            pass  # pandoc stopped before reading it all: its exit code and messages say why
        process.stdin = None  # so that communicate() does not flush the closed pipe
        return process

    result = None
    if parts:
        try:
            result = typst_blocks.write_in_parts(data, parts, start, template_args, _TYPST_WRITER, remembered,
                                                 template=_read_or_none(template))
        except typst_blocks.SpliceFailed:  # never seen: the whole document in one run instead
            data = jsontree.dump(typst_blocks.joined(jsontree.load(data), parts))
    if result is None:  # a small document (nothing written apart), or a splice that did not come out right
        process = start(template_args, data)
        out, err = process.communicate()
        result = process.returncode, out.decode("utf-8"), err.decode("utf-8", "replace")
    code, text, stderr = result
    if code != 0:
        raise CompileError(f"pandoc failed while writing the Typst source (exit code {code}):\n"
                           f"{stderr.strip()}")
    typst_out.write_bytes(text.encode("utf-8"))
    return _messages(stderr)


def _read_or_none(path: Path) -> bytes | None:
    """The file's bytes; None when it cannot be read (pandoc then says why in its own words)."""
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


# ------------------------------------------------------- the tree for Typst
# Done in Python rather than a Lua filter: on a 300-study review the Lua
# version spent 1.7 s handing every Span and Str to Lua; this takes 0.1 s.

LONG_WORD = 18  # characters; a narrow Table 1 column holds about this many
_ZWSP = "\u200b"


def for_typst(tree: dict) -> dict:
    """Return the document tree as the Typst writer should get it.

    * drop what only the DOCX shows: the title page made of Word styles (the
      Typst template draws its own from the metadata) and blocks marked
      .charter-docx-only (the PNG of the flow diagram; Typst draws it as vector);
    * unwrap the ch_* anchor Divs and Spans: bookmarks for the DOCX review
      loop, which would only add Typst blocks and labels;
    * in tables, make each paragraph of a cell (each finding; internal and
      external validity) a Para: the writer joins Plain blocks with a bare
      newline, which Typst reads as a space;
    * in tables, give words longer than LONG_WORD zero-width spaces to break
      at: Typst does not break a word without a hyphenation point, so a
      200-letter word would run out of its cell and off the page;
    * move Table 1's note, with the table's last row, into the table's footer
      (never a note alone on a page).
    """
    return {**tree, "blocks": _blocks(tree["blocks"], in_table=False)}


def _blocks(blocks: list, in_table: bool) -> list:
    out = []
    for block in blocks:
        kind = block.get("t")
        if kind == "Div" and "charter-table-note" in block["c"][0][1] and out and out[-1].get("t") == "Table":
            out[-1] = _note_into_footer(out[-1], block)
            continue
        if kind == "Div":
            (identifier, classes, _), content = block["c"]
            if "charter-titlepage" in classes or "charter-docx-only" in classes:
                continue
            if identifier.startswith("ch_"):
                out.extend(_blocks(content, in_table))
                continue
            out.append({"t": "Div", "c": [block["c"][0], _blocks(content, in_table)]})
        elif kind == "Table":
            out.append(_table(block))
        elif kind in ("Plain", "Para") and in_table:
            out.append({"t": "Para", "c": _inlines(block["c"])})
        else:  # prose holds no ch_* Spans (only Table 1's cells do): nothing to change inside
            out.append(block)
    return out


def _table(block: dict) -> dict:
    attr, caption, colspecs, head, bodies, foot = block["c"]

    def rows(row_list: list) -> list:
        return [[row_attr, [[*cell[:4], _blocks(cell[4], True)] for cell in cells]] for row_attr, cells in row_list]

    head = [head[0], rows(head[1])]
    bodies = [[b[0], b[1], rows(b[2]), rows(b[3])] for b in bodies]
    foot = [foot[0], rows(foot[1])]
    return {"t": "Table", "c": [attr, caption, colspecs, head, bodies, foot]}


def _note_into_footer(table: dict, note: dict) -> dict:
    """Table 1's note as the table's footer, with the last body row: Typst keeps a footer whole and
    moves it to the next page with the table's header, so the note never stands alone on a page."""
    attr, caption, colspecs, head, bodies, foot = table["c"]
    body = next((b for b in reversed(bodies) if b[3]), None)
    if body is None:
        return table
    last_row = body[3][-1]
    body[3] = body[3][:-1]
    inlines = [inline for block in note["c"][1] if block.get("t") in ("Para", "Plain") for inline in block["c"]]
    # The rule that ends the table goes above the note, none under it.
    note_cell = [["", [], [["typst:stroke", "(top: 0.6pt + black, bottom: none, left: none, right: none)"],
                           ["typst:inset", "(x: 0pt, top: 6pt, bottom: 0pt)"]]],
                 {"t": "AlignDefault"}, 1, len(colspecs), [{"t": "Plain", "c": inlines}]]
    foot = [foot[0], [*foot[1], last_row, [["", [], []], [note_cell]]]]
    return {"t": "Table", "c": [attr, caption, colspecs, head, bodies, foot]}


_CONTAINERS = ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps")


def _inlines(inlines: list) -> list:
    """A table cell's inlines with ch_* Spans unwrapped and long words made breakable."""
    out = []
    for inline in inlines:
        kind = inline["t"]
        if kind == "Str":
            text = inline["c"]
            if len(text) > LONG_WORD:
                inline = {"t": "Str", "c": _ZWSP.join(text[i:i + 10] for i in range(0, len(text), 10))}
            out.append(inline)
        elif kind == "Span":
            content = _inlines(inline["c"][1])
            if inline["c"][0][0].startswith("ch_"):
                out.extend(content)
            else:
                out.append({"t": "Span", "c": [inline["c"][0], content]})
        elif kind in _CONTAINERS:
            out.append({"t": kind, "c": _inlines(inline["c"])})
        elif kind == "Cite":
            out.append({"t": "Cite", "c": [inline["c"][0], _inlines(inline["c"][1])]})
        else:
            out.append(inline)
    return out


def image_sources(node) -> list[str]:
    """The source of every Image in a pandoc JSON tree, in order, once each."""
    found: dict[str, None] = {}
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if item.get("t") == "Image":
                found[item["c"][2][0]] = None
            stack.extend(reversed(list(item.values())))
    return list(found)


def images_from_root(json_in: Path, folder: Path, root: Path) -> dict[str, str]:
    """For ``json_to_typst``: each image (a path from ``folder``) as Typst names it when ``root`` is its root."""
    tree = json.loads(Path(json_in).read_text(encoding="utf-8"))
    base = Path(folder).resolve().relative_to(Path(root).resolve()).as_posix()
    return {src: "/" + (src if base == "." else f"{base}/{src}") for src in image_sources(tree)
            if not os.path.isabs(src) and "://" not in src}


def _with_image_paths(node, images: Mapping[str, str]):
    """The tree with each Image's source replaced by its path inside Typst's root."""
    if isinstance(node, list):
        return [_with_image_paths(item, images) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("t") == "Image":
        attr, alt, (src, title) = node["c"]
        return {"t": "Image", "c": [attr, _with_image_paths(alt, images), [images.get(src, src), title]]}
    return {key: _with_image_paths(value, images) for key, value in node.items()}


# --------------------------------------------------------------------- typst


def compile_typst(source: Path, pdf_out: Path, *, root: Path, inputs: Mapping[str, str],
                  separate: bool | None = None) -> list[str]:
    """Compile the Typst source to PDF with ``root`` as Typst's root; return Typst's warnings as text.

    Typst reads files only below its root (an absolute path such as "/etc/hostname" means
    root/etc/hostname), so raw Typst in the text cannot read anything outside it. The build
    passes build/, which holds the source and copies of the images. Plain-text values (title,
    authors, keywords) arrive as data in ``sys.inputs``, never as Typst code. A large source
    compiles in a process of its own (``charter.compile.typst_process``; ``separate`` decides instead),
    so Typst's memory is not added to the build's.
    """
    from charter.compile.typst_process import compile_pdf

    result = compile_pdf({"source": str(source), "output": str(pdf_out), "root": str(root), "inputs": dict(inputs),
                          "timestamp": int(_environment()["SOURCE_DATE_EPOCH"])}, separate=separate)
    if "error" in result:
        error = result["error"]
        # the diagnostic names the line of build/manuscript.typ and shows it; the build maps it
        # back to the source file (snippet) where it can
        detail = error["diagnostic"] or error["text"]
        detail = _named_from_build(detail, Path(root))
        hints = "".join(f"\nhint: {h}" for h in error["hints"])
        raise TypstCompileError(f"Typst could not compile build/{source.name} (made from templates/manuscript.typ "
                                f"and the manuscript):\n{detail.rstrip()}{hints}", _snippet(detail))
    return result["warnings"]


_PATH_RE = re.compile(r"[^\s()\"'│:]*/[^\s()\"'│:]*")


def _named_from_build(detail: str, root: Path) -> str:
    """Typst's diagnostic with every file of its root named as build/…, whatever the working folder.

    Typst names a file by its absolute path or by a path from the working folder
    ("../../tmp/…/build/manuscript.typ"), so the computer's folders would show in the
    message (and in a CI log); a path that leads into the root is said from build/ instead.
    """
    root = root.resolve()

    def from_build(match: re.Match) -> str:
        written = match.group(0)
        for base in (Path.cwd(), root):
            try:
                inside = (base / written).resolve().relative_to(root)
            except (ValueError, OSError):
                continue
            return f"build/{inside.as_posix()}".rstrip("/.") if inside.parts else "build"
        return written

    return _PATH_RE.sub(from_build, detail)


class TypstCompileError(CompileError):
    """Typst failed; ``snippet`` is the text of build/manuscript.typ it pointed at ('' when unknown)."""

    def __init__(self, message: str, snippet: str = "") -> None:
        super().__init__(message)
        self.snippet = snippet


def _snippet(diagnostic: str) -> str:
    """The text Typst underlined (^^^ under the line it shows), or that whole line, from its diagnostic."""
    lines = diagnostic.split("\n")
    for number, line in enumerate(lines):
        shown = re.match(r"\s*\d+ │ (.*)$", line)
        if not shown:
            continue
        text = shown.group(1)
        carets = re.search(r"\^+", lines[number + 1]) if number + 1 < len(lines) else None
        span = ""
        if carets:
            start = carets.start() - shown.start(1)
            span = text[start:start + len(carets.group(0))].strip()
        return span if len(span) >= 4 else text.strip()
    return ""


def font_families() -> list[str]:
    """The font families Typst can use here: its embedded ones and the system's."""
    from charter.document.fonts import typst_fonts

    return typst_fonts().families()


# -------------------------------------------------------------- DOCX finish


def finish_docx(docx: Path, *, paper: str, core: Mapping[str, str], manifest: Mapping | None = None) -> None:
    """Fix what pandoc cannot be told: landscape sections that keep the footer and paper; core properties.

    * every section break the Lua filter inserted gets the footer (page
      numbers) and margins of the document's final section and the chosen
      paper size, turned for landscape;
    * docProps/core.xml gets the title, and the authors only when given
      (a blind manuscript names nobody);
    * docProps/custom.xml loses the properties pandoc copies from every metadata
      field: the build's own settings (with paths of this computer) and, in a
      blind manuscript, nothing may name anyone;
    * zip entries get a fixed date so the bytes are reproducible;
    * ``manifest``: the anchor manifest goes in too (``charter.revision.docx_review.embed_manifest``
      on the finished parts: the same bytes as embedding it afterwards, with one zip written, not two).

    word/document.xml is read once and written once, however many of these change it.
    """
    from lxml import etree

    with zipfile.ZipFile(docx) as source:
        names = source.namelist()
        files = {name: source.read(name) for name in names}
    document = etree.fromstring(files["word/document.xml"])
    _sections(document, paper)
    _table_rows(document)
    _title_page_marks(document)
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    files["docProps/core.xml"] = _core(files["docProps/core.xml"], core)
    if "docProps/custom.xml" in files:
        files["docProps/custom.xml"] = _no_custom_properties(files["docProps/custom.xml"])
    if manifest is None:
        docx.write_bytes(docx_package(names, files))
        return
    from charter.revision.docx_review import package_with_manifest

    docx.write_bytes(package_with_manifest([(name, files[name]) for name in names], manifest))


def docx_package(names: list[str], files: Mapping[str, bytes]) -> bytes:
    """The parts zipped back into a DOCX, in their order, every entry dated 1980-01-01 so the bytes are reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, files[name])
    return out.getvalue()


def _sections(root, paper: str) -> None:
    """Every inserted section break gets the final section's footer and margins, and the paper (in place)."""
    from lxml import etree  # imported here: a build finishes the DOCX beside Typst, not before pandoc

    body = root.find("w:body", NS)
    final = body.find("w:sectPr", NS)
    width, height = PAPER_TWIPS[paper]
    _set_page(final, width, height, landscape=False)
    for inserted in body.findall("w:p/w:pPr/w:sectPr", NS):
        landscape = inserted.find("w:pgSz", NS).get(f"{{{W}}}orient") == "landscape"
        for child in list(inserted):
            inserted.remove(child)
        for child in final:
            inserted.append(etree.fromstring(etree.tostring(child)))
        _set_page(inserted, width, height, landscape=landscape)


def _title_page_marks(document) -> None:
    """Mark the title page's footnotes (on the Author paragraphs) *, †, … instead of numbers (in place).

    Word's own mark would be a number, read as one more affiliation; a custom mark
    (customMarkFollows) keeps the footnote real and leaves the text's footnotes numbered from 1.
    The footnote's own footnoteRef then shows the same custom mark.
    """
    from lxml import etree

    from charter.document.assemble import NOTE_SYMBOLS

    count = 0
    for paragraph in document.iter(f"{{{W}}}p"):
        style = paragraph.find("w:pPr/w:pStyle", NS)
        if style is None or style.get(f"{{{W}}}val") != "Author":
            continue
        for reference in paragraph.iter(f"{{{W}}}footnoteReference"):
            reference.set(f"{{{W}}}customMarkFollows", "1")
            etree.SubElement(reference.getparent(), f"{{{W}}}t").text = NOTE_SYMBOLS[count % len(NOTE_SYMBOLS)]
            count += 1


# A row with more text than this may be taller than a landscape page; Word would clip
# it rather than split it, so only shorter rows are kept whole.
_UNSPLIT_ROW_CHARS = 1500


def _table_rows(root) -> None:
    """Keep table rows whole across page breaks and group heading rows with the row after them (in place)."""
    from lxml import etree

    for table in root.iter(f"{{{W}}}tbl"):
        columns = len(table.findall("w:tblGrid/w:gridCol", NS))
        for row in table.findall("w:tr", NS):
            cells = row.findall("w:tc", NS)
            text_length = sum(len(t.text or "") for t in row.iter(f"{{{W}}}t"))
            properties = row.find("w:trPr", NS)
            if properties is None:
                properties = etree.Element(f"{{{W}}}trPr")
                row.insert(0 if row[0].tag != f"{{{W}}}tblPrEx" else 1, properties)
            if text_length <= _UNSPLIT_ROW_CHARS and properties.find("w:cantSplit", NS) is None:
                properties.insert(0, etree.Element(f"{{{W}}}cantSplit"))
            span = cells[0].find("w:tcPr/w:gridSpan", NS) if len(cells) == 1 else None
            if span is not None and int(span.get(f"{{{W}}}val")) == columns:  # a theme or sub-theme heading
                for paragraph_properties in row.iter(f"{{{W}}}pPr"):
                    if paragraph_properties.find("w:keepNext", NS) is None:
                        paragraph_properties.insert(1, etree.Element(f"{{{W}}}keepNext"))


def _set_page(section, width: int, height: int, *, landscape: bool) -> None:
    from lxml import etree

    size = section.find("w:pgSz", NS)
    if size is None:
        size = etree.SubElement(section, f"{{{W}}}pgSz")
        # CT_SectPr order: header/footer references, footnotePr, endnotePr, type, then pgSz.
        anchor = [c for c in section if etree.QName(c).localname in
                  ("headerReference", "footerReference", "footnotePr", "endnotePr", "type")]
        if anchor:
            anchor[-1].addnext(size)
    size.attrib.clear()
    if landscape:
        size.set(f"{{{W}}}w", str(height))
        size.set(f"{{{W}}}h", str(width))
        size.set(f"{{{W}}}orient", "landscape")
    else:
        size.set(f"{{{W}}}w", str(width))
        size.set(f"{{{W}}}h", str(height))


def _core(core_xml: bytes, core: Mapping[str, str]) -> bytes:
    from lxml import etree

    root = etree.fromstring(core_xml)
    namespaces = {"dc": "http://purl.org/dc/elements/1.1/",
                  "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
    for tag, value in (("dc:title", core.get("title", "")), ("dc:creator", core.get("creator", "")),
                       ("cp:lastModifiedBy", core.get("creator", "")), ("cp:keywords", core.get("keywords", ""))):
        prefix, local = tag.split(":")
        element = root.find(tag, namespaces)
        if element is None:
            element = etree.SubElement(root, f"{{{namespaces[prefix]}}}{local}")
        element.text = value
        if not value:
            root.remove(element)
    # pandoc under --sandbox cannot read the clock or SOURCE_DATE_EPOCH (it writes 1970): the date is ours
    stamp = datetime.fromtimestamp(int(_environment()["SOURCE_DATE_EPOCH"]), timezone.utc)
    for element in root.findall("{http://purl.org/dc/terms/}*"):
        if etree.QName(element).localname in ("created", "modified"):
            element.text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _no_custom_properties(custom_xml: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(custom_xml)
    for child in list(root):
        root.remove(child)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # one per process: builds may overlap
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
