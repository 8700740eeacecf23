"""Read what co-authors did to a returned DOCX: comments, replies, tracked changes, anchors.

This module knows WordprocessingML and nothing about the review: it turns the
document into paragraphs (text before and after the tracked changes, and the
anchors — bookmarks — that cover each piece of text) and marks (comments and
tracked changes, with where they sit). ``charter.revision.review`` traces those to the
source files. It also embeds the anchor manifest into the DOCX the build
writes, so a returned file carries its own map back to the sources.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_XML_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
CUSTOM_XML_PROPS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
CUSTOM_XML_PROPS_TYPE = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"

MANIFEST_NS = "urn:charter:anchors"
# A fixed item id so that rebuilding the same manuscript gives the same bytes.
MANIFEST_ITEM_ID = "{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"
# Zip entries get this timestamp so two builds of the same sources are identical.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# An image or other object in running text; shown as "[image]" in quotes.
OBJECT = "\ufffc"


_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text from a returned file made safe to print to a terminal.

    Control characters (escape sequences that recolour or clear the screen,
    carriage returns that overwrite a line) and text-direction overrides are
    shown as U+FFFD.
    """
    return _TERMINAL_CONTROLS.sub("\ufffd", text)


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class NotADocx(Exception):
    """The file is not a DOCX we can read."""


# ------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Piece:
    """A stretch of text in one paragraph with one status and one set of open anchors."""

    text: str
    status: str  # "same", "inserted" or "deleted"
    change: int | None  # index of the tracked-change element, None for "same"
    anchors: tuple[str, ...]  # bookmark names open here, outermost first


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the returned document, in document order."""

    index: int
    pieces: tuple[Piece, ...]
    in_table: bool

    @property
    def original(self) -> str:
        """The text as the build wrote it: deletions kept, insertions left out."""
        return "".join(p.text for p in self.pieces if p.status != "inserted")

    @property
    def current(self) -> str:
        """The text as the co-author left it: insertions kept, deletions left out."""
        return "".join(p.text for p in self.pieces if p.status != "deleted")

    @property
    def anchors(self) -> tuple[str, ...]:
        """Anchors that cover some text of this paragraph, in order of appearance."""
        return tuple(dict.fromkeys(a for p in self.pieces for a in p.anchors))


@dataclass(frozen=True)
class Position:
    """A point in the document: paragraph index and offset into its pieces' full text (all pieces)."""

    paragraph: int
    offset: int
    anchors: tuple[str, ...]  # bookmarks open at this point


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    date: str
    initials: str
    text: str
    para_id: str | None  # w14:paraId of the comment's last paragraph (threads refer to it)
    start: Position | None
    end: Position | None


@dataclass(frozen=True)
class Change:
    """One tracked insertion or deletion (adjacent pieces of the same author and time merged)."""

    kind: str  # "insertion" or "deletion"
    author: str
    date: str
    text: str
    paragraph: int
    # offsets into the paragraph's original text: a deletion covers [start, end);
    # an insertion sits at start == end
    start: int
    end: int
    anchors: tuple[str, ...]  # bookmarks open where the change starts, outermost first
    pieces: tuple[int, ...] = ()  # indexes of the paragraph's pieces this change is made of


@dataclass(frozen=True)
class ReturnedDocument:
    """Everything ``charter.revision.review`` needs from one returned DOCX."""

    paragraphs: tuple[Paragraph, ...]
    comments: tuple[Comment, ...]
    changes: tuple[Change, ...]
    reply_parents: dict  # comment id -> parent comment id, from commentsExtended.xml
    threads_recorded: bool  # False when the writer dropped commentsExtended.xml (LibreOffice does)
    bookmarks: frozenset  # names of bookmarks that cover some text
    manifest: object | None  # the anchor manifest embedded by the build, if it survived (charter.revision.anchors checks it)


# ------------------------------------------------------------------ reading


