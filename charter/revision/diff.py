"""``invoke diff`` and ``invoke changes``: a marked-up copy between two versions, and what changed in the data.

Pipeline: name the two versions (a tag, a commit, the working tree, or the
commit a returned DOCX was built from) → copy each committed version out of
git into ``build/diff/versions/`` (``charter.revision.revisions``) → build each with
this Charter (the same stages as ``invoke build``) → compare the two pandoc
trees word by word (``charter.revision.textdiff``) → write
``build/diff/manuscript-changes.docx`` with every difference as a Word tracked
change (attributed to the author of the last commit that touched the source,
or to ``--author``), and ``manuscript-changes.pdf`` with insertions in blue
and deletions struck through in red. ``invoke changes`` compares the data of
the two versions (``charter.revision.changes``).

A version that fails to build is named in the error with its own problems.
Everything is written under the review's ``build/``; no source file is touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from charter.revision import changes as data_changes
from charter.revision import revisions
from charter.compile.build import BuildError, build
from charter.document.counts import compute_counts
from charter.revision.docx_review import NotADocx, embed_manifest, read_docx
from charter.sources.load import load_project
from charter.sources.metadata import read_metadata
from charter.compile.pandoc import (CompileError, compile_typst, docx_package, finish_docx, images_from_root, json_to_typst,
                     start_docx, wait)
from charter.revision.revisions import Revision, RevisionError
from charter.revision.textdiff import DELETION, INSERTION, TextChange, diff_documents

DIFF_DIR = Path("build") / "diff"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
INSERTED_COLOUR, DELETED_COLOUR = "#1a5fb4", "#c01c28"
DATA_AUTHOR = "Charter (data)"


class DiffError(Exception):
    """The comparison could not be made; the message says which version and why."""


@dataclass(frozen=True)
class Version:
    """One built version: where its files are, what it is, its tree and anchors."""

    revision: Revision
    folder: Path
    tree: dict
    anchors: dict


@dataclass(frozen=True)
class DiffResult:
    docx: Path | None
    pdf: Path | None
    old: Revision
    new: Revision
    changes: tuple[TextChange, ...]
    notes: tuple[str, ...]  # e.g. "the working tree has uncommitted changes: they are included"


# ------------------------------------------------------------------ versions


def resolve_versions(root: Path, old_ref: str | None, new_ref: str | None,
                     since: Path | None = None) -> tuple[Revision, Revision]:
    """The two revisions to compare: old (a ref, the last tag, or the commit a returned DOCX was built from) and new."""
    if since is not None:
        old_ref = built_from(since)
    old = revisions.resolve(root, old_ref)
    new = revisions.resolve(root, new_ref) if new_ref else revisions.working_tree(root)
    return old, new


def built_from(docx: Path) -> str:
    """The commit recorded in a DOCX the build wrote (its embedded anchor map)."""
    try:
        manifest = read_docx(docx).manifest
    except NotADocx as error:
        raise DiffError(str(error)) from None
    source = (manifest or {}).get("source") if isinstance(manifest, dict) else None
    commit = source.get("commit") if isinstance(source, dict) else None
    if not isinstance(commit, str) or not re.fullmatch(r"[0-9a-f]{7,64}", commit):
        raise DiffError(f"{docx}: it does not say which commit it was built from (built outside git, by an older "
                        "Charter, or its editor dropped the anchor map); name the version instead: "
                        "invoke diff --old REF")
    return commit


def _built(root: Path, revision: Revision, work: Path) -> Version:
    """Copy a committed version out of git (or take the working tree) and build it."""
    if revision.commit is None:
        folder = root
    else:
        folder = revisions.export(root, revision, work / "versions" / revision.commit[:12])
    try:
        build(folder, formats=("docx",), verbose=False)
    except BuildError as error:
        raise DiffError(f"the version {revision.label} ({revision.short}) does not build:\n{error}") from None
    except CompileError as error:
        raise DiffError(f"the version {revision.label} ({revision.short}) does not build:\n{error}") from None
    build_dir = folder / "build"
    tree = json.loads((build_dir / "manuscript.json").read_text(encoding="utf-8"))
    manifest = json.loads((build_dir / "manuscript.anchors.json").read_text(encoding="utf-8"))
    return Version(revision, folder, tree, manifest.get("anchors", {}))


# -------------------------------------------------------------- attribution


class _Attribution:
    """Who made a change and when: the last commit that touched its source file, or the name given."""

    def __init__(self, root: Path, old: Version, new: Version, author: str | None) -> None:
        self.root, self.old, self.new, self.author = root, old, new, author
        self.fallback_date = new.revision.date or old.revision.date or _now()
        self._by_path: dict[str, tuple[str, str] | None] = {}
        self.counts = self._changed_counts()

    def _changed_counts(self) -> dict[str, tuple[object, object]]:
        try:
            old_counts = compute_counts(load_project(self.old.folder))
            new_counts = compute_counts(load_project(self.new.folder))
        except Exception:  # a version that built has counts; this is only for attribution
            return {}
        return {name: (old_counts[name].value if name in old_counts else None, count.value)
                for name, count in new_counts.items()
                if name not in old_counts or old_counts[name].value != count.value}

    def __call__(self, anchor: str | None, old_anchor: str | None, removed: str, added: str) -> tuple[str, str]:
        entry = self.new.anchors.get(anchor or "") or self.old.anchors.get(old_anchor or "") or {}
        if self._is_data(entry, removed, added):
            return DATA_AUTHOR, self.fallback_date
        if self.author:
            return self.author, self.fallback_date
        path = entry.get("source")
        found = self._last_change(path) if isinstance(path, str) else None
        if found:
            return found
        return (self.new.revision.author or self.old.revision.author or "Charter"), self.fallback_date

    def _last_change(self, path: str) -> tuple[str, str] | None:
        if path not in self._by_path:
            self._by_path[path] = revisions.last_change(self.root, self.old.revision, self.new.revision, path)
        return self._by_path[path]

    def _is_data(self, entry: dict, removed: str, added: str) -> bool:
        """A number in the text changed because the count behind its placeholder changed."""
        if entry.get("kind") == "figure":
            return True  # the flow diagram is drawn from the PRISMA numbers
        if entry.get("kind") not in ("prose", "metadata") or not removed or not added:
            return False
        source = self.new.folder / entry.get("source", "")
        try:
            lines = source.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return False
        block = "\n".join(lines[max(int(entry.get("line") or 1) - 1, 0):][:40])
        block = block.split("\n\n")[0]
        stated = set(re.findall(r"\{\{\s*n\.([\w.\-]+)", block))
        return any(name in stated and _says(removed, old) and _says(added, new)
                   for name, (old, new) in self.counts.items())


def _says(text: str, value) -> bool:
    """Whether a changed stretch of text is the rendering of a count's value (digits or words)."""
    if value is None:
        return "not reported" in text
    from charter.document.placeholders import render
    from charter.document.counts import Count

    count = Count("x", value, "")
    return text.strip() in {render(count, None), render(count, "words"), render(count, "Words")}


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ writing


