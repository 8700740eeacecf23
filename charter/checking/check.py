"""``invoke check``: validate the data and prove every number in the text matches it.

Gathers every problem first — validation of the data (``load_project``), the
PRISMA arithmetic, placeholders, citation keys and cross-references (the same
``assemble`` the build runs), the structure of the manuscript (Table 1 and
Figure 1 placed and referred to, no remnants of lost references, every
bibliography entry used) and the hand-typed numbers (``charter.checking.numbers``) —
then prints them, errors first, and a one-line summary. ``--docx`` runs the
number check on a DOCX a co-author edited instead of on the sources.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from bisect import bisect_left
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping, TextIO

from lxml import etree
from tabulate import tabulate

from charter.document.assemble import PLACEMENTS
from charter.sources.bibtex import field_location, hygiene_warnings, lowercased_words
from charter.compile.build import check_before_pandoc
from charter.submission.checklist import checklist_problems
from charter.document.counts import Count, compute_counts
from charter.revision.docx_review import returned_file_problem
from charter.sources.load import load_project, load_sections
from charter.sources.metadata import METADATA_PATH, read_metadata
from charter.model import Location, Problem, Project, Section
from charter.checking.numbers import Lexicon, annotate, annotated_numbers, check_markdown, check_paragraphs, vocabulary_of
from charter.paths import source_problems
from charter.document.placeholders import PLACEMENT_RE, fill
from charter.document.prisma import check_arithmetic
from charter.document.word_counts import built_word_counts, word_limit_problems
from charter.sources.wellformed import check_structure, comment_spans
from charter.document.word_placeholders import word_count_names
from charter.wording import plural

MANUSCRIPT = "manuscript"
_LABEL_WORDS = {"tbl": "Table", "fig": "Figure"}
_PLACEMENT_LINES = {label: f"{{{{ {kind}:{name} }}}}" for (kind, name), label in PLACEMENTS.items()}
_REFERENCE_RE = re.compile(r"(?<![\w\\@])@(?:\{(?P<braced>[^}\s]+)\}|(?P<key>[\w][\w:.#$%&\-+?<>~/]*))")
_KEY_TRAILING = ":.#$%&-+?<>~/"

# What a lost cross-reference or citation leaves behind in text pasted from a PDF or an old DOCX.
_REMNANTS = (
    (re.compile(r"\(\s*(?:see|cf\.?)?\s*\)"), "an empty parenthesis is left where a reference was"),
    (re.compile(r"\b(?:Table|Figure|Fig\.)\s*\?+"), "a lost cross-reference"),
    (re.compile(r"\[\s*@?\s*\]"), "an empty citation"),
    (re.compile(r"\?\?\?"), "pandoc's mark of a citation it could not resolve"),
    (re.compile(r"\b(?:as (?:shown|seen|presented|illustrated|summari[sz]ed|described|listed|detailed|given) "
                r"in|see|cf\.?|in|from) +(?=[.,;:)])", re.I), "a reference is missing here"),
)


# ------------------------------------------------------------------ reading


def read_sections(root: Path) -> list[Section]:
    """The manuscript sections, ``manuscript/*.md`` in file-name order (unreadable ones left out: see
    ``charter.sources.load.load_sections``)."""
    return load_sections(root)[0]


def _masked_lines(text: str) -> list[str]:
    """Lines of Markdown with code (fenced and inline) and comments blanked, for the structural scans."""
    text = _blank_comments(text)
    lines, fence = [], None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            lines.append("")
            if stripped.startswith(fence):
                fence = None
            continue
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match:
            fence = match.group(1)
            lines.append("")
            continue
        lines.append(re.sub(r"`[^`\n]*`", lambda m: " " * len(m.group()), line))
    return lines


def _blank_comments(text: str) -> str:
    """Blank out closed HTML comments, keeping line breaks (an unclosed one is charter.sources.wellformed's error)."""
    pieces, done = [], 0
    for start, end in comment_spans(text):
        pieces += [text[done:start], re.sub(r"[^\n]", " ", text[start:end])]
        done = end
    return "".join(pieces) + text[done:]


def _abstract(root: Path, meta) -> tuple[str, int] | None:
    """The abstract as written in metadata.yaml and the line its text starts on."""
    if meta is None or not meta.abstract:
        return None
    where = meta.positions.get("abstract") or meta.source
    first = where.line + 1 if "\n" in meta.abstract.strip() and where.line else where.line or 1
    return meta.abstract, first


# ------------------------------------------------------------------ the checks


def cited_keys(texts: Iterable[tuple[str, str, int]]) -> dict[str, Location]:
    """Every @key the texts cite (cross-references excluded), with the first place it is cited."""
    keys: dict[str, Location] = {}
    for path, text, first in texts:
        for number, line in enumerate(_masked_lines(text)):
            for match in _REFERENCE_RE.finditer(line):
                key = match.group("braced") or match.group("key").rstrip(_KEY_TRAILING)
                if key.split("-", 1)[0] in _LABEL_WORDS and "-" in key:
                    continue
                keys.setdefault(key, Location(path, first + number))
    return keys


def check_cross_references(sections: list[Section], placed: Iterable[str]) -> list[Problem]:
    """Every placed table and figure is referred to in the text (unresolved references: ``assemble``)."""
    referred: set[str] = set()
    for section in sections:
        for line in _masked_lines(section.text):
            for match in _REFERENCE_RE.finditer(line):
                referred.add((match.group("braced") or match.group("key")).rstrip(_KEY_TRAILING))
    problems = []
    for label in placed:
        if label not in referred:
            where = _placement_location(sections, label)
            kind = _LABEL_WORDS[label.split("-", 1)[0]]
            problems.append(Problem(where, "", f"{kind.lower()} '{label}' is placed but the text never refers to it; "
                                    f"write @{label} where the text discusses it (rendered '{kind} N')"))
    return problems


def _placement_location(sections: list[Section], label: str) -> Location:
    line_text = _PLACEMENT_LINES[label]
    for section in sections:
        for number, line in enumerate(section.text.split("\n"), start=1):
            if re.fullmatch(r"\s*\{\{\s*" + re.escape(line_text[2:-2].strip()) + r"\s*\}\}\s*", line):
                return Location(section.path, number)
    return Location(MANUSCRIPT)


def check_remnants(path: str, text: str, first_line: int = 1) -> list[Problem]:
    """Find what a lost reference leaves in prose: "as shown in .", "see ()", "Table ?", "[@]"."""
    problems = []
    previous = ""
    for number, line in enumerate(_masked_lines(text)):
        starts_paragraph, previous = not previous.strip(), line
        if line.lstrip().startswith(("#", "|", "{{")):
            continue
        where = Location(path, first_line + number)
        taken: list[tuple[int, int]] = []  # sorted, not overlapping: bisect keeps a hostile line linear-ish
        for pattern, what in _REMNANTS:
            for match in pattern.finditer(line):
                at = bisect_left(taken, match.span())
                if (at and taken[at - 1][1] > match.start()) or (at < len(taken) and taken[at][0] < match.end()):
                    continue  # one finding per remnant
                taken.insert(at, match.span())
                problems.append(Problem(where, "", f'"{_around(line, match)}": {what}; write @tbl-… or @fig-… '
                                        "for a table or figure, or [@key] for a citation"))
        # a sentence that starts with its verb has lost its subject: ". presents information"
        for match in re.finditer(r"(?:^\s*|[.!?]\s+)((?:presents|shows|summari[sz]es|lists|details)\b)", line):
            if match.start(1) == len(line) - len(line.lstrip()) and not starts_paragraph:
                continue  # a wrapped line of a paragraph: its subject is on the line before
            if re.search(r"\b(?:e\.g|i\.e|al|cf|vs|etc|approx)\.\s*$", line[:match.start(1)]):
                continue  # "e.g. lists of …": not a sentence end
            problems.append(Problem(where, "", f'"{_around(line, match)}": the sentence starts with its verb; '
                                    "its subject was probably a lost cross-reference (@tbl-… or @fig-…)"))
    return problems


def _around(line: str, match: re.Match, width: int = 30) -> str:
    """The words around a match, for quoting it: the whole line when short."""
    line = line.strip()
    if len(line) <= 2 * width + 20:
        return line
    start = line.rfind(" ", 0, max(0, match.start() - width)) + 1
    end = line.find(" ", min(len(line), match.end() + width))
    end = len(line) if end < 0 else end
    return ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def check_unused_references(project: Project, cited: Mapping[str, Location]) -> list[Problem]:
    """Bibliography entries that neither the manuscript (text, abstract, Table 1 caption and note) nor a study
    file cites (warnings)."""
    used = set(cited) | {key for study in project.studies for key in study.citation_keys}
    problems = []
    for key, reference in project.bibliography.references.items():
        if key not in used:
            problems.append(Problem(reference.location, "", f"the reference '{key}' is cited nowhere (neither in "
                                    "manuscript/ nor by a study file); cite it or remove it from the bibliography",
                                    severity="warning"))
    return problems


def check_totals(project: Project, counts: Mapping[str, Count]) -> list[Problem]:
    """Theme counts add up to the number of included studies."""
    if any(p.field == "theme" for p in project.problems):
        return []  # a study's theme is already reported where it is written
    themes = [c for name, c in counts.items() if name.startswith("theme.")]
    total = sum(c.value or 0 for c in themes)
    included = counts["included"].value
    if themes and total != included:
        parts = " + ".join(f"{c.value} ({c.name})" for c in themes)
        return [Problem(project.review.positions.get("themes", project.review.source), "themes",
                        f"the themes hold {parts} = {plural(total, 'study')}, but {plural(included, 'study')} "
                        f"{'is' if included == 1 else 'are'} included; "
                        "give every study file a theme declared in review.yaml")]
    return []


def check_project_text(project: Project, counts: Mapping[str, Count]) -> list[Problem]:
    """Every check of the manuscript against the data; the data's own problems are in ``project.problems``."""
    root = Path(project.root)
    sections, section_problems = load_sections(root)
    meta, meta_problems = read_metadata(root)
    problems: list[Problem] = [*meta_problems, *section_problems]
    reported = {str(p) for p in [*project.problems, *problems]}
    problems += [p for p in source_problems(root) if str(p) not in reported]  # templates linked outside
    # the loader already compares the PRISMA totals with the study files: say each thing once
    known = {(p.location, p.field) for p in project.problems}
    problems += [p for p in check_arithmetic(project.review.prisma, len(project.studies))
                 if (p.location, p.field) not in known]
    problems += check_totals(project, counts)
    if meta is not None:  # everything the build would refuse before pandoc, by the build's own function
        preflight = check_before_pandoc(root, project, meta, sections, counts)
        problems += preflight.problems
        placed = preflight.assembled.placements
        problems += check_bibliography_hygiene(project, preflight.csl)
    else:  # without metadata.yaml nothing is assembled, but the placeholders and the text are still checked
        placed = tuple(label for section in sections for match in PLACEMENT_RE.finditer(section.text)
                       if (label := PLACEMENTS.get((match.group("kind"), match.group("name")))))
        words = word_count_names(section.text for section in sections)
        for section in sections:
            problems += fill(section.text, counts, section.path, words=words)[1]
            problems += check_structure(section.path, section.text)
    if not sections:
        problems.append(Problem(Location(MANUSCRIPT), "", "there are no sections: write manuscript/01-introduction.md "
                                "and the others (see docs/format.md)"))
    elif "tbl-studies" not in placed:
        problems.append(Problem(Location(MANUSCRIPT), "", "Table 1 (the included studies) is placed nowhere: put a "
                                "line {{ table:studies }} where it belongs in a section"))
    problems += check_cross_references(sections, placed)
    problems += checklist_problems(project, sections, meta, preflight.assembled.labels if meta is not None else {})
    lexicon = Lexicon.build(counts, vocabulary_of(project.review))
    texts = [(s.path, s.text, 1) for s in sections]
    abstract = _abstract(root, meta)
    if abstract is not None:
        texts.append((METADATA_PATH, abstract[0], abstract[1]))
    for path, text, first in texts:
        problems += check_remnants(path, text, first)
        problems += check_markdown(text, lexicon, path, first)
    table_texts = [("review.yaml", project.review.table_caption, 1), ("review.yaml", project.review.table_note, 1)]
    problems += check_unused_references(project, cited_keys([*texts, *table_texts]))
    return problems


def check_bibliography_hygiene(project: Project, csl: Path | None) -> list[Problem]:
    """Warnings, each at its .bib file and line, about entries pandoc prints wrongly: a DOI as a URL, no year,
    title words the citation style will print in lowercase."""
    lines = {}
    for path in project.bibliography.files:
        try:
            lines[path] = (Path(project.root) / path).read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            lines[path] = []
    # an entry with an error (an extra brace that lost its year) is mended first: its warnings would mislead
    broken = {(p.location.path, p.field) for p in project.problems if p.severity == "error"}
    references = [r for r in project.bibliography.references.values() if (r.location.path, r.key) not in broken]
    problems = [p for r in references for p in hygiene_warnings(r, lines.get(r.location.path, []))]
    places = {c for study in project.studies for c in study.countries}
    places |= {c for members in project.review.country_groups.values() for c in members}
    return problems + check_title_case(references, csl, lines, places)


def check_title_case(references: Iterable, csl: Path | None, lines: Mapping[str, list[str]],
                     places: Iterable[str] = ()) -> list[Problem]:
    """Warn about title words the citation style will print in lowercase.

    Pandoc reads a BibTeX title as title case and, for a style that prints
    titles in sentence case (APA, Vancouver, PLOS…), lowercases every
    capitalised word that is not braced: "Taiwan" prints "taiwan". Whether the
    style does is asked of pandoc itself, once per style, and only when some
    title has such a word.
    """
    references = list(references)
    # names: the places the review names, and words written capitalised inside sentence-case titles
    names = {place.casefold() for place in places}
    names |= {w.casefold() for r in references for w in lowercased_words(r.fields.get("title", ""),
                                                                         r.fields.get("langid", ""))}
    proper_nouns = frozenset(names)
    candidates = [(reference, words) for reference in references
                  if (words := lowercased_words(reference.fields.get("title", ""), reference.fields.get("langid", ""),
                                                proper_nouns))]
    if not candidates or csl is None or not style_lowercases_titles(csl):
        return []
    problems = []
    for reference, words in candidates:
        listed = ", ".join(f"'{w}'" for w in words[:6]) + (" …" if len(words) > 6 else "")
        where = field_location(reference, lines.get(reference.location.path, []), "title")
        problems.append(Problem(where, reference.key,
                                f"the citation style prints titles in sentence case, so {listed} will lose "
                                f"{'its capital' if len(words) == 1 else 'their capitals'}; brace the words that "
                                f"must keep them, e.g. {{{words[0]}}}, or, for a title not in English, add "
                                "langid = {…} (e.g. norsk)", severity="warning"))
    return problems


_STYLE_CASE: dict[str, bool] = {}  # style file -> prints BibTeX titles in sentence case


def style_lowercases_titles(csl: Path) -> bool:
    """Does pandoc, with this style, print the BibTeX title "Probe of Taiwan" with "taiwan"? (cached per style)"""
    import tempfile

    import pypandoc

    key = str(csl)
    if key not in _STYLE_CASE:
        with tempfile.TemporaryDirectory(prefix="charter-case-") as folder:
            bib = Path(folder) / "probe.bib"
            bib.write_text("@article{probe, author = {Probe, Ann}, title = {Probe of Taiwan}, journal = {J}, "
                           "year = {2000}}\n", encoding="utf-8")
            try:
                text = pypandoc.convert_text("[@probe]", "plain", format="markdown",
                                             extra_args=["--citeproc", f"--bibliography={bib}", f"--csl={csl}"])
            except (RuntimeError, OSError):
                return False  # the build reports a style pandoc cannot use
        _STYLE_CASE[key] = "taiwan" in text
    return _STYLE_CASE[key]


# ------------------------------------------------------------------ the DOCX


def docx_paragraphs(docx: Path | bytes) -> list[str | None]:
    """The text paragraphs of a DOCX with tracked changes accepted; None for headings (counted, not checked).

    Tables and the reference list are left out. Pandoc reads the file (or its bytes)
    (``--track-changes=accept``); ``+styles`` keeps Word's paragraph styles so
    the bibliography can be recognised.
    """
    import pypandoc

    options = dict(format="docx+styles", extra_args=["--track-changes=accept"])
    document = json.loads(pypandoc.convert_text(docx, "json", **options) if isinstance(docx, bytes)
                          else pypandoc.convert_file(str(docx), "json", **options))
    paragraphs: list[str | None] = []
    in_references = False

    def walk(blocks: list) -> None:
        nonlocal in_references
        for block in blocks:
            kind, content = block["t"], block.get("c")
            if kind == "Header":
                title = _inline_text(content[2]).strip().lower()
                in_references = title in ("references", "reference list", "bibliography", "works cited")
                paragraphs.append(None)
            elif in_references:
                continue
            elif kind in ("Para", "Plain"):
                paragraphs.append(_inline_text(content))
            elif kind == "Div":
                attrs = content[0]
                style = dict(attrs[2]).get("custom-style", "")
                if attrs[0] == "refs" or style.lower() in ("bibliography", "references") or \
                        "references" in attrs[1]:
                    continue
                walk(content[1])
            elif kind == "BlockQuote":
                walk(content)
            elif kind in ("BulletList", "OrderedList"):
                for item in content if kind == "BulletList" else content[1]:
                    walk(item)
            # tables, figures, code and raw blocks carry no prose to check

    walk(document["blocks"])
    return paragraphs


def _inline_text(inlines: list) -> str:
    parts = []
    for inline in inlines:
        kind, content = inline["t"], inline.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            parts.append(_inline_text(content))
        elif kind in ("Span", "Link", "Quoted", "Cite"):
            inner = _inline_text(content[1] if kind != "Cite" else content[1])
            parts.append(f"“{inner}”" if kind == "Quoted" else inner)
        elif kind == "Math":
            parts.append(content[1])
        # notes, code and images are not prose of the paragraph
    return "".join(parts)


_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def generated_numbers_as_placeholders(data: bytes, numbers: Mapping[str, dict]) -> bytes:
    """The DOCX with every number the build wrote, and nobody changed, turned back into its placeholder.

    ``numbers``: the anchor manifest's "numbers" (bookmark name -> count name and the text it showed).
    A number's bookmark still showing that text is the build's: it becomes ``{{ n.NAME }}``, which the
    number check reads as context, never as a claim. A number a person retyped (tracked or not) no longer
    shows that text, and is checked as typed; so is one whose bookmark is gone.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        parts = {info.filename: package.read(info.filename) for info in infos}
    root = etree.fromstring(parts["word/document.xml"])
    open_marks: dict[str, str] = {}  # w:id -> bookmark name
    shown: dict[str, list] = {}
    for element in root.iter(f"{_WORD}bookmarkStart", f"{_WORD}bookmarkEnd", f"{_WORD}t"):
        if element.tag == f"{_WORD}bookmarkStart" and element.get(f"{_WORD}name", "") in numbers:
            open_marks[element.get(f"{_WORD}id")] = element.get(f"{_WORD}name")
            shown.setdefault(element.get(f"{_WORD}name"), [])
        elif element.tag == f"{_WORD}bookmarkEnd":
            open_marks.pop(element.get(f"{_WORD}id"), None)
        elif element.tag == f"{_WORD}t":
            for name in open_marks.values():
                shown[name].append(element)
    for name, texts in shown.items():
        entry = numbers[name]
        if texts and "".join(t.text or "" for t in texts).strip() == str(entry.get("text", "")).strip():
            texts[0].text = f"{{{{ n.{entry.get('count', 'unknown')} }}}}"
            for t in texts[1:]:
                t.text = ""
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts[info.filename])
    return buffer.getvalue()


def _numbers_manifest(docx: Path, root: Path | None) -> Mapping[str, dict]:
    """The manifest's "numbers": from inside the DOCX, else from build/manuscript.anchors.json."""
    from charter.revision.docx_review import NotADocx, read_docx

    try:
        manifest = read_docx(docx).manifest
    except NotADocx:
        return {}
    if manifest is None and root is not None and (root / "build" / "manuscript.anchors.json").is_file():
        try:
            manifest = json.loads((root / "build" / "manuscript.anchors.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            manifest = None
    numbers = (manifest or {}).get("numbers")
    return numbers if isinstance(numbers, dict) else {}


def check_docx(docx: Path, lexicon: Lexicon, annotations: Iterable[tuple[str, str, str, str]] = (),
               root: Path | None = None) -> list[Problem]:
    """The number check on the paragraphs of a DOCX; places are "edited.docx: paragraph N".

    The numbers the build wrote from placeholders are marked (bookmarks, see
    charter.document.placeholders) and skipped while they show what the build wrote; every
    other number is checked as typed. Only contradictions are reported: a typed
    number that matches the data is fine in a DOCX.
    """
    annotations = tuple(annotations)  # the sources' [43]{count=none}: the DOCX shows only "43"
    numbers = _numbers_manifest(docx, root)
    source: Path | bytes = docx
    if numbers:
        try:
            source = generated_numbers_as_placeholders(docx.read_bytes(), numbers)
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError):
            source = docx  # pandoc's reading says what is wrong with the file
    numbered = [(n, annotate(text, annotations)) for n, text in enumerate(docx_paragraphs(source), start=1) if text]
    return [p for p in check_paragraphs(numbered, lexicon, docx.name) if p.severity == "error"]


# ------------------------------------------------------------------ output


def _sorted(problems: Iterable[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.severity != "error", p.location.path, p.location.line,
                                         p.location.column))


def _github(problem: Problem) -> str:
    level = "error" if problem.severity == "error" else "warning"
    where = f"file={problem.location.path}"
    if problem.location.line:
        where += f",line={problem.location.line}"
    if problem.location.column:
        where += f",col={problem.location.column}"
    message = (f"{problem.field}: " if problem.field else "") + problem.message
    message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} {where}::{message}"


def report(problems: Iterable[Problem], summary: str, strict: bool = False, fmt: str = "text",
           out: TextIO | None = None) -> int:
    """Print the problems (errors first) and the summary line; return the exit status."""
    out = out or sys.stdout
    problems = [replace(p, severity="error") if strict and p.severity == "warning" else p for p in problems]
    problems = _sorted(problems)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    for problem in problems:
        print(_github(problem) if fmt == "github" else str(problem), file=out)
    line = f"invoke check: {plural(errors, 'error')}, {plural(warnings, 'warning')} — {summary}"
    # on GitHub a clean run also shows its summary as a notice on the run's page
    print(f"::notice::{line}" if fmt == "github" and not errors else line, file=out)
    return 1 if errors else 0


def _summary(project: Project) -> str:
    review = project.review
    parts = [plural(len(project.studies), "study")]
    parts += [plural(len(review.questions), "question")] if review.questions else []
    parts += [plural(len(review.themes), "theme")] if review.themes else []
    return ", ".join([*parts, plural(len(project.bibliography.references), "reference")])


def run(root: str | Path, docx: str | Path | None = None) -> tuple[Project, list[Problem]]:
    """Load the project and gather every problem (of the sources, or of the edited DOCX)."""
    project = load_project(root)
    counts = compute_counts(project)
    problems = list(project.problems)
    if docx is not None:
        path = Path(docx)
        if not path.is_file():
            problems.append(Problem(Location(str(docx)), "", "no such file: give the path of the edited DOCX"))
        elif unsafe := returned_file_problem(path):  # a crafted file (zip bomb, entities) never reaches pandoc
            problems.append(Problem(Location(str(docx)), "", unsafe))
        else:
            sources = [s.text for s in read_sections(Path(project.root))]
            annotations = [a for text in sources for a in annotated_numbers(text)]
            problems += check_docx(path, Lexicon.build(counts, vocabulary_of(project.review)), annotations,
                                   Path(project.root))
    else:
        problems += check_project_text(project, counts)
        metadata, _ = read_metadata(root)  # its problems are reported by check_project_text
        problems += word_limit_problems(root, metadata.submission if metadata else None)
    return project, problems


def main(root: str | Path, strict: bool = False, fmt: str = "text", docx: str | Path | None = None,
         out: TextIO | None = None) -> int:
    """Check the project under root (or an edited DOCX); print the findings; return the exit status."""
    if fmt not in ("text", "github"):
        print(f"unknown format '{fmt}': use text or github", file=out or sys.stderr)
        return 2
    project, problems = run(root, docx)
    return report(problems, _summary(project), strict=strict, fmt=fmt, out=out)


def print_counts(root: str | Path, fmt: str = "text", out: TextIO | None = None) -> None:
    """Print every count with its placeholder name, value and meaning (a table, or JSON)."""
    out = out or sys.stdout
    project = load_project(root)
    counts = compute_counts(project)
    words = {name: Count(name, value, "words (the rule: docs/submission.md)")
             for name, value in _word_counts(root).items()}
    counts = {**counts, **words}
    if fmt == "json":
        data = {name: {"placeholder": f"{{{{ n.{name} }}}}", "value": c.value, "meaning": c.meaning}
                for name, c in counts.items()}
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)
    else:
        rows = [(f"n.{name}", "not reported" if c.value is None else f"{c.value:,}", c.meaning)
                for name, c in counts.items()]
        print(tabulate(rows, headers=("placeholder", "value", "meaning"), colalign=("left", "right", "left")),
              file=out)
    if project.errors:
        errors = f"{len(project.errors)} error{'' if len(project.errors) == 1 else 's'}"
        print(f"note: the data has {errors}, so some counts may be wrong; run 'invoke check'", file=sys.stderr)


def _word_counts(root: str | Path) -> dict[str, int]:
    """The word counts of the last build (docs/submission.md) under their placeholder names, when current."""
    metadata, _ = read_metadata(root)
    words = built_word_counts(root, metadata.submission if metadata else None)
    if words is None:
        print("note: word counts (n.words.main, …) are counted in the built manuscript: run invoke build first",
              file=sys.stderr)
        return {}
    return words.as_counts()
