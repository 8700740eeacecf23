"""Skip the build stages whose inputs have not changed: a content-hash cache in ``build/.cache/``.

Every stage is recorded under a *key*, the SHA-256 of everything its output
depends on: the bytes of its input files (never their times), the options,
the versions of pandoc, Typst and Charter itself (the hash of its source and
filters). A stage is skipped when its key is the recorded one **and** each
output file it wrote is still in place with the recorded hash; otherwise it
runs and is recorded again. A missing, stale or corrupt cache only costs
time: anything unreadable counts as "not recorded".

Three levels:

* the whole build (``BuildCache.up_to_date``): when no input file, option or
  tool changed and the outputs are intact, ``invoke build`` does nothing and
  returns the recorded warnings;
* stages (``fresh`` / ``record``): the PRISMA diagram, pandoc's read and
  citeproc, the DOCX, the Typst source and the PDF each have their own key,
  so a prose edit does not redraw the diagram and an unchanged manuscript
  JSON does not rerun the writers;
* parsed files (``load_project``): each study file and .bib file is parsed
  and validated only when its bytes (or review.yaml, or Charter) changed.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import json
import os
import pickle
import subprocess
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from charter import PACKAGE_DIR, __version__
from charter.model import Bibliography, Problem, Project
from charter.paths import inside

CACHE_DIR = ".cache"  # inside build/
MANIFEST = "stages.json"
PARSED = "parsed.pickle"
FORMAT = 1  # bump when the layout of the cache changes
# Folders and files of a project that a build reads (besides the CSL style, recorded separately).
INPUTS = ("review.yaml", "studies", "bib", "manuscript", "templates")


# --------------------------------------------------------------------- hashes


def digest(*parts: object) -> str:
    """SHA-256 of the parts: bytes and text as given, paths by their content, anything else as JSON."""
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            data = part.read_bytes() if part.is_file() else b"\0missing"
        elif isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode("utf-8")
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it does not exist."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


_CODE: str | None = None


def code_version() -> str:
    """Charter's version and the hash of its source, filters and resources: a code change is a new tool."""
    global _CODE
    if _CODE is None:
        files = sorted(p for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix in (".py", ".lua", ".csl", ".typ")
                       and "__pycache__" not in p.parts)
        # names and bytes as parts of their own: a (name, bytes) pair would go through json.dumps, which
        # spelled out every byte of the source (40 ms of each build)
        _CODE = digest(__version__, *(part for p in files for part in (p.relative_to(PACKAGE_DIR).as_posix(),
                                                                        p.read_bytes())))
    return _CODE


def _pandoc_identity(remembered: Mapping | None = None) -> tuple[str, list, dict | None]:
    """The pandoc to run (``pandoc_binary``, with the choice remembered), its file's identity, the choice to keep."""
    from charter.compile import pandoc_binary

    path, choice = pandoc_binary.choose(remembered)
    pandoc_binary.use(path)
    stat = os.stat(pandoc_binary.resolved(path))
    return path, [path, stat.st_size, stat.st_mtime_ns], choice


def _version_line(path: str) -> str | None:
    """The first line of ``pandoc --version``; None when that pandoc does not run."""
    try:
        process = subprocess.run([path, "--version"], capture_output=True, text=True)
    except OSError:
        return None
    return process.stdout.split("\n")[0] if process.returncode == 0 and process.stdout.strip() else None


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- the cache