def _for_pdf(node):
    """Insertion and deletion spans as Typst colour, underline and strike-through around the words."""
    if isinstance(node, list):
        out = []
        for item in node:
            converted = _for_pdf(item)
            out.extend(converted if isinstance(converted, list) and isinstance(item, dict) else [converted])
        return out
    if not isinstance(node, dict):
        return node
    if node.get("t") == "Span":
        attr, content = node["c"]
        if INSERTION in attr[1] or DELETION in attr[1]:
            colour, mark = (INSERTED_COLOUR, "underline") if INSERTION in attr[1] else (DELETED_COLOUR, "strike")
            return [{"t": "RawInline", "c": ["typst", f'#text(fill: rgb("{colour}"))[#{mark}[']},
                    *_for_pdf(content), {"t": "RawInline", "c": ["typst", "]]"]}]
    return {key: _for_pdf(value) if key == "c" else value for key, value in node.items()}


def _pdf_tree(tree: dict) -> dict:
    """The marked tree for Typst: coloured changes, and the abstract's changes in the title page the template draws."""
    meta = dict(tree.get("meta", {}))
    for block in tree["blocks"]:
        if block.get("t") == "Div" and "charter-titlepage" in block["c"][0][1]:
            for part in block["c"][1]:
                if part.get("t") == "Div" and ["custom-style", "Abstract"] in part["c"][0][2]:
                    paragraphs = part["c"][1]
                    meta["charter-abstract"] = ({"t": "MetaInlines", "c": paragraphs[0]["c"]}
                                                if len(paragraphs) == 1 and paragraphs[0].get("t") == "Para"
                                                else {"t": "MetaBlocks", "c": paragraphs})
    return {**tree, "meta": {name: _for_pdf(value) for name, value in meta.items()}, "blocks": _for_pdf(tree["blocks"])}


