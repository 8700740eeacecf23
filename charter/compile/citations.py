"""Citations of a large review in linear time: pandoc's citeproc run on independent groups of works.

Why: the citeproc of pandoc 3.5–3.9 (measured; pandoc 2.19.2 is linear)
spends time proportional to (cited works) × (distinct family names) when a
style sets ``disambiguate-add-givenname`` with a global
``givenname-disambiguation-rule`` (primary-name, all-names and their
``-with-initials`` forms): in citeproc's ``disambiguateCitations`` the names
are grouped by family with a scan of every name for every family. At 3,000
studies that one step is ten minutes. See docs/performance.md.

What: the same output, byte for byte (pandoc's JSON), from many small citeproc
runs instead of one large one:

1. Pandoc reads the Markdown once without citeproc (the Lua filters run as
   in the plain build, but Table 1 and Figure 1 are spliced in Python,
   ``charter.compile.splice``: the filter's ``pandoc.read`` of 17 MB of JSON
   at 3,000 studies is slower). One citeproc run with the style reduced to its
   bibliography's sort (``order_style``), on a document that only nocites the
   cited works, gives the bibliography's order and Div: citeproc computes the
   sort keys before any disambiguation, so the order is the full style's.
2. Works are linked when they share a family name (coarsely: any word of it,
   case and accents folded) in the names that given-name disambiguation can
   look at: the first name of every name variable for the primary-name
   rules, every name for the all-names rules. Citeproc's name hints for a
   name depend only on the names with the same family; two citations can be
   ambiguous only if they render the same text, hence the same first name;
   adding names, given names and year suffixes then works within those
   ambiguous groups. So a connected group of linked works ("component") is
   formatted the same whatever other works are cited beside it.
3. Components are packed into buckets of about ``BUCKET_WORKS`` works. A
   citation belongs to the bucket of its largest component; a bucket's run gets
   every citation that cites a work of its own components or of the
   components of works co-cited with them, in document order. Citations in
   between are replaced by one placeholder citation of a dummy work, so that
   each work's first/subsequent/ibid position, and the note numbers citeproc
   compares for ibid, are those of the whole document. Each run gets a
   subset of the .bib files: the needed entries with every @string and the
   entries they crossref, in file order.
4. The citations and bibliography entries each bucket owns are spliced into
   the tree of step 1. Each run is remembered by its inputs
   (build/.citations-cache), so an edit reruns only the buckets it changed.

Used only when it is both equivalent and faster (``style_reasons``, ``_partitioned``):
the style's rule is a slow global one; the style has no citation numbers, no
first-reference-note-number, no subsequent-author-substitute, is not a note
style and sorts its bibliography; the document has no citations in its
metadata except ``nocite`` (and no ``nocite: @*``), no reset-citation-positions
block, and every key is in the bibliography; the review cites at least
``MIN_WORKS`` works and the runs are small enough (``GAIN``); and this pandoc is measured to be slow (a probe cached per
pandoc version in build/, so a fixed pandoc switches partitioning off).
Otherwise the build does the plain run. ``tests/test_citations.py`` compares
both on reviews of several sizes and styles.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import time
import unicodedata
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from charter.compile import jsontree, splice
from charter.compile.group_size import MIN_WORKS  # below it the plain run is as fast (docs/performance.md)
from charter.compile.remembered import RunStore

# Works per citeproc run: smaller runs cost less each but add pandoc's start-up and the shared citations.
BUCKET_WORKS = 100
# Grouped only when the runs' estimated cost, the sum of (works in a run)², is below this share of the
# plain run's (cited works)²: runs also start pandoc and read their .bib subset.
GAIN = 0.3
SLOW_RULES = ("primary-name", "primary-name-with-initials", "all-names", "all-names-with-initials")
GAP_KEY = "charter-citation-gap-zq9x7"  # the dummy work standing for the citations a bucket leaves out
_GAP_ENTRY = f"\n@misc{{{GAP_KEY},\n  title = {{Zq9x7 charter citation gap}}\n}}\n"
CSL_NS = "{http://purl.org/net/xbiblio/csl}"

Progress = Callable[[str], None]


# ------------------------------------------------------------------- the style


def style_reasons(csl_text: str) -> list[str]:
    """Why this style must be formatted in one run (empty: partitioning is equivalent and worth it)."""
    try:
        root = ElementTree.fromstring(csl_text.encode("utf-8"))
    except ElementTree.ParseError as error:
        return [f"the style cannot be read ({error})"]
    citation = root.find(f"{CSL_NS}citation")
    bibliography = root.find(f"{CSL_NS}bibliography")
    reasons = []
    if citation is None:
        return ["the style has no citation element"]
    rule = citation.get("givenname-disambiguation-rule", "by-cite")
    if citation.get("disambiguate-add-givenname") != "true" or rule not in SLOW_RULES:
        reasons.append("the style does not use global given-name disambiguation (citeproc is fast with it)")
    if root.get("class") == "note":
        reasons.append("note style (citations become footnotes numbered across the document)")
    attributes = " ".join(f"{k}={v}" for element in root.iter() for k, v in element.attrib.items())
    variables = " ".join(element.get("variable", "") for element in root.iter())
    if "citation-number" in variables or "citation-number" in attributes:
        reasons.append("the style numbers citations")
    if "first-reference-note-number" in variables:
        reasons.append("the style uses first-reference-note-number")
    if bibliography is not None and bibliography.get("subsequent-author-substitute") is not None:
        reasons.append("the bibliography uses subsequent-author-substitute")
    if bibliography is not None and bibliography.find(f"{CSL_NS}sort") is None:
        reasons.append("the bibliography is in citation order")
    return reasons


def fast_style(csl_text: str) -> str:
    """The style without given-name disambiguation: the same citations but for given names, formatted quickly."""
    def strip(match: re.Match) -> str:
        return re.sub(r'\s+(?:disambiguate-add-givenname|givenname-disambiguation-rule)="[^"]*"', "", match.group(0))

    return re.sub(r"<citation\b[^>]*>", strip, csl_text, count=1)


def order_style(csl_text: str) -> str:
    """The style reduced to its bibliography's sort and options: the order of the entries, in no time.

    Citeproc sorts the bibliography before it disambiguates anything, with the sort keys alone,
    so this order is the full style's. Every citation and entry prints "x": both are replaced.
    """
    root = ElementTree.fromstring(csl_text.encode("utf-8"))
    ElementTree.register_namespace("", CSL_NS.strip("{}"))
    for name in ("citation", "bibliography"):
        element = root.find(f"{CSL_NS}{name}")
        if element is None:
            continue
        if name == "citation":
            for attribute in [a for a in element.attrib if a.startswith("disambiguate") or a.startswith("givenname")]:
                del element.attrib[attribute]
        layout = element.find(f"{CSL_NS}layout")
        for child in list(layout):
            layout.remove(child)
        for attribute in [a for a in layout.attrib if a not in ("locale",)]:
            del layout.attrib[attribute]
        ElementTree.SubElement(layout, f"{CSL_NS}text", value="x")
    return ElementTree.tostring(root, encoding="unicode")


# ------------------------------------------------------------ the bibliography

_ENTRY = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s{}()]*)", re.MULTILINE)
_PARENT = re.compile(r"\b(?:crossref|xdata|xref)\s*=\s*[{\"]\s*([^}\"]+?)\s*[}\"]", re.IGNORECASE)


@dataclass
class BibFile:
    """One .bib file cut into entries (raw text), so a run can read a subset in the same order."""

    path: Path
    head: str  # text before the first entry
    entries: list[tuple[str, str, str]]  # (type lowercased, key, raw text including what follows it)

    @classmethod
    def read(cls, path: Path) -> "BibFile":
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        starts = list(_ENTRY.finditer(text))
        entries = []
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            entries.append((match.group(1).lower(), match.group(2), text[match.start():end]))
        return cls(path, text[:starts[0].start()] if starts else text, entries)

    def keys(self) -> list[str]:
        return [key for kind, key, _ in self.entries if kind not in ("string", "preamble", "comment")]

    def subset(self, keys: set[str]) -> str:
        """The file with only the entries in keys (and what they crossref), every @string and @preamble kept."""
        wanted = {k.lower() for k in keys}
        by_key = {key.lower(): raw for kind, key, raw in self.entries}
        queue = list(wanted)
        while queue:  # crossref/xdata parents, transitively
            raw = by_key.get(queue.pop())
            for parent in _PARENT.findall(raw or ""):
                for one in parent.split(","):
                    if one.strip().lower() not in wanted:
                        wanted.add(one.strip().lower())
                        queue.append(one.strip().lower())
        parts = [self.head]
        for kind, key, raw in self.entries:
            if kind in ("string", "preamble") or key.lower() in wanted:
                parts.append(raw if raw.endswith("\n") else raw + "\n")
        return "".join(parts)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_keys(reference: dict, all_names: bool) -> set[str]:
    """The words of the family names citeproc may compare for this work (CSL JSON as pandoc reads it)."""
    keys: set[str] = set()
    for value in reference.values():
        if not (isinstance(value, list) and value and isinstance(value[0], dict)
                and {"family", "given", "literal"} & set(value[0])):
            continue
        for name in (value if all_names else value[:1]):
            text = " ".join(str(name.get(part, "")) for part in ("non-dropping-particle", "family", "literal"))
            keys.update(w for w in re.findall(r"\w+", _fold(text)))
    if not keys:  # no names: the citation shows the title instead, which a family name could match
        keys.add("#nameless")
        keys.update(re.findall(r"\w+", _fold(str(reference.get("title-short") or reference.get("title", "")))))
    return keys


# --------------------------------------------------------------- the document


def _cites(node, out: list, classes: set[str] | None = None) -> list:
    """Every Cite of a pandoc JSON tree, in document order (pandoc's own order of citations).

    Also collects into ``classes`` the classes of every Div and Span. A loop rather than recursion:
    the tree of a 3,000-study review (Table 1) has millions of nodes.
    """
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            kind = item.get("t")
            if kind == "Cite":
                out.append(item)
                continue
            if kind in ("Str", "Space", "SoftBreak", "LineBreak", "MetaString", "RawInline", "RawBlock"):
                continue
            if classes is not None and kind in ("Div", "Span"):
                classes.update(item["c"][0][1])
            content = item.get("c")
            if kind is None:  # a metadata map or a citation record
                stack.extend(reversed(list(item.values())))
            elif content is not None and type(content) is not str:
                stack.append(content)
        elif type(item) is list:
            stack.extend(reversed(item))
    return out


def _ids(cite: dict) -> list[str]:
    return [c["citationId"] for c in cite["c"][0]]


# ------------------------------------------------------------------- the plan


@dataclass
class Bucket:
    owned_works: set[str] = field(default_factory=set)
    owned_cites: list[int] = field(default_factory=list)
    works: set[str] = field(default_factory=set)  # every work the run formats
    cites: list[int] = field(default_factory=list)  # indexes of the citations the run gets


def components(works: Iterable[str], keys: dict[str, set[str]]) -> list[list[str]]:
    """Works linked through shared name keys, each group in first-seen order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    works = list(dict.fromkeys(works))
    for work in works:
        for key in keys[work]:
            parent[find("k:" + key)] = find("w:" + work)
    groups: dict[str, list[str]] = {}
    for work in works:
        groups.setdefault(find("w:" + work), []).append(work)
    return list(groups.values())


def plan(cite_ids: Sequence[list[str]], nocite: Sequence[str], keys: dict[str, set[str]],
         bucket_works: int = BUCKET_WORKS) -> list[Bucket]:
    """Buckets of whole components, each with the citations its run needs."""
    works = [w for ids in cite_ids for w in ids] + list(nocite)
    groups = components(works, keys)
    component_of = {w: i for i, group in enumerate(groups) for w in group}
    # Components cited together are kept together while the cluster fits in a bucket, so that most
    # runs format only their own works (a work co-cited from another bucket costs that run its component).
    cluster = list(range(len(groups)))
    size = [len(g) for g in groups]

    def top(c: int) -> int:
        while cluster[c] != c:
            cluster[c] = cluster[cluster[c]]
            c = cluster[c]
        return c

    for ids in cite_ids:
        roots = list(dict.fromkeys(top(component_of[w]) for w in ids))
        if len(roots) > 1 and sum(size[r] for r in roots) <= bucket_works:
            for other in roots[1:]:
                cluster[other] = roots[0]
                size[roots[0]] += size[other]
    members: dict[int, list[str]] = {}
    for g, group in enumerate(groups):
        members.setdefault(top(g), []).extend(group)
    buckets: list[Bucket] = []
    placed: set[int] = set()
    for work in works:  # clusters in order of first citation, packed into buckets
        c = top(component_of[work])
        if c in placed:
            continue
        placed.add(c)
        if not buckets or (buckets[-1].owned_works and len(buckets[-1].owned_works) + size[c] > bucket_works):
            buckets.append(Bucket())
        buckets[-1].owned_works.update(members[c])
    bucket_of = {w: b for b in buckets for w in b.owned_works}
    for index, ids in enumerate(cite_ids):  # the bucket of its largest component: a large component's
        # citations then stay in its own run instead of pulling it into every run that co-cites it
        owner = max(ids, key=lambda w: len(groups[component_of[w]]))
        bucket_of[owner].owned_cites.append(index)
    cites_of_component: dict[int, list[int]] = {}
    for index, ids in enumerate(cite_ids):
        for c in {component_of[w] for w in ids}:
            cites_of_component.setdefault(c, []).append(index)
    for bucket in buckets:
        needed = {component_of[w] for w in bucket.owned_works}
        needed |= {component_of[w] for i in bucket.owned_cites for w in cite_ids[i]}
        bucket.cites = sorted({i for c in needed for i in cites_of_component.get(c, [])})
        bucket.works = {w for c in needed for w in groups[c]} | {w for i in bucket.cites for w in cite_ids[i]}
    return buckets


def bucket_document(tree: dict, cites: list[dict], bucket: Bucket) -> dict:
    """The document a bucket's run formats: its citations in order, a gap citation for each run left out."""
    included = set(bucket.cites)
    used_notes = {cites[i]["c"][0][0].get("citationNoteNum", 0) for i in bucket.cites}
    exact_numbers = any(c["c"][0][0].get("citationNoteNum", 0) <= 0 for c in cites)
    fresh = max([c["c"][0][0].get("citationNoteNum", 0) for c in cites] + [0]) + 1
    blocks, pending = [], []

    def gap(note: int) -> dict:
        return {"t": "Para", "c": [{"t": "Cite", "c": [[{
            "citationId": GAP_KEY, "citationPrefix": [], "citationSuffix": [],
            "citationMode": {"t": "NormalCitation"}, "citationNoteNum": note, "citationHash": 0}], []]}]}

    def flush() -> None:
        nonlocal fresh
        if not pending:
            return
        if exact_numbers:  # citeproc falls back on citation numbers: keep every one
            blocks.extend(gap(n) for n in pending)
        else:  # one gap, plus one per note number an included citation shares (ibid compares notes)
            blocks.append(gap(fresh))
            fresh += 1
            blocks.extend(gap(n) for n in dict.fromkeys(pending) if n in used_notes)
        pending.clear()

    for index, cite in enumerate(cites):
        if index in included:
            flush()
            blocks.append({"t": "Para", "c": [cite]})
        else:
            pending.append(cite["c"][0][0].get("citationNoteNum", 0))
    flush()
    meta = dict(tree["meta"])
    if "nocite" in meta:
        meta["nocite"] = _filter_nocite(meta["nocite"], bucket.works)
    return {**tree, "meta": meta, "blocks": blocks}


def _nocite_of(works: list[str]) -> dict:
    return {"t": "MetaInlines", "c": [{"t": "Cite", "c": [[{
        "citationId": w, "citationPrefix": [], "citationSuffix": [], "citationMode": {"t": "NormalCitation"},
        "citationNoteNum": 0, "citationHash": 0} for w in works], []]}]}


def _nocite_ids(value) -> list[str]:
    return [i for cite in _cites(value, []) for i in _ids(cite)]


def _filter_nocite(value, works: set[str]):
    """The nocite metadata with only the works of this bucket (the order of the rest kept)."""
    if isinstance(value, dict):
        if value.get("t") == "Cite":
            kept = [c for c in value["c"][0] if c["citationId"] in works]
            return {"t": "Cite", "c": [kept, value["c"][1]]} if kept else None
        out = {}
        for k, v in value.items():
            filtered = _filter_nocite(v, works)
            out[k] = filtered if filtered is not None else ([] if isinstance(v, list) else v)
        return out
    if isinstance(value, list):
        return [f for f in (_filter_nocite(v, works) for v in value) if f is not None]
    return value


# ------------------------------------------------------------------- running


@dataclass
class PandocArgs:
    """The plain run's command line taken apart, so the runs here pass the same options."""

    source: str
    options: list[str]  # everything but the input, --from/--to/--output, --citeproc, --csl, --bibliography
    filters: list[str]  # --lua-filter/--filter options with their values
    sources: list[str]  # --csl and --bibliography options as given (pandoc puts them in the metadata)

    @classmethod
    def parse(cls, args: Sequence[str]) -> "PandocArgs":
        valued = {"--from", "-f", "--to", "-t", "--output", "-o", "--csl", "--bibliography", "--lua-filter",
                  "--filter", "-F", "-L", "--resource-path", "--metadata", "-M", "--data-dir", "--defaults",
                  "-d", "--variable", "-V", "--metadata-file", "--template", "--reference-doc"}
        source, options, filters, sources = "", [], [], []
        index = 0
        while index < len(args):
            arg = args[index]
            name = arg.split("=", 1)[0]
            takes = name in valued and "=" not in arg
            value = [args[index + 1]] if takes else []
            if name in ("--lua-filter", "--filter", "-F", "-L"):
                filters += [arg, *value]
            elif name in ("--csl", "--bibliography"):
                sources += [arg, *value]
            elif name in ("--from", "-f", "--to", "-t", "--output", "-o", "--citeproc", "-C", "--sandbox"):
                pass
            elif not arg.startswith("-") and not source:
                source = arg
            else:
                options += [arg, *value]
            index += 1 + len(value)
        return cls(source, options, filters, sources)


class _Pandoc:
    """Pandoc as the build runs it: in the project folder, with --sandbox (it reads only the files named)."""

    def __init__(self, executable: str, environment: dict[str, str], cwd: Path | None = None) -> None:
        self.executable, self.environment, self.cwd = executable, environment, cwd

    def __call__(self, args: list[str], data: bytes | None, what: str) -> tuple[bytes, str]:
        process = subprocess.run([self.executable, "--sandbox", *args], input=data, capture_output=True,
                                 env=self.environment, cwd=self.cwd)
        out, err = process.stdout, process.stderr
        if process.returncode != 0:
            raise PartitionError(f"pandoc failed while {what} (exit code {process.returncode}):\n"
                                 f"{err.decode('utf-8', 'replace').strip()}")
        return out, err.decode("utf-8", "replace")


class _Reader:
    """The run that reads the Markdown (Lua filter, no citeproc), with Table 1 and Figure 1 spliced in Python.

    The filter gets its settings without the files to splice (``splice.unspliced_settings``, a copy
    in the scratch folder); ``splice.spliced`` puts their blocks in the tree as the filter would.
    Without a settings file the filter splices nothing either way.
    """

    def __init__(self, pandoc: _Pandoc, settings: Path | None, scratch: Path) -> None:
        self.pandoc, self.reading, self.files = pandoc, pandoc, {}
        if settings is not None:
            filter_settings = jsontree.load(settings.read_bytes())
            self.files = dict(filter_settings.get("splice", {}))  # label -> path from pandoc's folder
            unspliced = scratch / "filter-settings.json"
            unspliced.write_bytes(jsontree.dump(splice.unspliced_settings(filter_settings)))
            self.reading = _Pandoc(pandoc.executable, {**pandoc.environment, "CHARTER_FILTER_SETTINGS": str(unspliced)},
                                   pandoc.cwd)

    def __call__(self, args: list[str]) -> tuple[dict | None, str]:
        """The tree pandoc read, spliced (None: only the filter can splice it), and pandoc's messages."""
        out, messages = self.reading(args, None, "reading the manuscript")
        base = Path(self.pandoc.cwd or ".")
        documents = {label: jsontree.load((base / path).read_bytes()) for label, path in self.files.items()}
        return splice.spliced(_json(out), documents), messages


class _Remembered:
    """Citeproc runs on JSON remembered by their inputs, so an edit reruns only the groups it changed.

    The key is the SHA-256 of pandoc's version, the arguments with every --csl and --bibliography
    file replaced by its content, and the input; pandoc's output is a function of these. Kept in
    build/.citations-cache/, and only the runs of the latest build (older ones are deleted).
    """

    def __init__(self, pandoc: _Pandoc, folder: Path) -> None:
        self.pandoc, self.store = pandoc, RunStore(folder)
        self.version = pandoc(["--version"], None, "asking its version")[0]
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, args: list[str], data: bytes, what: str) -> tuple[bytes, str]:
        digest = hashlib.sha256(self.version)
        for index, arg in enumerate(args):
            named = index > 0 and args[index - 1] in ("--csl", "--bibliography")
            digest.update(b"\0" + (Path(arg).read_bytes() if named else arg.encode("utf-8")))
        digest.update(b"\0" + data)
        name = digest.hexdigest()
        stored = self.store.get(name)
        if stored is not None:
            return stored[0].encode("utf-8"), stored[1]
        out, err = self.pandoc(args, data, what)
        self.store.put(name, out.decode("utf-8"), err)
        return out, err

    def prune(self) -> None:
        self.store.prune()