def _mappingproxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _dumps(value: object) -> bytes:
    """Pickle the model's frozen dataclasses (their read-only mappings included)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    pickler.dump(value)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    # a temporary name per process: two builds (the second waits for build/.lock, but `invoke check`
    # and the cache's own readers do not) never write the same file; replaced atomically
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class BuildCache:
    """The records of one project's ``build/.cache/``; call ``save()`` after recording."""

    def __init__(self, build_dir: Path, environment: Mapping[str, str] | None = None) -> None:
        self.build_dir = Path(build_dir)
        self.folder = self.build_dir / CACHE_DIR
        self.ran: list[str] = []  # stages that ran this time
        self.skipped: list[str] = []  # stages whose recorded output was reused
        self._environment = dict(environment if environment is not None else os.environ)
        self._changed = False
        self._parsed: dict | None = None
        self._pandoc: str | None = None  # pandoc's version line, once known
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ValueError("another cache format")
            self._stages: dict = dict(manifest.get("stages") or {})
            self._tools: dict = dict(manifest.get("tools") or {})
        except (OSError, ValueError, TypeError, AttributeError):
            self._stages, self._tools = {}, {}

    # -------------------------------------------------------------- tools

    def tool_versions(self) -> dict[str, str]:
        """pandoc's version (asked once per pandoc binary), Typst's, Charter's, and the fixed build date."""
        if self._pandoc is None:
            self._pandoc = self._pandoc_version()
        return {"pandoc": self._pandoc, "typst": _package_version("typst"), "charter": code_version(),
                "source_date_epoch": self._environment.get("SOURCE_DATE_EPOCH", "")}

    def _pandoc_version(self) -> str:
        """The first line of ``pandoc --version``, started only when the pandoc binary is not the one recorded."""
        remembered = self._tools.get("pandoc choice")
        path, identity, choice = _pandoc_identity(remembered)
        if choice != remembered:
            self._tools["pandoc choice"] = choice
            self._changed = True
        recorded = self._tools.get("pandoc")
        if not (isinstance(recorded, dict) and recorded.get("identity") == identity):
            version = _version_line(path)
            if version is None:  # this pandoc cannot run: pypandoc's own search (or its error saying why)
                from charter.compile import pandoc_binary
                import pypandoc

                path = pypandoc.get_pandoc_path()
                pandoc_binary.use(path)
                stat = os.stat(pandoc_binary.resolved(path))
                identity, version = [path, stat.st_size, stat.st_mtime_ns], _version_line(path) or ""
                self._tools.pop("pandoc choice", None)
            recorded = {"identity": identity, "version": version}
            self._tools["pandoc"] = recorded
            self._changed = True
        return str(recorded["version"])

    # ------------------------------------------------------------- stages

    def fresh(self, stage: str, key: str, outputs: Sequence[Path] = ()) -> dict | None:
        """The data recorded with the stage when its key matches and every output is intact; else None."""
        entry = self._stages.get(stage)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        recorded = entry.get("outputs")
        if not isinstance(recorded, dict) or set(recorded) != {self._name(p) for p in outputs}:
            return None
        for path in outputs:
            if file_digest(Path(path)) != recorded[self._name(path)]:
                return None
        self.skipped.append(stage)
        data = entry.get("data")
        return data if isinstance(data, dict) else {}

    def record(self, stage: str, key: str, outputs: Sequence[Path] = (), data: Mapping | None = None) -> None:
        """Remember that the stage with this key wrote these outputs (hashed now) and this data."""
        self._stages[stage] = {"key": key, "outputs": {self._name(p): file_digest(Path(p)) for p in outputs},
                               "data": dict(data or {})}
        self.ran.append(stage)
        self._changed = True

    def forget(self, stage: str) -> None:
        if self._stages.pop(stage, None) is not None:
            self._changed = True

    def save(self) -> None:
        """Write the records (atomically); a failure to write only loses the cache."""
        if self._parsed is not None:
            self._write_parsed(self._parsed)
            self._parsed = None
        if not self._changed:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            manifest = {"format": FORMAT, "tools": self._tools, "stages": self._stages}
            _write(self.folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            self._changed = False
        except OSError:
            pass

    def _name(self, path: Path | str) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.build_dir.resolve().parent).as_posix()
        except ValueError:
            return str(path)

    # --------------------------------------------------- the whole build

    def snapshot(self, root: Path, options: Mapping[str, object]) -> str:
        """The key of everything a build reads from the project folder (by content), its options and the tools."""
        top = str(root)
        listing = []
        for name in INPUTS:
            files = []
            if inside(top, name) is None:  # a linked folder leading outside (templates -> /dev): never walked
                listing.append((name, "outside"))
                continue
            for folder, _, names in os.walk(os.path.join(top, name)):  # os.walk: pathlib is 3× slower here
                files += [os.path.join(folder, n) for n in names]
            for path in sorted(files) if files else [os.path.join(top, name)]:
                # a link leading outside the project is not read, not even to hash it (the build refuses it)
                content = "outside" if os.path.islink(path) and inside(top, path) is None else file_digest(Path(path))
                listing.append((os.path.relpath(path, top).replace(os.sep, "/"), content))
        return digest(listing, dict(options), self.tool_versions())

    def up_to_date(self, snapshot: str, outputs: Sequence[Path]) -> dict | None:
        """The recorded result of the last build when nothing it read changed and its outputs are intact."""
        entry = self._stages.get("build")
        if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
            return None
        extra = entry["data"].get("extra_files") or []
        names = {self._name(p) for p in outputs}
        intermediates = [self.build_dir.parent / name for name in entry.get("outputs") or {} if name not in names]
        return self.fresh("build", digest(snapshot, [(str(p), file_digest(Path(p))) for p in extra]),
                          [*outputs, *intermediates])

    def record_build(self, snapshot: str, extra_files: Iterable[Path], outputs: Sequence[Path],
                     warnings: Sequence[object]) -> None:
        """Record a successful build: its snapshot, the files read outside the project (the CSL), its warnings.

        ``outputs`` are the DOCX/PDF and the intermediate files in build/: a no-op rebuild needs them all intact.
        """
        extra = [str(p) for p in extra_files]
        self.record("build", digest(snapshot, [(p, file_digest(Path(p))) for p in extra]), outputs,
                    {"extra_files": extra, "warnings": [str(w) for w in warnings]})

    # ------------------------------------------------- parsed source files

    def load_project(self, root: str | Path) -> Project:
        """``charter.sources.load.load_project``, reusing the parse of every study and .bib file whose bytes are unchanged."""
        from charter.sources.load import bibliography_readable, load_review
        from charter.sources.validate import check_project, empty_review, sort_problems, unreliable_sections

        root = Path(root).resolve()
        parsed = self._read_parsed()
        review, review_problems = load_review(root)
        context = digest(file_digest(root / "review.yaml"), code_version())
        bibliography, bib_problems = self._load_bibliography(root, parsed)
        studies, study_problems = self._load_studies(root, review, unreliable_sections(review_problems), context,
                                                     parsed)
        bib_loaded = bibliography_readable(bibliography, bib_problems)
        unread = {p.location.path for p in study_problems} - {s.source.path for s in studies}
        cross_problems = check_project(review, studies, bibliography, bib_loaded=bib_loaded,
                                       all_studies_read=not unread)
        problems = sort_problems([*review_problems, *bib_problems, *study_problems, *cross_problems])
        self._parsed = parsed  # written by save(): nothing goes into build/ before the sources are known good
        return Project(root=str(root), review=review or empty_review(), studies=tuple(studies),
                       bibliography=bibliography, problems=problems)

    def _read_parsed(self) -> dict:
        try:
            parsed = pickle.loads((self.folder / PARSED).read_bytes())
            if isinstance(parsed, dict) and parsed.get("code") == code_version():
                parsed["dirty"] = False
                return parsed
        except Exception:  # noqa: BLE001 - any unreadable cache is no cache
            pass
        return {"code": code_version(), "files": {}, "dirty": True}

    def _write_parsed(self, parsed: dict) -> None:
        seen = parsed.pop("seen", set())
        for rel in [r for r in parsed["files"] if r not in seen]:  # files deleted since
            del parsed["files"][rel]
            parsed["dirty"] = True
        if not parsed.pop("dirty", True):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(self.folder / PARSED, _dumps(parsed))
        except OSError:
            pass

    def _parse(self, parsed: dict, rel: str, key: str, parse):
        files = parsed["files"]
        parsed.setdefault("seen", set()).add(rel)
        entry = files.get(rel)
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key:
            return entry[1]
        value = parse()
        files[rel] = (key, value)
        parsed["dirty"] = True
        return value

    def _load_studies(self, root: Path, review, unreliable: frozenset[str], context: str, parsed: dict):
        # charter.sources.load.load_studies, with each file's parse and check cached by its bytes.
        from charter.sources.load import load_studies, load_study

        def read_file(file: Path, rel: str):
            content = file_digest(file) if inside(root, file) is not None else "outside"  # refused unread
            key = digest(content, context, sorted(unreliable))
            return self._parse(parsed, rel, key, lambda: load_study(root, rel, review, unreliable))

        return load_studies(root, review, unreliable, read_file)

    def _load_bibliography(self, root: Path, parsed: dict) -> tuple[Bibliography, list[Problem]]:
        # charter.sources.load.load_bibliography, with each file's scan cached by its bytes.
        from charter.sources.load import load_bibliography, scan_bib_file

        return load_bibliography(root, lambda rel, data: self._parse(
            parsed, rel, digest(data, code_version()), lambda: scan_bib_file(rel, data)))