# Limits for a returned file. A manuscript is far below each; a crafted file (a zip bomb, a
# gigantic comment) is refused before it can take the machine's memory or time.
MAX_DOCX_BYTES = 512 * 2**20  # the file itself
MAX_ENTRIES = 10_000  # parts in the zip; a manuscript with many figures has a few hundred
MAX_UNPACKED = 512 * 2**20  # all parts together, as the zip declares them
MAX_PART = 64 * 2**20  # one XML part that is read (document, comments, the anchor map)
MAX_RATIO = 500  # unpacked : packed, for parts over 1 MB; Word's XML packs about 10:1, images 1:1
MAX_COMMENT = 50_000  # characters in one comment
MAX_COMMENTS = 20_000
MAX_CHANGES = 50_000  # tracked insertions and deletions; a thorough copy-edit makes a few thousand
MAX_CUSTOM_PARTS = 100  # custom XML parts searched for the anchor map

_FIX = "open it in Word or LibreOffice, save it again as .docx and retry"

# No DTD: Word never writes one, and a DTD is how entities (XXE, billion laughs) get in. The
# parser also resolves no entity and fetches nothing, should a DTD ever slip past the check.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                          dtd_validation=False)
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _parse(data: bytes, part: str, path: Path):
    """Parse one XML part of a returned file safely; NotADocx when it is damaged or declares a DTD."""
    if any(mark in data for mark in _DTD_MARKS):
        raise NotADocx(f"{path}: {part} declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), which Word and "
                       "LibreOffice never write, so the file is not read; ask for the file as Word or "
                       "LibreOffice saved it")
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.LxmlError, ValueError, TypeError, RecursionError) as error:
        raise NotADocx(f"{path}: {part} is damaged ({str(error)[:200]}); {_FIX}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise NotADocx(f"{path}: {part} declares a DTD, which Word and LibreOffice never write, so the file is "
                       "not read; ask for the file as Word or LibreOffice saved it")
    return root