class PartitionError(Exception):
    """A partitioned run could not be done; the plain run is used instead."""


def _json(data: bytes) -> dict:
    return jsontree.load(data)


def _dump(tree: dict) -> bytes:
    return jsontree.dump(tree)  # as pandoc writes it


def format_citations(args: Sequence[str], *, csl: Path, bibliographies: Sequence[Path], json_out: Path,
                     work_dir: Path, executable: str, environment: dict[str, str], cwd: Path | None = None,
                     progress: Progress | None = None, force: bool | None = None,
                     min_works: int | None = None, bucket_works: int | None = None,
                     settings: Path | None = None) -> str | None:
    """Do the plain run's job in buckets and write json_out; return pandoc's messages, or None to run plainly.

    ``args`` is the plain run's pandoc command line (Markdown in, JSON out, filters, --citeproc);
    ``settings`` the Lua filter's settings file (``environment`` names it): the files it would splice
    are spliced here instead (``charter.compile.splice``), in the tree the reading run gives.
    ``force`` skips the size and pandoc-version checks (the tests compare both ways on small reviews).
    The environment variable CHARTER_CITATIONS=plain or =groups chooses instead of the measurements
    (for the benchmark and the tests; the style's and the document's guards still apply to "groups").
    """
    choice = os.environ.get("CHARTER_CITATIONS", "auto")
    if choice == "plain":
        return None
    force = choice == "groups" if force is None else force
    min_works = MIN_WORKS if min_works is None else min_works
    bucket_works = BUCKET_WORKS if bucket_works is None else bucket_works
    say = progress or (lambda _line: None)
    bibs = [BibFile.read(Path(b)) for b in bibliographies]
    all_keys = [k for bib in bibs for k in bib.keys()]
    if not force and len(all_keys) < min_works:  # first the cheap test: a small review never reads its style
        return None
    csl_text = Path(csl).read_text(encoding="utf-8")
    if style_reasons(csl_text):
        return None
    pandoc = _Pandoc(executable, environment, cwd)
    if not force and not slow_citeproc(work_dir, pandoc):
        return None
    parsed = PandocArgs.parse(args)
    work_dir.mkdir(parents=True, exist_ok=True)
    scratch = work_dir / "citations"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        reader = _Reader(pandoc, settings, scratch)
        with jsontree.collector_paused():  # the work on a tree of millions of objects
            return _partitioned(parsed, csl, csl_text, bibs, json_out, scratch, reader, say, force, min_works,
                                bucket_works)
    except (PartitionError, OSError, ValueError, KeyError, IndexError, TypeError):
        # anything unexpected in the grouped runs: the plain run, which reports real errors itself
        return None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _partitioned(parsed: PandocArgs, csl: Path, csl_text: str, bibs: list[BibFile], json_out: Path, scratch: Path,
                 reader: "_Reader", say: Progress, force: bool, min_works: int, bucket_works: int) -> str | None:
    pandoc = reader.pandoc
    remembered = _Remembered(pandoc, scratch.parent / ".citations-cache")
    with ThreadPoolExecutor(max_workers=max(1, min(os.cpu_count() or 1, 4))) as pool:
        names_job = pool.submit(_name_keys, bibs, remembered, csl_text)  # beside the reading of the Markdown
        return _in_groups(parsed, csl, csl_text, bibs, json_out, scratch, reader, say, force, min_works,
                          bucket_works, pool, names_job, remembered)


