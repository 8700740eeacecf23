"""Load a Charter project from its folder: review.yaml, studies/*.yaml, bib/*.bib.

The only module here that reads files. Every mistake becomes a Problem in
``Project.problems`` (paths relative to the project folder); nothing raises
on a user's mistake, so ``invoke check`` can list them all in one run.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Callable

from charter import limits
from charter.sources.bibtex import check_crossrefs, scan_bibtex
from charter.model import Bibliography, Location, Problem, Project, Reference, Review, Section, Study
from charter.paths import refuse_outside
from charter.sources.references import SUFFIXES as BIB_SUFFIXES, scan_csl_json, scan_ris
from charter.sources.validate import (STUDY_FIELDS, check_project, empty_review, read_review, read_study, sort_problems,
                       unreliable_sections)
from charter.sources.yaml_source import decode, read_yaml_file

REVIEW_FILE = "review.yaml"
STUDIES_DIR = "studies"
BIB_DIR = "bib"


def load_review(root: str | Path) -> tuple[Review | None, list[Problem]]:
    """Read and check review.yaml; None when it is missing or cannot be read at all."""
    root = Path(root)
    if not (root / REVIEW_FILE).is_file():
        if (root / "review.yml").is_file():
            return None, [Problem(Location("review.yml"), "", f"rename review.yml to {REVIEW_FILE}")]
        return None, [Problem(Location(REVIEW_FILE), "", f"{REVIEW_FILE} not found in {root}: every project needs "
                              "one (title, question, themes, vocabularies; see docs/format.md)")]
    node, problems = read_yaml_file(root, REVIEW_FILE, "write the review's title, question, themes and vocabularies "
                                                   "(see docs/format.md)")
    if node is None:
        return None, problems
    review, review_problems = read_review(REVIEW_FILE, node)
    return review, problems + review_problems


def scan_bib_file(rel: str, data: bytes) -> tuple[list[Reference], list[Problem]]:
    """Decode and scan one bibliography file's bytes (.bib, CSL .json, .ris): its entries and its problems."""
    text, problems = decode(rel, data, limits.BIB_FILE_BYTES, "a bibliography")
    if text is None:
        return [], problems
    scan = scan_csl_json if rel.endswith(".json") else scan_ris if rel.endswith(".ris") else scan_bibtex
    found, scan_problems = scan(rel, text)
    return found, [*problems, *scan_problems]


def load_bibliography(root: str | Path, scan_file: Callable[[str, bytes], tuple[list[Reference], list[Problem]]]
                      = scan_bib_file) -> tuple[Bibliography, list[Problem]]:
    """Scan every bib/*.bib file; report malformed entries and keys used twice.

    ``scan_file`` reads one file (relative path, bytes); the build cache passes
    one that reuses the scan of a file whose bytes did not change.
    """
    root = Path(root)
    files = sorted(p for p in (root / BIB_DIR).iterdir() if p.suffix in BIB_SUFFIXES and p.is_file()) \
        if (root / BIB_DIR).is_dir() else []
    problems: list[Problem] = []
    if not files:
        problems.append(Problem(Location(BIB_DIR), "", f"no bibliography: put the .bib files (BibTeX) of the "
                                f"included studies and the other works the manuscript cites in {BIB_DIR}/"))
    references: dict[str, Reference] = {}
    for file in files:
        outside = refuse_outside(root, file.relative_to(root).as_posix())
        if outside is not None:
            problems.append(outside)
            continue
        found, file_problems = scan_file(file.relative_to(root).as_posix(), file.read_bytes())
        problems += file_problems
        for reference in found:
            first = references.get(reference.key)
            if first is not None:
                problems.append(Problem(reference.location, reference.key,
                                        f"duplicate citation key '{reference.key}': also at {first.location}; "
                                        "keep one entry"))
                continue
            references[reference.key] = reference
    problems += check_crossrefs(references)
    bibliography = Bibliography(MappingProxyType(references), tuple(f.relative_to(root).as_posix() for f in files))
    return bibliography, problems


def bibliography_readable(bibliography: Bibliography, problems: list[Problem] | tuple[Problem, ...]) -> bool:
    """True when there are .bib files and none of them gave no entry because of an error.

    When one is unreadable, citation keys are not checked: its own error names
    the file and line, instead of one "not in bib/" per key.
    """
    with_entries = {r.location.path for r in bibliography.references.values()}
    broken = {p.location.path for p in problems if p.severity == "error"}
    return bool(bibliography.files) and all(f in with_entries or f not in broken for f in bibliography.files)