class FigureDrawing:
    """The PRISMA diagram drawn beside the build: its Typst text at once, its files (SVG, PNG) later.

    Not drawn at all when its Typst source and Typst are as recorded. The diagram's Typst text (for the PDF) and file names are known before anything is drawn; only
    the DOCX writer needs prisma.png. So the SVG and PNG are drawn in a thread (Typst releases the
    GIL) while pandoc reads the manuscript, and ``wait`` (before the writers) records them in the
    cache, on the build's own thread.
    """

    def __init__(self, cache: BuildCache, review, n_studies: int, build_dir: Path) -> None:
        from charter.document import prisma

        snippet = prisma.flow_typst(review, n_studies, prisma.available_fonts())
        outputs = [Path(build_dir) / "prisma.svg", Path(build_dir) / "prisma.png"]
        self.figure = prisma.PrismaFigure(svg=outputs[0], png=outputs[1], typst=snippet)
        self.cache, self.outputs = cache, outputs
        self.key = digest("prisma", snippet, prisma.PNG_PPI, cache.tool_versions())
        self.job = None
        if cache.fresh("PRISMA diagram", self.key, outputs) is None:
            import concurrent.futures

            pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="prisma")
            self.job = pool.submit(prisma.render_figure, review, n_studies, build_dir)
            pool.shutdown(wait=False)  # the thread ends with the drawing

    def wait(self) -> None:
        """The diagram's files are written (or the drawing's error is raised) and recorded."""
        if self.job is None:
            return
        job, self.job = self.job, None
        figure = job.result()
        self.cache.record("PRISMA diagram", self.key, [figure.svg, figure.png])

    def abandon(self) -> None:
        """The build stopped: let the drawing finish (it writes into build/, which the build's lock holds)."""
        if self.job is not None:
            import concurrent.futures

            concurrent.futures.wait([self.job])
            self.job = None


def clear(build_dir: Path) -> None:
    """Delete the cache (the next build does everything again)."""
    import shutil

    shutil.rmtree(Path(build_dir) / CACHE_DIR, ignore_errors=True)