def _in_groups(parsed: PandocArgs, csl: Path, csl_text: str, bibs: list[BibFile], json_out: Path, scratch: Path,
               reader: "_Reader", say: Progress, force: bool, min_works: int, bucket_works: int, pool,
               names_job, remembered: "_Remembered") -> str | None:
    started = time.monotonic()
    bib_args = [a for b in bibs for a in ("--bibliography", str(b.path))]  # for the runs whose metadata is dropped
    tree, messages = reader([parsed.source, "--from", "markdown", "--to", "json", *parsed.filters,
                             *parsed.options, *parsed.sources])
    if tree is None:  # a placement the filter must splice itself: the plain run
        return None
    classes: set[str] = set()
    cites = _cites(tree["blocks"], [], classes)
    meta_cites = {k for k, v in tree["meta"].items() if k != "nocite" and _cites(v, [])}
    nocite = _nocite_ids(tree["meta"].get("nocite"))
    known = {k for bib in bibs for k in bib.keys()}
    nested = any(_cites(c["c"][0], []) for c in cites)
    cite_ids = [_ids(c) for c in cites]
    cited = {w for ids in cite_ids for w in ids} | set(nocite)
    if meta_cites or nested or "*" in nocite or "reset-citation-positions" in classes \
            or any(w not in known for w in cited) or not cites:
        return None  # see the module's docstring: the plain run is the only equivalent one
    if not force and len(cited) < min_works:
        return None

    say(f"citations: {len(cited)} works, ordering the bibliography")
    fast_csl = scratch / "fast.csl"
    fast_csl.write_text(order_style(csl_text), encoding="utf-8")
    base = ["--from", "json", "--to", "json", "--citeproc", *parsed.options]
    # The order run needs only the works (nocite), and the ::: {#refs} Div when the manuscript places
    # the bibliography itself (Charter's assembly always does, empty): citeproc fills that Div from the
    # works and the style alone. Only a Div with text of its own takes the whole document.
    refs = _refs_div(tree["blocks"])
    in_place, empty_refs = refs is not None, refs is not None and not refs["c"][1]
    works_only = {**tree, "meta": {**tree["meta"], "nocite": _nocite_of(list(dict.fromkeys(
        [w for ids in cite_ids for w in ids] + nocite)))}, "blocks": [refs] if empty_refs else []}
    order_job = pool.submit(remembered, [*base, "--csl", str(fast_csl), *bib_args],
                            _dump(tree if in_place and not empty_refs else works_only), "ordering the bibliography")
    keys = names_job.result()
    missing = cited - set(keys)
    if missing:  # an entry pandoc could not read the way the scan did: do not guess
        return None
    buckets = plan(cite_ids, [w for w in dict.fromkeys(nocite)], keys, bucket_works)
    # citeproc's slow step costs about (works) × (family names) in each run: when shared family names
    # make the runs large, the plain run is as fast (measured: docs/performance.md)
    if not force and sum(len(b.works) ** 2 for b in buckets) > GAIN * len(cited) ** 2:
        return None
    say(f"citations: {len(cited)} works in {len(buckets)} groups")
    jobs = []
    for number, bucket in enumerate(buckets):
        document = bucket_document(tree, cites, bucket)
        paths = []
        for index, bib in enumerate(bibs):
            path = scratch / f"b{number}-{index}.bib"
            text = bib.subset(bucket.works) + (_GAP_ENTRY if index == len(bibs) - 1 else "")
            path.write_text(text, encoding="utf-8")
            paths += ["--bibliography", str(path)]
        jobs.append(pool.submit(remembered, [*base, "--csl", str(csl), *paths], _dump(document),
                                f"formatting citations (group {number + 1})"))
    ordered, order_messages = order_job.result()
    results = []
    for number, job in enumerate(jobs):
        results.append(_json(job.result()[0]))
        if number % max(1, len(jobs) // 10) == 0 or number == len(jobs) - 1:
            say(f"citations: {number + 1}/{len(jobs)} groups formatted")
    ordered_tree = _json(ordered)
    if empty_refs:  # the filled Div in place of the empty one, in the tree pandoc read
        filled = ordered_tree["blocks"]
        if len(filled) != 1 or filled[0].get("t") != "Div" or filled[0]["c"][0][0] != "refs":
            return None
        refs["c"] = filled[0]["c"]
        ordered_tree = tree
    elif not in_place:  # pandoc appends the bibliography (and its heading, if any) at the end
        ordered_tree = {**tree, "blocks": [*tree["blocks"], *ordered_tree["blocks"]]}  # the runs have their copies
    final = _splice(ordered_tree, tree, None if in_place and not empty_refs else cites, buckets, results)
    if final is None:
        return None
    json_out.write_bytes(_dump(final))
    remembered.prune()
    say(f"citations: done in {time.monotonic() - started:.1f} s")
    return messages + order_messages


def _name_keys(bibs: list[BibFile], pandoc: "_Remembered", csl_text: str) -> dict[str, set[str]]:
    """Every entry's name keys, from pandoc's own reading of the .bib files (names, @string, crossref).

    Each file goes to pandoc on its standard input, so the run is remembered by the file's content:
    an edit that leaves bib/ alone does not read it again.
    """
    all_names = 'givenname-disambiguation-rule="all-names' in csl_text
    keys: dict[str, set[str]] = {}
    for bib in bibs:
        # as pandoc's --bibliography reads them: .bib as BibLaTeX, .bibtex as BibTeX
        out, _ = pandoc(["--from", "bibtex" if bib.path.suffix.lower() == ".bibtex" else "biblatex",
                         "--to", "csljson"], bib.path.read_bytes(), f"reading {bib.path.name}")
        for reference in json.loads(out.decode("utf-8")):
            keys.setdefault(reference["id"], name_keys(reference, all_names))
    return keys


def _splice(ordered: dict, tree: dict, final_cites: list[dict] | None, buckets: list[Bucket],
            results: list[dict]) -> dict | None:
    """The fast run's tree with each citation and bibliography entry as its owning bucket formatted it."""
    formatted: dict[int, list] = {}
    entries: dict[str, dict] = {}
    for bucket, result in zip(buckets, results):
        out_cites = [c for c in _cites(result["blocks"], []) if _ids(c) != [GAP_KEY]]
        if len(out_cites) != len(bucket.cites):
            return None
        by_index = dict(zip(bucket.cites, out_cites))
        for index in bucket.owned_cites:
            formatted[index] = by_index[index]["c"][1]
        refs = _refs_div(result["blocks"])
        for entry in (refs["c"][1] if refs else []):
            key = entry["c"][0][0].removeprefix("ref-")
            if key in bucket.owned_works:
                entries[key] = entry
    if final_cites is None:  # the order run's whole tree: its own Cites
        final_cites = _cites(ordered["blocks"], [])
    if len(formatted) != len(final_cites):
        return None
    for index, cite in enumerate(final_cites):
        cite["c"][1] = formatted[index]
    refs = _refs_div(ordered["blocks"])
    if refs is not None:
        keys = [entry["c"][0][0].removeprefix("ref-") for entry in refs["c"][1]]
        if any(k not in entries for k in keys):
            return None
        refs["c"][1] = [entries[k] for k in keys]
    ordered["meta"] = tree["meta"]  # the fast run's names its own style
    return ordered


def _refs_div(blocks: list) -> dict | None:
    for block in blocks:
        if block.get("t") == "Div":
            if block["c"][0][0] == "refs":
                return block
            inner = _refs_div(block["c"][1])
            if inner is not None:
                return inner
    return None


# -------------------------------------------------- is this pandoc slow at all?

PROBE_WORKS = 300
# Measured with benchmarks/upstream.py (docs/performance.md): whether citeproc's time with a
# primary-name style is far above its time without it. Other versions are measured at build time.
MEASURED = {"pandoc 2.19.2": False, "pandoc 3.5": True, "pandoc 3.6.1": True, "pandoc 3.9": True}


def slow_citeproc(work_dir: Path, pandoc: _Pandoc) -> bool:
    """Whether this pandoc's citeproc is slow with global given-name disambiguation, measured once per version.

    Formats PROBE_WORKS works with distinct family names with a primary-name style and with the same
    style without it; slow when the first costs more than 1.5× the second in CPU time (2–3× with
    pandoc 3.5–3.9, about 1× with a fixed citeproc). The answer is kept in build/.citations-probe.json.
    """
    version, _ = pandoc(["--version"], None, "asking its version")
    version_line = version.decode("utf-8", "replace").splitlines()[0]
    if version_line in MEASURED:
        return MEASURED[version_line]
    record = work_dir / ".citations-probe.json"
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
        if known.get("pandoc") == version_line:
            return bool(known["slow"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    probe = work_dir / ".citations-probe"
    shutil.rmtree(probe, ignore_errors=True)
    probe.mkdir(parents=True)
    try:
        ratio = _probe_ratio(probe, pandoc)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    slow = ratio > 1.5
    work_dir.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"pandoc": version_line, "slow": slow, "ratio": round(ratio, 2)}) + "\n",
                      encoding="utf-8")
    return slow