STUDY_HINT = ("a study file needs " + ", ".join(name for name, required in STUDY_FIELDS.items() if required)
               + " (see docs/format.md); delete the file if it is not a study")


def load_study(root: Path, rel: str, review: Review | None,
                    unreliable: frozenset[str] = frozenset()) -> tuple[Study | None, list[Problem]]:
    """One studies/*.yaml read and checked against the review; None when it cannot be read as YAML."""
    node, file_problems = read_yaml_file(root, rel, STUDY_HINT)
    if node is None:
        return None, file_problems
    study, study_problems = read_study(rel, Path(rel).stem, node, review, unreliable)
    return study, [*file_problems, *study_problems]


def load_studies(root: str | Path, review: Review | None, unreliable: frozenset[str] = frozenset(),
                 read_file: Callable[[Path, str], tuple[Study | None, list[Problem]]] | None = None,
                 ) -> tuple[list[Study], list[Problem]]:
    """Read every studies/*.yaml, checked against the review (when it could be read); sorted by id.

    A file that cannot be read as YAML at all gives no Study, only its problems. ``read_file``
    reads one (the file, its relative path); the build cache passes one that reuses the reading
    of a file whose bytes did not change.
    """
    root = Path(root)
    read_file = read_file or (lambda file, rel: load_study(root, rel, review, unreliable))
    folder = root / STUDIES_DIR
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [Problem(Location(STUDIES_DIR), "", f"no {STUDIES_DIR}/ folder: write one <id>.yaml file per "
                                                       "included study there")]
    studies: list[Study] = []
    for file in sorted(folder.iterdir()):
        rel = f"{STUDIES_DIR}/{file.name}"
        if file.name.startswith(".") or not file.is_file():
            continue
        if file.suffix == ".yml":
            problems.append(Problem(Location(rel), "", f"study files end in .yaml: rename it to {file.stem}.yaml"))
            continue
        if file.suffix != ".yaml":
            continue
        study, file_problems = read_file(file, rel)
        problems += file_problems
        if study is not None:
            studies.append(study)
    if not studies and not problems:
        problems.append(Problem(Location(STUDIES_DIR), "", f"no study files: write one <id>.yaml file per included "
                                                           f"study in {STUDIES_DIR}/"))
    studies.sort(key=lambda s: s.id)
    return studies, problems


def load_project(root: str | Path) -> Project:
    """Load and check the whole project; every problem found is in ``Project.problems``."""
    root = Path(root).resolve()
    review, review_problems = load_review(root)
    bibliography, bib_problems = load_bibliography(root)
    studies, study_problems = load_studies(root, review, unreliable_sections(review_problems))
    bib_loaded = bibliography_readable(bibliography, bib_problems)
    unread = {p.location.path for p in study_problems} - {s.source.path for s in studies}
    cross_problems = check_project(review, studies, bibliography, bib_loaded=bib_loaded,
                                   all_studies_read=not unread)
    problems = sort_problems([*review_problems, *bib_problems, *study_problems, *cross_problems])
    return Project(root=str(root), review=review or empty_review(), studies=tuple(studies),
                   bibliography=bibliography, problems=problems)


MANUSCRIPT_DIR = "manuscript"


def load_sections(root: str | Path) -> tuple[list[Section], list[Problem]]:
    """The manuscript sections, ``manuscript/*.md`` in file-name order, and the files that cannot be read.

    A section must be UTF-8 text (the first byte that is not is named with its
    line) and under the size limit; a file that is not is left out, its problem said.
    """
    folder = Path(root) / MANUSCRIPT_DIR
    sections: list[Section] = []
    problems: list[Problem] = []
    for file in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        rel = f"{MANUSCRIPT_DIR}/{file.name}"
        outside = refuse_outside(root, rel)
        if outside is not None:  # a link leading outside the project is refused unread
            problems.append(outside)
            continue
        if not file.is_file():
            continue
        try:
            data = file.read_bytes()
        except OSError as error:
            problems.append(Problem(Location(rel), "", f"cannot read the file: {error.strerror}"))
            continue
        text, file_problems = decode(rel, data, limits.SECTION_FILE_BYTES, "a section of the manuscript")
        problems += file_problems
        if text is not None:  # line ends as Python's text mode reads them (CRLF and CR become LF)
            sections.append(Section(rel, text.replace("\r\n", "\n").replace("\r", "\n")))
    return sections, problems