def _finish_tracked_changes(docx: Path) -> None:
    """Make the tracked changes pandoc wrote behave as Word's own.

    * pandoc numbers every change 1; Word wants each annotation to have its own id;
    * a paragraph whose words are all inserted (or all deleted) gets its paragraph
      mark tracked too, and a table row whose cells are all inserted (or deleted)
      is tracked as a row: rejecting an added study's row then removes the row,
      not only its words, and accepting a removed paragraph leaves no empty line.
    """
    import zipfile

    with zipfile.ZipFile(docx) as source:
        names = source.namelist()
        files = {name: source.read(name) for name in names}
    root = etree.fromstring(files["word/document.xml"])
    for paragraph in root.iter(f"{{{W}}}p"):
        state = _whole(paragraph)
        if state:
            _track_mark(paragraph, "pPr", state)
    _last_paragraph_marks(root)
    for row in root.iter(f"{{{W}}}tr"):
        states = {_whole(paragraph) or ("" if not _has_text(paragraph) else "mixed")
                  for paragraph in row.iter(f"{{{W}}}p")} - {""}
        if len(states) == 1 and states <= {"ins", "del"}:
            _track_mark(row, "trPr", states.pop())
    used = [int(v) for v in root.xpath("//w:bookmarkStart/@w:id", namespaces={"w": W}) if v.isdigit()]
    next_id = max(used, default=0) + 1
    for element in root.iter(f"{{{W}}}ins", f"{{{W}}}del"):
        element.set(f"{{{W}}}id", str(next_id))
        next_id += 1
    files["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    docx.write_bytes(docx_package(names, files))


def _last_paragraph_marks(root) -> None:
    """A document's last paragraph mark can never go: for paragraphs added (or removed) at the very end, the
    mark that is tracked is the one before them, as Word itself records it."""
    body = root.find(f"{{{W}}}body")
    paragraphs = [child for child in body if child.tag == f"{{{W}}}p"]
    if len(paragraphs) < 2:
        return
    last_mark = _mark_of(paragraphs[-1])
    if last_mark is None:
        return
    kind = etree.QName(last_mark).localname
    start = len(paragraphs) - 1
    while start > 0 and _mark_of(paragraphs[start - 1]) is not None and \
            etree.QName(_mark_of(paragraphs[start - 1])).localname == kind:
        start -= 1
    if start == 0:
        return
    before = paragraphs[start - 1]
    last_mark.getparent().remove(last_mark)
    rpr = before.find("w:pPr/w:rPr", {"w": W})
    if rpr is None:
        props = before.find("w:pPr", {"w": W})
        if props is None:
            props = etree.Element(f"{{{W}}}pPr")
            before.insert(0, props)
        rpr = etree.Element(f"{{{W}}}rPr")
        later = props.find("w:sectPr", {"w": W})
        later.addprevious(rpr) if later is not None else props.append(rpr)
    rpr.insert(0, last_mark)


def _mark_of(paragraph):
    """The tracked change on a paragraph's mark (w:pPr/w:rPr/w:ins or w:del), if any."""
    return next(iter(paragraph.xpath("w:pPr/w:rPr/w:ins | w:pPr/w:rPr/w:del", namespaces={"w": W})), None)


def _has_text(paragraph) -> bool:
    return any((t.text or "").strip() for t in paragraph.iter(f"{{{W}}}t", f"{{{W}}}delText"))


def _whole(paragraph) -> str:
    """'ins' or 'del' when every piece of text in the paragraph is inside one kind of tracked change."""
    kinds = set()
    for text in paragraph.iter(f"{{{W}}}t", f"{{{W}}}delText"):
        if not (text.text or "").strip():
            continue
        change = next((a for a in text.iterancestors(f"{{{W}}}ins", f"{{{W}}}del")), None)
        kinds.add(etree.QName(change).localname if change is not None else "none")
    return kinds.pop() if len(kinds) == 1 and kinds <= {"ins", "del"} else ""


def _track_mark(element, properties: str, kind: str) -> None:
    """Add <w:ins/> or <w:del/> with the author and date of the element's first change to its properties."""
    change = next(element.iter(f"{{{W}}}{kind}"))
    props = element.find(f"w:{properties}", {"w": W})
    if props is None:
        props = etree.Element(f"{{{W}}}{properties}")
        element.insert(0, props)
    target = props
    if properties == "pPr":  # the paragraph mark's run properties: w:pPr/w:rPr, which comes last in w:pPr
        target = props.find("w:rPr", {"w": W})
        if target is None:
            target = etree.Element(f"{{{W}}}rPr")
            later = props.find("w:sectPr", {"w": W}) or props.find("w:pPrChange", {"w": W})
            later.addprevious(target) if later is not None else props.append(target)
    mark = etree.Element(f"{{{W}}}{kind}")
    for name in ("author", "date"):
        value = change.get(f"{{{W}}}{name}")
        if value:
            mark.set(f"{{{W}}}{name}", value)
    mark.set(f"{{{W}}}id", "0")
    target.insert(0, mark) if properties == "pPr" else target.append(mark)


def _write_outputs(new: Version, tree: dict, out_dir: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    """The marked-up DOCX (styles and page setup of the new version's DOCX) and the coloured PDF."""
    metadata, _ = read_metadata(new.folder)
    paper = (metadata.paper if metadata and metadata.paper else "a4")
    title = metadata.title if metadata else ""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "manuscript-changes.json"
    json_path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    written: dict[str, Path] = {}
    if "docx" in formats:
        temporary = out_dir / f".manuscript-changes.{os.getpid()}.docx.tmp"  # unique: two runs may overlap
        wait(start_docx(json_path, temporary, new.folder / "build" / "manuscript.docx", root=new.folder),
             "writing the marked-up DOCX")
        finish_docx(temporary, paper=paper, core={"title": f"Changes: {title}", "keywords": "", "creator": ""})
        _finish_tracked_changes(temporary)
        embed_manifest(temporary, {"version": 1, "anchors": new.anchors})
        final = out_dir / "manuscript-changes.docx"
        temporary.replace(final)
        written["docx"] = final
    if "pdf" in formats:
        pdf_json = out_dir / "manuscript-changes.typst.json"
        pdf_json.write_text(json.dumps(_pdf_tree(tree), ensure_ascii=False), encoding="utf-8")
        typst_source = out_dir / "manuscript-changes.typ"
        # Typst's root must hold the source (in out_dir) and the images (in the version's folder)
        typst_root = out_dir if out_dir.resolve() in new.folder.resolve().parents else new.folder
        json_to_typst(pdf_json, typst_source, _typst_template(new.folder),
                      images_from_root(pdf_json, new.folder, typst_root))
        temporary = out_dir / f".manuscript-changes.{os.getpid()}.pdf.tmp"
        compile_typst(typst_source, temporary, root=typst_root,
                      inputs={"charter-title": f"Changes: {title}", "charter-keywords": "", "charter-authors": ""})
        final = out_dir / "manuscript-changes.pdf"
        temporary.replace(final)
        written["pdf"] = final
    return written


def _typst_template(folder: Path) -> Path:
    from charter.compile.build import template_file  # the project's templates/ win over Charter's own, as for the build

    return template_file(folder, "manuscript.typ")


# ------------------------------------------------------------------ entry points


def make_diff(root: str | Path, old_ref: str | None = None, new_ref: str | None = None, *,
              since: Path | None = None, author: str | None = None,
              formats: tuple[str, ...] = ("docx", "pdf")) -> DiffResult:
    """Build both versions and write build/diff/manuscript-changes.docx and .pdf; raise DiffError on failure."""
    root = Path(root).resolve()
    work = root / DIFF_DIR
    try:
        old_revision, new_revision = resolve_versions(root, old_ref, new_ref, since)
        keep_only(work, (old_revision, new_revision))
        old = _built(root, old_revision, work)
        new = _built(root, new_revision, work)
    except RevisionError as error:
        raise DiffError(str(error)) from None
    notes = []
    if new_revision.commit is None and new_revision.dirty:
        notes.append("the working tree has uncommitted changes: they are included in the new version")
    who = _Attribution(root, old, new, author)
    tree, changes = diff_documents(old.tree, new.tree, who)
    try:
        written = _write_outputs(new, tree, work, formats)
    except CompileError as error:
        raise DiffError(f"the marked-up copy could not be written:\n{error}") from None
    return DiffResult(written.get("docx"), written.get("pdf"), old_revision, new_revision, tuple(changes),
                      tuple(notes))


def data_changes_between(root: str | Path, old_ref: str | None = None, new_ref: str | None = None, *,
                         since: Path | None = None) -> data_changes.DataChanges:
    """Compare the data (studies, counts, PRISMA, references) of two versions; raise DiffError on failure."""
    root = Path(root).resolve()
    work = root / DIFF_DIR
    try:
        old_revision, new_revision = resolve_versions(root, old_ref, new_ref, since)
        keep_only(work, (old_revision, new_revision))
        folders = []
        for revision in (old_revision, new_revision):
            folders.append(root if revision.commit is None
                           else revisions.export(root, revision, work / "versions" / revision.commit[:12]))
    except RevisionError as error:
        raise DiffError(str(error)) from None
    projects = []
    for revision, folder in zip((old_revision, new_revision), folders):
        project = load_project(folder)
        errors = [p for p in project.problems if p.severity == "error"]
        if errors:
            listing = "\n".join(str(p) for p in errors[:20])
            raise DiffError(f"the data of {revision.label} ({revision.short}) has errors:\n{listing}")
        projects.append(project)
    sections = [(f"manuscript/{p.name}", p.read_text(encoding="utf-8", errors="replace"))
                for p in sorted((folders[1] / "manuscript").glob("*.md"))]
    label = {True: "the working tree", False: ""}
    return data_changes.compare(projects[0], projects[1], compute_counts(projects[0]), compute_counts(projects[1]),
                                sections, f"{old_revision.label} ({old_revision.short})",
                                label[new_revision.commit is None] or f"{new_revision.label} ({new_revision.short})")


def keep_only(work: Path, used: tuple[Revision, ...]) -> None:
    """Remove the copied-out versions other than the ones just compared.

    The two versions are kept so that the next comparison of the same commits reuses their
    builds (the usual case: the same submitted version against a new working tree); any other
    copy would only grow build/diff/versions/ with every commit ever compared.
    """
    folder = work / "versions"
    keep = {revision.commit[:12] for revision in used if revision.commit}
    for copy in (folder.iterdir() if folder.is_dir() else ()):
        if copy.name not in keep and copy.is_dir() and not copy.is_symlink():
            shutil.rmtree(copy, ignore_errors=True)