def probe_files(folder: Path, works: int = PROBE_WORKS) -> tuple[Path, Path, Path, Path]:
    """A document citing `works` works with distinct family names, a .bib file and the two styles."""
    syllables = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]
    names = [(syllables[i % 70] + syllables[(i // 70) % 70] + syllables[(i // 4900) % 70]).capitalize()
             for i in range(works)]
    bib = "".join(f"@article{{w{i},\n  author = {{{n}, Anna and {names[-i - 1]}, Bo}},\n  title = {{Title {i}}},\n"
                  f"  journal = {{Journal}},\n  year = {{{2000 + i % 20}}}\n}}\n" for i, n in enumerate(names))
    text = " ".join(f"[@w{i}]." for i in range(works))
    citation = ('<citation disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name" '
                'disambiguate-add-year-suffix="true" et-al-min="3" et-al-use-first="1">')
    style = ('<?xml version="1.0" encoding="utf-8"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
             'class="in-text" version="1.0"><info><title>probe</title><id>probe</id>'
             '<updated>2024-01-01T00:00:00+00:00</updated></info>'
             '<macro name="author"><names variable="author"><name form="short" and="text"/></names></macro>'
             f'{citation}<layout prefix="(" suffix=")" delimiter="; "><group delimiter=" ">'
             '<text macro="author"/><date variable="issued"><date-part name="year"/></date></group></layout>'
             '</citation><bibliography><sort><key macro="author"/></sort><layout><text macro="author"/>'
             '<text variable="title" prefix=". "/></layout></bibliography></style>')
    paths = (folder / "probe.md", folder / "probe.bib", folder / "slow.csl", folder / "fast.csl")
    paths[0].write_text(text + "\n", encoding="utf-8")
    paths[1].write_text(bib, encoding="utf-8")
    paths[2].write_text(style, encoding="utf-8")
    paths[3].write_text(fast_style(style), encoding="utf-8")
    return paths


def _probe_ratio(folder: Path, pandoc: _Pandoc) -> float:
    markdown, bib, slow, fast = probe_files(folder)
    times = {}
    for name, style in (("fast", fast), ("slow", slow)):  # one after the other: children's CPU time adds up
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        pandoc([str(markdown), "--citeproc", "--csl", str(style), "--bibliography", str(bib), "--to", "json"],
               None, "measuring citeproc")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times[name] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return times["slow"] / max(times["fast"], 1e-3)