def _read_part(package: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """The unpacked bytes of one part, never more than MAX_PART whatever the zip's header says."""
    too_big = (f"{path}: {info.filename} unpacks to more than {MAX_PART // 2**20} MB, far more than a "
               "manuscript's; the file is not read. Save the document again from Word or LibreOffice as .docx")
    if info.file_size > MAX_PART:
        raise NotADocx(too_big)
    chunks, size = [], 0
    with package.open(info) as stream:
        while True:
            chunk = stream.read(2**20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_PART:
                raise NotADocx(too_big)
            chunks.append(chunk)
    return b"".join(chunks)


def _wanted(name: str) -> bool:
    """The parts review reads; images and everything else stay packed."""
    return name in ("word/document.xml", "word/comments.xml", "word/commentsExtended.xml") or (
        name.startswith("customXml/item") and name.endswith(".xml") and "Props" not in name)


def _check_package(package: zipfile.ZipFile, path: Path) -> list[zipfile.ZipInfo]:
    """The zip's entries, once their number, sizes and packing are plausible for a manuscript."""
    entries = package.infolist()
    if len(entries) > MAX_ENTRIES:
        raise NotADocx(f"{path}: the file holds {len(entries):,} parts, more than the {MAX_ENTRIES:,} Charter "
                       f"reads; it is not a manuscript as Word saves it. {_FIX[0].upper()}{_FIX[1:]}")
    total = sum(info.file_size for info in entries)
    if total > MAX_UNPACKED:
        raise NotADocx(f"{path}: the file would unpack to {total / 2**20:,.0f} MB, more than the "
                       f"{MAX_UNPACKED // 2**20} MB Charter reads (a zip bomb, or a document with huge "
                       "embedded files); the file is not read. Remove the large embedded objects and save again")
    for info in entries:
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise NotADocx(f"{path}: {info.filename} unpacks {info.file_size // max(info.compress_size, 1):,} "
                           f"times larger than it is packed (over {MAX_RATIO}:1), which no document does: the file "
                           "looks like a zip bomb and is not read. Ask for the file as Word or LibreOffice saved it")
    return entries


def read_docx(path: Path) -> ReturnedDocument:
    """Read the paragraphs, comments, replies and tracked changes of a DOCX.

    A returned file comes from outside: every limit above is checked, and each
    problem raises NotADocx with ``file: what is wrong; what to do``.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_DOCX_BYTES:
            raise NotADocx(f"{path}: the file is larger than {MAX_DOCX_BYTES // 2**20} MB, more than a returned "
                           "manuscript; remove large embedded objects and save it again")
        with zipfile.ZipFile(path) as package:
            entries = _check_package(package, path)
            custom = [i for i in entries if _wanted(i.filename) and i.filename.startswith("customXml/")]
            parts = {info.filename: _read_part(package, info, path)
                     for info in entries if _wanted(info.filename) and not info.filename.startswith("customXml/")}
            parts.update({info.filename: _read_part(package, info, path) for info in custom[:MAX_CUSTOM_PARTS]})
    except NotADocx:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError, zlib.error) as error:
        raise NotADocx(f"{path}: cannot open it as a DOCX ({str(error)[:200]}); "
                       "save it from Word or LibreOffice as .docx") from None
    if "word/document.xml" not in parts:
        raise NotADocx(f"{path}: has no word/document.xml, so it is not a Word document; save it as .docx")
    body = _parse(parts["word/document.xml"], "word/document.xml", path).find(w("body"))
    if body is None:
        raise NotADocx(f"{path}: word/document.xml has no document body; {_FIX}")
    try:
        paragraphs, ranges, changes, bookmarks = _walk_body(body)
    except (TypeError, ValueError, KeyError, RecursionError) as error:
        raise NotADocx(f"{path}: its document XML is damaged ({str(error)[:200]}); {_FIX}") from None
    if len(changes) > MAX_CHANGES:
        raise NotADocx(f"{path}: it holds {len(changes):,} tracked changes, more than the {MAX_CHANGES:,} Charter "
                       "lists; accept or reject the ones already dealt with in Word or LibreOffice and save again")
    comments, para_ids = _read_comments(parts.get("word/comments.xml"), ranges, path)
    parents, recorded = _read_threads(parts.get("word/commentsExtended.xml"), para_ids, path)
    return ReturnedDocument(
        paragraphs=paragraphs,
        comments=comments,
        changes=changes,
        reply_parents=parents,
        threads_recorded=recorded,
        bookmarks=bookmarks,
        manifest=_find_manifest(parts, path),
    )


def returned_file_problem(path: Path) -> str:
    """'' when a returned DOCX passes the reading checks above (sizes, packing, no DTD); else what is wrong.

    For readers other than ``read_docx`` (pandoc, in ``invoke check --docx``) to call first.
    """
    try:
        read_docx(path)
    except NotADocx as error:
        return str(error).removeprefix(f"{path}: ")
    return ""


class _Walker:
    """State of one pass over the body: open bookmarks, open tracked changes, current paragraph."""

    def __init__(self) -> None:
        self.open_bookmarks: dict[str, str] = {}  # w:id -> name, in opening order
        self.paragraphs: list[Paragraph] = []
        self.pieces: list[Piece] = []
        self.offset = 0  # into the full text (all pieces) of the current paragraph
        self.change_stack: list[tuple[int, str, str, str]] = []  # (index, status, author, date)
        self.change_count = 0
        self.change_info: dict[int, tuple[str, str, str]] = {}
        self.ranges: dict[str, dict[str, Position]] = {}  # comment id -> {"start"/"end"/"reference": Position}
        self.table_depth = 0
        self.covered: set[str] = set()
        self.ending_after: dict = {}  # w:ins element -> ids of bookmarks that end when it ends

    def anchors(self) -> tuple[str, ...]:
        return tuple(self.open_bookmarks.values())

    def position(self) -> Position:
        return Position(len(self.paragraphs), self.offset, self.anchors())

    def add_text(self, text: str, deleted: bool = False) -> None:
        if not text:
            return
        status, change = "same", None
        if self.change_stack:
            change, status = self.change_stack[-1][0], self.change_stack[-1][1]
            if {s for _, s, _, _ in self.change_stack} == {"inserted", "deleted"}:
                return  # inserted by one co-author, deleted by another: in neither the build's text nor theirs
        if deleted and status != "deleted":
            status = "deleted"  # w:delText outside w:del: treat as deleted all the same
        anchors = self.anchors()
        self.covered.update(anchors)
        last = self.pieces[-1] if self.pieces else None
        if last and (last.status, last.change, last.anchors) == (status, change, anchors):
            self.pieces[-1] = Piece(last.text + text, status, change, anchors)
        else:
            self.pieces.append(Piece(text, status, change, anchors))
        self.offset += len(text)

    def end_paragraph(self) -> None:
        self.paragraphs.append(Paragraph(len(self.paragraphs), tuple(self.pieces), self.table_depth > 0))
        self.pieces, self.offset = [], 0


_CHANGE_TAGS = {w("ins"): "inserted", w("moveTo"): "inserted", w("del"): "deleted", w("moveFrom"): "deleted"}


def _walk_body(body) -> tuple[tuple[Paragraph, ...], dict, tuple[Change, ...], frozenset]:
    """Walk the body in document order, tracking open bookmarks and tracked changes."""
    state = _Walker()
    paragraph_depth = 0
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == w("p"):
                paragraph_depth += 1
                if paragraph_depth > 1:  # a paragraph in a text box: read it as part of the outer one
                    continue
            elif tag == w("tbl"):
                state.table_depth += 1
            elif tag == w("bookmarkStart"):
                state.open_bookmarks[element.get(w("id"))] = element.get(w("name"), "")
            elif tag == w("bookmarkEnd"):
                parent = element.getparent()
                if parent.tag in (w("ins"), w("moveTo")) and element.getprevious() is None:
                    # LibreOffice, replacing an anchor's whole text, writes its end first inside the
                    # insertion: the inserted text replaces the anchor's, so the anchor ends after it
                    state.ending_after.setdefault(parent, []).append(element.get(w("id")))
                else:
                    state.open_bookmarks.pop(element.get(w("id")), None)
            elif tag in _CHANGE_TAGS and element.getparent().tag != w("rPr"):
                # w:ins inside w:rPr marks an inserted paragraph mark, not text
                index = state.change_count
                state.change_count += 1
                status = _CHANGE_TAGS[tag]
                author, date = element.get(w("author"), ""), element.get(w("date"), "")
                state.change_stack.append((index, status, author, date))
                state.change_info[index] = (status, author, date)
            elif tag == w("t"):
                state.add_text(element.text or "")
            elif tag in (w("delText"), w("delInstrText")):
                if tag == w("delText"):
                    state.add_text(element.text or "", deleted=True)
            elif tag in (w("tab"), w("ptab")) and element.getparent().tag == w("r"):
                state.add_text("\t")
            elif tag in (w("br"), w("cr")) and element.getparent().tag == w("r"):
                state.add_text("\n")
            elif tag == w("noBreakHyphen"):
                state.add_text("-")
            elif tag == w("drawing") or tag == w("pict") or tag == w("object"):
                state.add_text(OBJECT)
            elif tag in (w("commentRangeStart"), w("commentRangeEnd"), w("commentReference")):
                which = {"commentRangeStart": "start", "commentRangeEnd": "end", "commentReference": "reference"}
                key = which[etree.QName(tag).localname]
                state.ranges.setdefault(element.get(w("id")), {})[key] = state.position()
        else:
            if tag == w("p"):
                paragraph_depth -= 1
                if paragraph_depth == 0:
                    state.end_paragraph()
            elif tag == w("tbl"):
                state.table_depth -= 1
            elif tag in _CHANGE_TAGS and element.getparent().tag != w("rPr"):
                state.change_stack.pop()
                for identifier in state.ending_after.pop(element, ()):
                    state.open_bookmarks.pop(identifier, None)
    paragraphs = tuple(state.paragraphs)
    return paragraphs, state.ranges, _merge_changes(paragraphs, state.change_info), frozenset(state.covered)


def _merge_changes(paragraphs: tuple[Paragraph, ...], info: dict[int, tuple[str, str, str]]) -> tuple[Change, ...]:
    """Turn the changed pieces into changes, merging neighbours by the same author at the same time."""
    changes: list[Change] = []
    for paragraph in paragraphs:
        original_offset = 0
        previous: Change | None = None
        for number, piece in enumerate(paragraph.pieces):
            if piece.status == "same":
                previous = None
                original_offset += len(piece.text)
                continue
            status, author, date = info[piece.change]
            kind = "insertion" if piece.status == "inserted" else "deletion"
            length = len(piece.text) if kind == "deletion" else 0
            if previous and (previous.kind, previous.author, previous.date) == (kind, author, date):
                merged = Change(kind, author, date, previous.text + piece.text, paragraph.index,
                                previous.start, previous.end + length, previous.anchors, previous.pieces + (number,))
                changes[-1] = previous = merged
            else:
                previous = Change(kind, author, date, piece.text, paragraph.index,
                                  original_offset, original_offset + length, piece.anchors, (number,))
                changes.append(previous)
            original_offset += length
    return tuple(changes)


def _read_comments(xml: bytes | None, ranges: dict, path: Path) -> tuple[tuple[Comment, ...], dict[str, str]]:
    """Read word/comments.xml; return the comments and a map w14:paraId -> comment id."""
    if not xml:
        return (), {}
    root = _parse(xml, "word/comments.xml", path)
    comments, para_ids = [], {}
    for element in root.iter(w("comment")):
        if len(comments) >= MAX_COMMENTS:
            raise NotADocx(f"{path}: it holds more than {MAX_COMMENTS:,} comments, more than Charter lists; "
                           "resolve or delete some in Word or LibreOffice and save again")
        cid = element.get(w("id"))
        paragraphs = element.findall(f".//{w('p')}")
        text = "\n".join(
            "".join(t.text or "" for t in p.iter(w("t"))) for p in paragraphs
        ).strip()
        if len(text) > MAX_COMMENT:
            raise NotADocx(f"{path}: comment {str(cid)[:20]} by {element.get(w('author'), 'unknown')[:80]} is "
                           f"{len(text):,} characters long, more than the {MAX_COMMENT:,} a comment may have; "
                           "shorten it (or move the text into the document) and save again")
        para_id = paragraphs[-1].get(f"{{{W14}}}paraId") if paragraphs else None
        for p in paragraphs:
            if p.get(f"{{{W14}}}paraId"):
                para_ids[p.get(f"{{{W14}}}paraId")] = cid
        where = ranges.get(cid, {})
        start = where.get("start") or where.get("reference")
        end = where.get("end") or where.get("reference") or start
        comments.append(Comment(cid, element.get(w("author"), ""), element.get(w("date"), ""),
                                element.get(w("initials"), ""), text, para_id, start, end))
    return tuple(comments), para_ids


def _read_threads(xml: bytes | None, para_ids: dict[str, str], path: Path) -> tuple[dict, bool]:
    """Read reply links from word/commentsExtended.xml (Word writes it; LibreOffice 7.x drops it)."""
    if not xml:
        return {}, False
    root = _parse(xml, "word/commentsExtended.xml", path)
    parents = {}
    for entry in root.iter(f"{{{W15}}}commentEx"):
        parent = entry.get(f"{{{W15}}}paraIdParent")
        child = para_ids.get(entry.get(f"{{{W15}}}paraId", ""))
        if parent and child and parent in para_ids:
            parents[child] = para_ids[parent]
    return parents, True


# ------------------------------------------------------------------ the manifest inside the DOCX


def _find_manifest(parts: dict[str, bytes], path: Path) -> object | None:
    """Return the anchor manifest (parsed JSON, not yet checked) from the custom XML parts; None when it is gone."""
    for name, data in sorted(parts.items()):
        if not (name.startswith("customXml/item") and name.endswith(".xml")) or "Props" in name:
            continue
        try:
            root = _parse(data, name, path)
        except NotADocx:
            if any(mark in data for mark in _DTD_MARKS):
                raise
            continue  # some other program's damaged part: not ours to judge
        if root.tag == f"{{{MANIFEST_NS}}}manifest":
            try:
                return json.loads(root.text or "")
            except (json.JSONDecodeError, RecursionError, ValueError):
                raise NotADocx(f"{path}: the anchor map inside it ({name}) is damaged (not valid JSON), so no "
                               "change can be traced or applied; ask for the file again, or trace the remarks "
                               "by hand") from None
    return None


def embed_manifest(docx_path: Path, manifest: dict) -> None:
    """Store the anchor manifest inside the DOCX as a custom XML part (rewrites the file deterministically).

    Custom XML parts survive a re-save in Word and in LibreOffice (tested), unlike
    custom document properties, whose values Word cuts at 255 characters. The zip
    keeps its entry order, gets fixed timestamps, and a second call replaces the
    manifest rather than adding another.
    """
    docx_path = Path(docx_path)
    with zipfile.ZipFile(docx_path) as package:
        entries = [(info.filename, package.read(info.filename)) for info in package.infolist()]
    docx_path.write_bytes(package_with_manifest(entries, manifest))


def package_with_manifest(entries: list[tuple[str, bytes]], manifest: dict) -> bytes:
    """The DOCX's parts (name and bytes, in order) zipped with the manifest in them (``embed_manifest``)."""
    parts = dict(entries)
    item = _manifest_item_name(parts)
    payload = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1)
    root = etree.Element(f"{{{MANIFEST_NS}}}manifest", nsmap={None: MANIFEST_NS})
    root.text = payload
    number = item[len("customXml/item"):-len(".xml")]
    props = f"customXml/itemProps{number}.xml"
    new_parts = {
        item: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
        props: (
            '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<ds:datastoreItem ds:itemID="{MANIFEST_ITEM_ID}" xmlns:ds="{DS}">'
            f'<ds:schemaRefs><ds:schemaRef ds:uri="{MANIFEST_NS}"/></ds:schemaRefs></ds:datastoreItem>'
        ).encode(),
        f"customXml/_rels/item{number}.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{REL}"><Relationship Id="rId1" Type="{CUSTOM_XML_PROPS_REL}" '
            f'Target="itemProps{number}.xml"/></Relationships>'
        ).encode(),
        "word/_rels/document.xml.rels": _with_relationship(parts["word/_rels/document.xml.rels"], f"../{item}"),
        "[Content_Types].xml": _with_override(parts["[Content_Types].xml"], f"/{props}"),
    }
    names = [name for name, _ in entries] + [n for n in new_parts if n not in parts]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, new_parts.get(name, parts.get(name)))
    return buffer.getvalue()


def _manifest_item_name(parts: dict[str, bytes]) -> str:
    """The custom XML item holding our manifest: the existing one, else the first free number."""
    for name, data in parts.items():
        if name.startswith("customXml/item") and "Props" not in name and name.endswith(".xml"):
            if f"{{{MANIFEST_NS}}}manifest".encode() in data or MANIFEST_NS.encode() in data:
                return name
    number = 1
    while f"customXml/item{number}.xml" in parts:
        number += 1
    return f"customXml/item{number}.xml"


def _with_relationship(rels_xml: bytes, target: str) -> bytes:
    root = etree.fromstring(rels_xml, _PARSER)
    for rel in root:
        if rel.get("Type") == CUSTOM_XML_REL and rel.get("Target") == target:
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    ids = {rel.get("Id") for rel in root}
    number = 1
    while f"rIdCharter{number}" in ids:
        number += 1
    etree.SubElement(root, f"{{{REL}}}Relationship", Id=f"rIdCharter{number}", Type=CUSTOM_XML_REL, Target=target)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _with_override(types_xml: bytes, part_name: str) -> bytes:
    root = etree.fromstring(types_xml, _PARSER)
    if not any(o.get("PartName") == part_name for o in root.iter(f"{{{CT}}}Override")):
        etree.SubElement(root, f"{{{CT}}}Override", PartName=part_name, ContentType=CUSTOM_XML_PROPS_TYPE)
    if not any(d.get("Extension") == "xml" for d in root.iter(f"{{{CT}}}Default")):
        etree.SubElement(root, f"{{{CT}}}Default", Extension="xml", ContentType="application/xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
