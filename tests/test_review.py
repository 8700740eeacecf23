"""invoke review: comments and tracked changes in a returned DOCX, traced back to their sources.

The returned DOCX is made the way the build makes it (pandoc, bookmarks from
div and span ids, the manifest embedded), annotated the way co-authors do
(python-docx comments; tracked changes and replies written into the XML as
Word writes them), and then opened and re-saved by LibreOffice, so the
anchors have to survive a real word processor.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import docx
import pypandoc
import pytest
from lxml import etree

from charter.revision import review
from charter.revision.docx_review import W, W14, W15, embed_manifest, read_docx
from conftest import write_files

SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# ------------------------------------------------------------------ the project and its "built" DOCX

METHOD_MD = """\
# Method

We searched five databases and included {{ n.included }} studies
after screening the full texts.

Second paragraph, *emphasis*, and more text
that continues on a second line.

A third paragraph describes how two reviewers charted the data independently.
"""

FINDINGS_MD = """\
# Findings

Studies came from many countries, and most were qualitative interviews.
"""

METADATA_YAML = """\
title: Social support and recovery
authors:
  - name: Ann Author
abstract: |
  Background: social support matters for recovery.
"""

STUDY_YAML = """\
id: puyat2013
theme: a
country: Canada
design:
  orientation: quantitative
  method: Logistic regression on a national health survey
research_question: Is the influence of social support on mental health the same for immigrants?
participants:
  description: Adults in a national population survey
  n: 412
findings:
  - Low support went with higher odds of mood disorder.
validity:
  internal: Cross-sectional.
  external: Population-based sample.
keywords: [social support]
"""

BIB = """\
@article{puyat2013,
  author = {Puyat, Joseph H.},
  title = {Is the influence of social support on mental health the same for immigrants and non-immigrants?},
  journal = {Journal of Immigrant and Minority Health},
  year = {2013},
}

@article{baiden2017,
  author = {Baiden, Philip and Fallon, Barbara},
  title = {Examining the association between social support and mental health},
  journal = {Social Psychiatry},
  year = {2017},
}
"""

# What the build emits for these sources: each block a div, each cell and
# title-page item a span, the reference list as pandoc's citeproc writes it.
BUILT_MD = """\
---
title: "[Social support and recovery]{#ch_m0001}"
abstract: |
  ::: {#ch_m0002}
  Background: social support matters for recovery.
  :::
---

::: {#ch_p0001}
We searched five databases and included 29 studies after screening the full texts.
:::

::: {#ch_p0002}
Second paragraph, *emphasis*, and more text that continues on a second line.
:::

::: {#ch_p0003}
A third paragraph describes how two reviewers charted the data independently.
:::

::: {#ch_p0004}
Studies came from many countries, and most were qualitative interviews.
:::

| Study | Participants | Findings |
|---|---|---|
| [Puyat 2013 (Canada)]{#ch_t0001} | [Adults in a national population survey (n = 412)]{#ch_t0002} | [Low support went with higher odds of mood disorder.]{#ch_t0003} |

::: {#refs}
::: {#ref-puyat2013}
Puyat, J. H. (2013). Is the influence of social support on mental health the same for immigrants and non-immigrants? *Journal of Immigrant and Minority Health*.
:::

Baiden, P., & Fallon, B. (2017). Examining the association between social support and mental health. *Social Psychiatry*.
:::
"""

MANIFEST = {
    "version": 1,
    "anchors": {
        "ch_m0001": {"kind": "metadata", "source": "manuscript/metadata.yaml", "field": "title", "line": 1,
                     "text": "Social support and recovery"},
        "ch_m0002": {"kind": "metadata", "source": "manuscript/metadata.yaml", "field": "abstract", "line": 4,
                     "text": "Background: social support matters for recovery."},
        "ch_p0001": {"kind": "prose", "source": "manuscript/02-method.md", "line": 3, "field": None,
                     "text": "We searched five databases and included {{ n.included }} studies\n"
                             "after screening the full texts.",
                     "placeholders": [{"name": "included", "text": "29"}]},
        "ch_p0002": {"kind": "prose", "source": "manuscript/02-method.md", "line": 6, "field": None,
                     "text": "Second paragraph, *emphasis*, and more text\nthat continues on a second line.",
                     "placeholders": []},
        "ch_p0003": {"kind": "prose", "source": "manuscript/02-method.md", "line": 9, "field": None,
                     "text": "A third paragraph describes how two reviewers charted the data independently.",
                     "placeholders": []},
        "ch_p0004": {"kind": "prose", "source": "manuscript/03-findings.md", "line": 3, "field": None,
                     "text": "Studies came from many countries, and most were qualitative interviews.",
                     "placeholders": []},
        "ch_t0001": {"kind": "table", "source": "studies/puyat2013.yaml", "field": "country", "line": 3,
                     "text": "Puyat 2013 (Canada)"},
        "ch_t0002": {"kind": "table", "source": "studies/puyat2013.yaml", "field": "participants.n", "line": 10,
                     "text": "Adults in a national population survey (n = 412)"},
        "ch_t0003": {"kind": "table", "source": "studies/puyat2013.yaml", "field": "findings.0", "line": 12,
                     "text": "Low support went with higher odds of mood disorder."},
        "ch_f0001": {"kind": "figure", "source": "review.yaml", "field": "prisma"},
    },
}


def project(root: Path) -> Path:
    """The sources the DOCX was built from."""
    return write_files(root, {
        "manuscript/02-method.md": METHOD_MD,
        "manuscript/03-findings.md": FINDINGS_MD,
        "manuscript/metadata.yaml": METADATA_YAML,
        "studies/puyat2013.yaml": STUDY_YAML,
        "bib/included.bib": BIB,
    })


def built_docx(root: Path) -> Path:
    """build/manuscript.docx and build/manuscript.anchors.json, made as the build makes them."""
    out = root / "build" / "manuscript.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    pypandoc.convert_text(BUILT_MD, "docx", format="markdown", outputfile=str(out))
    embed_manifest(out, MANIFEST)
    (root / "build" / "manuscript.anchors.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    return out


# ------------------------------------------------------------------ what co-authors do


def paragraph_with(document, text: str):
    """The python-docx paragraph (body or table cell) containing text."""
    candidates = list(document.paragraphs) + [
        p for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    found = [p for p in candidates if text in p.text]
    assert len(found) == 1, f"{text!r} is in {len(found)} paragraphs"
    return found[0]


def add_comments(path: Path, comments: list[tuple[str, str, str]], date: str = "2024-04-30T08:00:00Z") -> None:
    """Comment on the whole paragraph containing each text: (text, comment, author)."""
    document = docx.Document(str(path))
    for text, remark, author in comments:
        paragraph = paragraph_with(document, text)
        comment = document.add_comment(paragraph.runs, text=remark, author=author, initials=author[:1])
        comment._comment_elm.set(_w("date"), date)  # python-docx stamps "now"; a fixed date keeps tests exact
    document.save(str(path))


class Package:
    """The parts of a DOCX, edited in memory and written back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.names = z.namelist()
            self.parts = {n: z.read(n) for n in self.names}
        self.document = etree.fromstring(self.parts["word/document.xml"])

    def xml(self, name: str):
        return etree.fromstring(self.parts[name])

    def save(self) -> None:
        self.parts["word/document.xml"] = etree.tostring(self.document, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as z:
            for name in self.names + [n for n in self.parts if n not in self.names]:
                z.writestr(name, self.parts[name])


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_change_ids = iter(range(900, 10_000))


def _run(content: str, properties=None, deleted: bool = False):
    """A w:r holding content (w:delText when deleted), with a copy of the run properties it replaces."""
    element = etree.Element(_w("r"))
    if properties is not None:
        element.append(copy.deepcopy(properties))
    t = etree.SubElement(element, _w("delText" if deleted else "t"))
    t.text = content
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return element


def _tracked(tag: str, child, author: str, date: str):
    """child wrapped in a w:ins or w:del by author at date, as Word writes a tracked change."""
    element = etree.Element(_w(tag))
    for key, value in (("id", str(next(_change_ids))), ("author", author), ("date", date)):
        element.set(_w(key), value)
    element.append(child)
    return element


def track_change(path: Path, old: str, new: str, author: str, date: str = "2024-05-01T10:00:00Z",
                 after: str = "") -> None:
    """Replace old by new as a tracked change, as Word writes it (w:del then w:ins in the run's place).

    With old == "" the insertion goes right after the text ``after``.
    """
    package = Package(path)
    target = old or after
    runs = [r for r in package.document.iter(_w("r")) if target in "".join(t.text or "" for t in r.iter(_w("t")))]
    if not runs and old:  # the phrase spans runs (a number the build marked is a run of its own)
        _track_change_across_runs(package, old, new, author, date)
        return
    assert runs, f"no run contains {target!r}"
    run = runs[0]
    text = "".join(t.text or "" for t in run.iter(_w("t")))
    at = text.index(target) + (0 if old else len(after))
    before, after_text = text[:at], text[at + len(old):]
    properties = run.find(_w("rPr"))

    pieces = []
    if before:
        pieces.append(_run(before, properties))
    if old:
        pieces.append(_tracked("del", _run(old, properties, deleted=True), author, date))
    if new:
        pieces.append(_tracked("ins", _run(new, properties), author, date))
    if after_text:
        pieces.append(_run(after_text, properties))
    parent, index = run.getparent(), run.getparent().index(run)
    parent.remove(run)
    for offset, piece in enumerate(pieces):
        parent.insert(index + offset, piece)
    package.save()


def _track_change_across_runs(package, old: str, new: str, author: str, date: str) -> None:
    """track_change for a phrase over several runs of one paragraph: each run's share of it is deleted in its
    place (bookmarks between the runs stay where they are), the new text is inserted after the last."""
    def text_of(run) -> str:
        return "".join(t.text or "" for t in run.iter(_w("t")))

    for paragraph in package.document.iter(_w("p")):
        runs = [r for r in paragraph if r.tag == _w("r")]
        joined = "".join(text_of(r) for r in runs)
        if old not in joined:
            continue
        start = joined.index(old)
        end, offset, last = start + len(old), 0, None
        for run in runs:
            text = text_of(run)
            lo, hi = max(start - offset, 0), min(end - offset, len(text))
            offset += len(text)
            if lo >= hi:
                continue
            properties = run.find(_w("rPr"))
            pieces = []
            for content, deleted in ((text[:lo], False), (text[lo:hi], True), (text[hi:], False)):
                if not content:
                    continue
                element = _run(content, properties, deleted)
                pieces.append((_tracked("del", element, author, date) if deleted else element, deleted))
            index = paragraph.index(run)
            paragraph.remove(run)
            for n, (element, deleted) in enumerate(pieces):
                paragraph.insert(index + n, element)
                if deleted:
                    last = element
        last.addnext(_tracked("ins", _run(new), author, date))
        package.save()
        return
    raise AssertionError(f"no paragraph contains {old!r}")


def add_reply(path: Path, to_text: str, reply: str, author: str, date: str = "2024-05-02T09:00:00Z") -> None:
    """Answer the comment whose text is to_text, as Word does: same range, linked in commentsExtended.xml."""
    package = Package(path)
    comments = package.xml("word/comments.xml")
    parent = next(c for c in comments if "".join(t.text or "" for t in c.iter(_w("t"))) == to_text)
    parent_id = parent.get(_w("id"))
    new_id = str(max(int(c.get(_w("id"))) for c in comments) + 1)
    for number, comment in enumerate(comments, start=1):  # Word gives every comment paragraph a paraId
        for p in comment.iter(_w("p")):
            p.set(f"{{{W14}}}paraId", f"{number:08X}")
    element = etree.SubElement(comments, _w("comment"))
    element.set(_w("id"), new_id)
    element.set(_w("author"), author)
    element.set(_w("date"), date)
    element.set(_w("initials"), author[:1])
    paragraph = etree.SubElement(element, _w("p"))
    paragraph.set(f"{{{W14}}}paraId", "7FFFFFF0")
    etree.SubElement(etree.SubElement(paragraph, _w("r")), _w("t")).text = reply
    package.parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8",
                                                        standalone=True)
    parent_para = parent.findall(f".//{_w('p')}")[-1].get(f"{{{W14}}}paraId")
    entries = "".join(
        f'<w15:commentEx w15:paraId="{p.get(f"{{{W14}}}paraId")}" w15:done="0"'
        + (f' w15:paraIdParent="{parent_para}"' if p.get(f"{{{W14}}}paraId") == "7FFFFFF0" else "") + "/>"
        for c in comments for p in c.iter(_w("p")))
    package.parts["word/commentsExtended.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:commentsEx xmlns:w15="{W15}">'
        f"{entries}</w15:commentsEx>").encode()
    if "commentsExtended" not in package.parts["[Content_Types].xml"].decode():
        package.parts["[Content_Types].xml"] = package.parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/word/commentsExtended.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"/></Types>')
        package.parts["word/_rels/document.xml.rels"] = package.parts["word/_rels/document.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdReplies" Type="http://schemas.microsoft.com/office/2011/'
                                 b'relationships/commentsExtended" Target="commentsExtended.xml"/></Relationships>')
    # the reply covers the same text as its parent
    for tag in ("commentRangeStart", "commentRangeEnd"):
        mark = next(e for e in package.document.iter(_w(tag)) if e.get(_w("id")) == parent_id)
        twin = etree.Element(_w(tag))
        twin.set(_w("id"), new_id)
        mark.addnext(twin)
    reference = next(e for e in package.document.iter(_w("commentReference")) if e.get(_w("id")) == parent_id)
    run = etree.Element(_w("r"))
    etree.SubElement(run, _w("commentReference")).set(_w("id"), new_id)
    reference.getparent().addnext(run)
    package.save()


def resave_with_libreoffice(path: Path, out_dir: Path) -> Path:
    """Open and save the DOCX in LibreOffice (headless), as a co-author using LibreOffice would."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir.parent / f"lo_profile_{uuid.uuid4().hex}"
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to",
         "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True)
    shutil.rmtree(profile, ignore_errors=True)
    result = out_dir / path.name
    assert result.exists(), "LibreOffice did not write the file"
    return result


# ------------------------------------------------------------------ one annotated file, shared


def annotate(path: Path) -> None:
    """What two co-authors did: comments, a reply and tracked changes in prose, Table 1 and the title page."""
    add_comments(path, [
        ("We searched five databases", "Which five? Name them.", "Ann Reviewer"),
        ("Adults in a national population survey", "Is n = 412 the analysed sample?", "Bob Coauthor"),
        ("Social support and recovery", "Shorter title?", "Bob Coauthor"),
        ("Puyat, J. H. (2013)", "Journal name is abbreviated elsewhere.", "Ann Reviewer"),
    ])
    add_reply(path, "Which five? Name them.", "CINAHL, PsycINFO, Medline, SocINDEX, Web of Science.", "Cora Lead")
    track_change(path, "more", "less", "Ann Reviewer")  # prose, second line of the paragraph in the source
    track_change(path, "29", "30", "Bob Coauthor")  # a number a placeholder made
    track_change(path, "412", "415", "Bob Coauthor")  # a Table 1 cell
    track_change(path, "", " and wellbeing", "Cora Lead", after="recovery")  # the title
    track_change(path, "matters", "is central", "Cora Lead")  # the abstract


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(project root, the annotated DOCX as Word would save it, the same re-saved by LibreOffice)."""
    root = project(tmp_path_factory.mktemp("review"))
    annotated = root / "returned" / "ann.docx"
    annotated.parent.mkdir()
    shutil.copy(built_docx(root), annotated)
    annotate(annotated)
    resaved = resave_with_libreoffice(annotated, root / "libreoffice") if SOFFICE else None
    return root, annotated, resaved


def items_of(root: Path, path: Path) -> list[review.ReviewItem]:
    items, messages, _ = review.collect(root, [str(path)])
    assert messages == []
    return items


def by_text(items) -> dict[str, review.ReviewItem]:
    return {item.text: item for item in items}


EXPECTED = [
    # (kind, text, source)
    ("comment", "Which five? Name them.", "manuscript/02-method.md:3"),
    ("reply", "CINAHL, PsycINFO, Medline, SocINDEX, Web of Science.", "manuscript/02-method.md:3"),
    ("comment", "Is n = 412 the analysed sample?", "studies/puyat2013.yaml: participants.n"),
    ("comment", "Shorter title?", "manuscript/metadata.yaml: title"),
    ("comment", "Journal name is abbreviated elsewhere.", "bib/included.bib: puyat2013"),
    ("deletion", "more", "manuscript/02-method.md:6"),
    ("insertion", "less", "manuscript/02-method.md:6"),
    ("deletion", "29", "manuscript/02-method.md:3"),
    ("insertion", "30", "manuscript/02-method.md:3"),
    ("deletion", "412", "studies/puyat2013.yaml: participants.n"),
    ("insertion", "415", "studies/puyat2013.yaml: participants.n"),
    ("insertion", " and wellbeing", "manuscript/metadata.yaml: title"),
    ("deletion", "matters", "manuscript/metadata.yaml: abstract"),
    ("insertion", "is central", "manuscript/metadata.yaml: abstract"),
]


def assert_sources(items) -> None:
    found = by_text(items)
    for kind, text, source in EXPECTED:
        assert text in found, f"{kind} {text!r} not reported"
        item = found[text]
        assert (item.kind, item.source, item.approximate) == (kind, source, False), item
    assert len(items) == len(EXPECTED)


def test_sources_exact_as_word_saves_it(returned):
    root, annotated, _ = returned
    assert_sources(items_of(root, annotated))


@needs_libreoffice
def test_sources_exact_after_libreoffice_resave(returned):
    root, _, resaved = returned
    assert_sources(items_of(root, resaved))


@needs_libreoffice
def test_manifest_survives_libreoffice(returned):
    root, _, resaved = returned
    assert read_docx(resaved).manifest == MANIFEST


@needs_libreoffice
@pytest.mark.parametrize("which", ["word", "libreoffice"])
def test_reply_is_threaded_under_its_comment(returned, which):
    root, annotated, resaved = returned
    items = items_of(root, annotated if which == "word" else resaved)
    comment, reply = by_text(items)["Which five? Name them."], by_text(items)[
        "CINAHL, PsycINFO, Medline, SocINDEX, Web of Science."]
    assert reply.reply_to == comment.id
    assert reply.reviewer == "Cora Lead" and comment.reviewer == "Ann Reviewer"
    text = review.format_text(items)
    assert text.index("Which five? Name them.") < text.index("CINAHL, PsycINFO")


def test_who_when_and_what_was_commented_on(returned):
    root, annotated, _ = returned
    items = by_text(items_of(root, annotated))
    comment = items["Which five? Name them."]
    assert comment.reviewer == "Ann Reviewer"
    assert comment.quote == "We searched five databases and included 30 studies after screening the full texts."
    deletion = items["matters"]
    assert (deletion.reviewer, deletion.date) == ("Cora Lead", "2024-05-01T10:00:00Z")


@needs_libreoffice
def test_edits_to_data_are_flagged_with_the_field_to_change(returned):
    root, _, resaved = returned
    items = by_text(items_of(root, resaved))
    assert items["415"].edit_source == (
        "edit the source, not the text: change studies/puyat2013.yaml: participants.n, then rebuild")
    assert items["29"].edit_source == (
        "edit the source, not the text: '29' is {{ n.included }}, counted from the number of study files in "
        "studies/; change the data, then rebuild")
    assert items["30"].edit_source == items["29"].edit_source
    assert items["less"].edit_source == "" and items["is central"].edit_source == ""


def test_text_output_groups_by_source_file(returned):
    root, annotated, _ = returned
    text = review.format_text(items_of(root, annotated))
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert headings == ["manuscript/metadata.yaml", "manuscript/02-method.md", "studies/puyat2013.yaml",
                        "bib/included.bib"]
    assert ('manuscript/02-method.md\n'
            '  line 3  comment by Ann Reviewer, 2024-04-30 08:00\n'
            '      on: "We searched five databases and included 30 studies after screening the full texts."\n'
            '      Which five? Name them.\n'
            '      line 3  reply by Cora Lead, 2024-05-02 09:00\n'
            '          CINAHL, PsycINFO, Medline, SocINDEX, Web of Science.\n') in text
    assert ('  line 6  deletion by Ann Reviewer, 2024-05-01 10:00\n'
            '      deleted: "more"\n'
            '      in: "Second paragraph, emphasis, and [-more-]{+less+} text that continues on a second…"\n'
            ) in text


def test_csv_and_json_carry_the_same_items(returned, capsys):
    root, annotated, _ = returned
    assert review.main(root, [str(annotated)], fmt="json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {(i["kind"], i["text"], i["source"]) for i in data["items"]} == {(k, t, s) for k, t, s in EXPECTED}
    assert review.main(root, [str(annotated)], fmt="csv") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(review.CSV_COLUMNS)
    assert len(lines) == len(EXPECTED) + 1


def test_several_files_merge_into_one_list_with_each_reviewer(tmp_path, capsys):
    root = project(tmp_path)
    built = built_docx(root)
    first, second = tmp_path / "from_ann.docx", tmp_path / "from_bob.docx"
    shutil.copy(built, first)
    shutil.copy(built, second)
    add_comments(first, [("A third paragraph", "Say who the two reviewers were.", "Ann Reviewer")])
    track_change(second, "many", "eleven", "Bob Coauthor")
    assert review.main(root, [str(first), str(second)], fmt="json") == 0
    items = json.loads(capsys.readouterr().out)["items"]
    assert [(i["docx"], i["reviewer"], i["kind"], i["source"]) for i in items] == [
        ("from_ann.docx", "Ann Reviewer", "comment", "manuscript/02-method.md:9"),
        ("from_bob.docx", "Bob Coauthor", "deletion", "manuscript/03-findings.md:3"),
        ("from_bob.docx", "Bob Coauthor", "insertion", "manuscript/03-findings.md:3"),
    ]


# ------------------------------------------------------------------ when the anchor is gone


def destroy_anchor(path: Path, name: str) -> None:
    """Retype the paragraph around a bookmark without tracking, so its bookmark is gone."""
    package = Package(path)
    starts = [e for e in package.document.iter(_w("bookmarkStart")) if e.get(_w("name")) == name]
    assert starts, f"no bookmark {name}"
    bookmark_id = starts[0].get(_w("id"))
    for element in list(package.document.iter(_w("bookmarkStart"), _w("bookmarkEnd"))):
        if element.get(_w("id")) == bookmark_id:
            element.getparent().remove(element)
    package.save()


@needs_libreoffice
def test_lost_anchor_is_found_by_text_and_marked_approximate(tmp_path, capsys):
    root = project(tmp_path)
    path = tmp_path / "edited.docx"
    shutil.copy(built_docx(root), path)
    # The co-author rewrote the paragraph (no tracking) and merged its neighbour's anchor away.
    destroy_anchor(path, "ch_p0003")
    package = Package(path)
    for t in package.document.iter(_w("t")):
        if t.text and t.text.startswith("A third paragraph"):
            t.text = "The third paragraph describes how two reviewers charted all the data independently."
    package.save()
    add_comments(path, [("charted all the data", "Which software?", "Ann Reviewer")])
    track_change(path, "independently", "separately", "Ann Reviewer")
    resaved = resave_with_libreoffice(path, tmp_path / "lo")
    assert "ch_p0003" not in read_docx(resaved).bookmarks
    items = by_text(items_of(root, resaved))
    for text in ("Which software?", "independently", "separately"):
        assert (items[text].source, items[text].approximate) == ("manuscript/02-method.md:9", True)
    assert "approximate: anchor lost" in review.format_text(list(items.values()))
    # an approximate place is never written to
    assert review.main(root, [str(resaved)], apply=True, force=True) == 1
    assert (root / "manuscript/02-method.md").read_text() == METHOD_MD
    assert ('not applied (Ann Reviewer: "independently" → "separately"): its paragraph\'s anchor is gone or '
            'shared, so its source line is not certain; make this change by hand') in capsys.readouterr().out


def test_untraceable_text_is_not_given_a_place(tmp_path):
    root = project(tmp_path)
    path = tmp_path / "edited.docx"
    shutil.copy(built_docx(root), path)
    destroy_anchor(path, "ch_p0004")
    package = Package(path)
    for t in package.document.iter(_w("t")):
        if t.text and t.text.startswith("Studies came from"):
            t.text = "Entirely new words about something else altogether, nothing alike."
    package.save()
    add_comments(path, [("Entirely new words", "Where does this come from?", "Ann Reviewer")])
    item = by_text(items_of(root, path))["Where does this come from?"]
    assert (item.source, item.approximate) == ("", False)
    assert "Not traced to a source" in review.format_text([item])


def test_comment_across_two_paragraphs_belongs_to_the_first(tmp_path):
    root = project(tmp_path)
    path = tmp_path / "returned.docx"
    shutil.copy(built_docx(root), path)
    document = docx.Document(str(path))
    first = paragraph_with(document, "Second paragraph").runs[-1]
    last = paragraph_with(document, "A third paragraph").runs[0]
    document.add_comment([first, last], text="Merge these two?", author="Ann Reviewer")
    document.save(str(path))
    item = by_text(items_of(root, path))["Merge these two?"]
    assert (item.source, item.approximate) == ("manuscript/02-method.md:6", False)
    assert item.quote == (", and more text that continues on a second line.\n"
                          "A third paragraph describes how two reviewers charted the data independently.")


@pytest.mark.parametrize("inside", [True, False], ids=["inside-the-anchor", "after-the-anchor"])
def test_inserted_paragraph_is_placed_after_the_one_before_it_approximately(tmp_path, inside):
    root = project(tmp_path)
    path = tmp_path / "returned.docx"
    shutil.copy(built_docx(root), path)
    package = Package(path)
    before = next(p for p in package.document.iter(_w("p"))
                  if "".join(t.text or "" for t in p.iter(_w("t"))).startswith("Second paragraph"))
    new = etree.fromstring(
        f'<w:p xmlns:w="{W}"><w:pPr><w:rPr><w:ins w:id="801" w:author="Cora Lead" w:date="2024-05-03T10:00:00Z"/>'
        f'</w:rPr></w:pPr><w:ins w:id="802" w:author="Cora Lead" w:date="2024-05-03T10:00:00Z"><w:r>'
        f"<w:t>A new paragraph on the charting form.</w:t></w:r></w:ins></w:p>")
    if not inside:  # pandoc closes the paragraph's bookmark after the paragraph
        before = before.getnext()
        assert before.tag == _w("bookmarkEnd")
    before.addnext(new)
    package.save()
    items = items_of(root, path)
    assert [(i.kind, i.text, i.source, i.approximate) for i in items] == [
        ("insertion", "A new paragraph on the charting form.", "manuscript/02-method.md:6", True)]


def test_reference_entry_without_its_bookmark_is_matched_by_author_year_and_title(tmp_path):
    root = project(tmp_path)
    path = tmp_path / "returned.docx"
    shutil.copy(built_docx(root), path)  # the Baiden entry has no ref- bookmark
    add_comments(path, [("Baiden, P., & Fallon, B. (2017)", "Add the DOI.", "Ann Reviewer")])
    item = by_text(items_of(root, path))["Add the DOI."]
    assert (item.source, item.approximate) == ("bib/included.bib: baiden2017", True)


# ------------------------------------------------------------------ the manifest


def test_embed_manifest_is_deterministic_and_replaces_itself(tmp_path):
    root = project(tmp_path)
    built = built_docx(root)
    first = built.read_bytes()
    embed_manifest(built, MANIFEST)
    assert built.read_bytes() == first
    changed = {**MANIFEST, "version": 2}
    embed_manifest(built, changed)
    assert read_docx(built).manifest == changed
    with zipfile.ZipFile(built) as z:
        assert sum(n.startswith("customXml/item") and "Props" not in n for n in z.namelist()) == 1
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    docx.Document(str(built))  # still a valid document


def test_manifest_falls_back_to_the_build_folder(tmp_path, capsys):
    root = project(tmp_path)
    built = built_docx(root)
    stripped = tmp_path / "stripped.docx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(stripped, "w") as out:
        for name in source.namelist():  # an editor that keeps the part but not its content
            out.writestr(name, b"<other/>" if name == "customXml/item1.xml" else source.read(name))
    add_comments(stripped, [("A third paragraph", "Fine.", "Ann Reviewer")])
    assert review.main(root, [str(stripped)], fmt="json") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["items"][0]["source"] == "manuscript/02-method.md:9"
    assert captured.err == (
        f"{stripped}: the anchor map is not inside this file (its editor dropped it); using "
        "build/manuscript.anchors.json, which fits only if you have not rebuilt since you sent the file out\n")


def test_missing_and_broken_files_are_reported(tmp_path, capsys):
    root = project(tmp_path)
    (tmp_path / "notes.docx").write_text("not a zip")
    assert review.main(root, [str(tmp_path / "absent.docx"), str(tmp_path / "notes.docx")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{tmp_path / 'absent.docx'}: no such file; give the path of the DOCX a co-author returned"
    assert err[1].startswith(f"{tmp_path / 'notes.docx'}: cannot open it as a DOCX")


# ------------------------------------------------------------------ --apply

from charter.revision.apply import locate  # noqa: E402


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def committed_project(root: Path) -> Path:
    project(root)
    git(root, "init", "-q")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "add", "manuscript", "studies", "bib")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "sources")
    return root


@needs_libreoffice
def test_apply_writes_prose_and_study_text_changes_back_and_prints_the_diff(tmp_path, capsys):
    root = committed_project(tmp_path / "project")
    path = tmp_path / "returned.docx"
    shutil.copy(built_docx(root), path)
    track_change(path, "more", "less", "Ann Reviewer")  # on the source's first line of the paragraph
    track_change(path, "", " in Norway", "Ann Reviewer", after="charted the data")
    track_change(path, "mood disorder", "mood or anxiety disorder", "Bob Coauthor")  # Table 1: findings.0
    resaved = resave_with_libreoffice(path, tmp_path / "lo")
    assert review.main(root, [str(resaved)], apply=True) == 0
    out = capsys.readouterr().out
    assert (root / "manuscript/02-method.md").read_text() == METHOD_MD.replace(
        "and more text", "and less text").replace("charted the data", "charted the data in Norway")
    assert (root / "studies/puyat2013.yaml").read_text() == STUDY_YAML.replace(
        "odds of mood disorder", "odds of mood or anxiety disorder")
    assert "-Second paragraph, *emphasis*, and more text\n+Second paragraph, *emphasis*, and less text\n" in out
    assert "+  - Low support went with higher odds of mood or anxiety disorder.\n" in out
    assert out.endswith("Applied 3 tracked changes to the sources.\n")


def test_apply_refuses_data_edits_and_uncommitted_files_unless_forced(tmp_path, capsys):
    root = committed_project(tmp_path / "project")
    path = tmp_path / "returned.docx"
    shutil.copy(built_docx(root), path)
    track_change(path, "29", "30", "Bob Coauthor")
    track_change(path, "412", "415", "Bob Coauthor")
    track_change(path, "independently", "separately", "Ann Reviewer")
    method = root / "manuscript/02-method.md"
    method.write_text(METHOD_MD + "\nAn unsaved new paragraph.\n")  # not committed
    assert review.main(root, [str(path)], apply=True) == 1
    out = capsys.readouterr().out
    assert method.read_text() == METHOD_MD + "\nAn unsaved new paragraph.\n"
    assert (
        'manuscript/02-method.md:3: not applied (Bob Coauthor: "29" → "30"): it changes a number made by '
        '{{ n.included }}; change the data instead\n'
        'studies/puyat2013.yaml: participants.n: not applied (Bob Coauthor: "412" → "415"): it changes data; '
        'edit studies/puyat2013.yaml: participants.n instead\n'
        'manuscript/02-method.md:9: not applied (Ann Reviewer: "independently" → "separately"): the file has '
        'uncommitted changes; commit them first, or use --force\n') in out
    assert review.main(root, [str(path)], apply=True, force=True) == 1  # the data edits are still refused
    assert method.read_text() == METHOD_MD.replace("independently", "separately") + "\nAn unsaved new paragraph.\n"
    assert "Applied 1 tracked change to the sources." in capsys.readouterr().out


@pytest.mark.parametrize("block, paragraph, expected", [
    # paragraph: the rendered text with the changed stretch in ⟦ ⟧; expected: the block with it as []
    pytest.param("Some more text\nand more.", "Some ⟦more text⟧ and more.", "Some []\nand more.", id="unique"),
    pytest.param("and more text and more words", "and more text and ⟦more⟧ words", "and more text and [] words",
                 id="needs-context"),
    pytest.param("furthermore, more", "furthermore, ⟦more⟧", "furthermore, []", id="whole-words-only"),
    pytest.param("one *two* three", "one ⟦two⟧ three", "one *[]* three", id="inside-markup"),
    pytest.param("x " * 30, "x " * 15 + "⟦x⟧ " + "x " * 14, None, id="ambiguous"),
    pytest.param("see {{ n.included }} studies", "see ⟦29⟧ studies", None, id="placeholder"),
    pytest.param("as [@smith2020] found", "as (Smith, ⟦2020⟧) found", None, id="citation"),
])
def test_locate_finds_only_unique_literal_text(block, paragraph, expected):
    start = paragraph.index("⟦")
    end = paragraph.index("⟧") - 1
    found = locate(block, paragraph.replace("⟦", "").replace("⟧", ""), start, end)
    if expected is None:
        assert isinstance(found, str)
    else:
        assert block[:found[0]] + "[]" + block[found[1]:] == expected


# ------------------------------------------------------------------ the real build of the reference review


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory) -> Path:
    """The reference review, built once (DOCX only) for this session."""
    from charter.compile.build import build
    from conftest import copy_reference_review

    root = tmp_path_factory.mktemp("reference") / "review"
    root.mkdir()
    copy_reference_review(root)
    build(root, formats=("docx",), verbose=False)
    return root


def line_of(root: Path, path: str, phrase: str) -> int:
    """The 1-based line of the one line in a source file that contains phrase."""
    lines = [n for n, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), 1) if phrase in line]
    assert len(lines) == 1, f"{phrase!r} is on {len(lines)} lines of {path}"
    return lines[0]


@needs_libreoffice
def test_reference_review_build_traced_after_libreoffice(reference_build, tmp_path):
    root = reference_build
    path = tmp_path / "returned.docx"
    shutil.copy(root / "build" / "manuscript.docx", path)
    add_comments(path, [
        ("Our process followed the stages proposed by", "Cite the update by Levac too?", "Ann Reviewer"),
        ("the same for immigrants as for people born in Canada", "Rephrase as in the paper.", "Bob Coauthor"),
        ("PRISMA-ScR flow diagram", "Add the numbers per database.", "Bob Coauthor"),
        ("Anthony, William A. 1993", "Check the page range.", "Ann Reviewer"),
    ])
    add_reply(path, "Rephrase as in the paper.", "Done in the study file.", "Cora Lead")
    track_change(path, "Each of the twenty-nine", "Each of the thirty", "Bob Coauthor")
    track_change(path, "was read carefully for", "was read for", "Ann Reviewer")
    track_change(path, "stratified by immigrant status", "stratified by immigrant group", "Bob Coauthor")
    resaved = resave_with_libreoffice(path, tmp_path / "lo")
    items = items_of(root, resaved)
    found = {(item.kind, item.text): item for item in items}
    method = "manuscript/02-method.md"
    bib_file = next(b.name for b in (root / "bib").glob("*.bib") if "anthony1993" in b.read_text(encoding="utf-8"))
    expected = {
        ("comment", "Cite the update by Levac too?"): f"{method}:{line_of(root, method, 'Our process followed')}",
        ("comment", "Rephrase as in the paper."): "studies/puyat2013.yaml: research_question",
        ("reply", "Done in the study file."): "studies/puyat2013.yaml: research_question",
        ("comment", "Add the numbers per database."): "review.yaml: prisma",
        ("comment", "Check the page range."): f"bib/{bib_file}: anthony1993",
        ("deletion", "was read carefully for"): f"{method}:{line_of(root, method, 'was read carefully')}",
        ("insertion", "was read for"): f"{method}:{line_of(root, method, 'was read carefully')}",
        ("deletion", "stratified by immigrant status"): "studies/puyat2013.yaml: design.method",
        ("insertion", "stratified by immigrant group"): "studies/puyat2013.yaml: design.method",
        ("deletion", "Each of the twenty-nine"): f"{method}:{line_of(root, method, 'was read carefully')}",
        ("insertion", "Each of the thirty"): f"{method}:{line_of(root, method, 'was read carefully')}",
    }
    assert {key: (found[key].source, found[key].approximate) for key in expected} == {
        key: (source, False) for key, source in expected.items()}
    assert len(items) == len(expected)
    assert found[("insertion", "stratified by immigrant group")].edit_source == (
        "edit the source, not the text: change studies/puyat2013.yaml: design.method, then rebuild")
    assert "{{ n.included }}" in found[("deletion", "Each of the twenty-nine")].edit_source
    assert found[("deletion", "was read carefully for")].edit_source == ""

    # --apply on a copy (not a git repository, hence force): the prose edit and the study's text field
    copy = shutil.copytree(root, tmp_path / "copy")
    study_before = (copy / "studies/puyat2013.yaml").read_text(encoding="utf-8")
    method_before = (copy / method).read_text(encoding="utf-8")
    assert review.main(copy, [str(resaved)], apply=True, force=True) == 1  # the count edit is refused
    assert (copy / method).read_text(encoding="utf-8") == method_before.replace(
        "was read carefully for", "was read for")
    assert (copy / "studies/puyat2013.yaml").read_text(encoding="utf-8") == study_before.replace(
        "stratified by immigrant status", "stratified by immigrant group")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(["a", "b", "more", "text", "ab"]), min_size=1, max_size=30),
       breaks=st.lists(st.booleans(), min_size=30, max_size=30), data=st.data())
def test_locate_never_places_a_change_at_the_wrong_words(words, breaks, data):
    """Whatever the repetition, a located stretch is the very words that were changed, or nothing."""
    block = "".join(w + ("\n" if breaks[i] else " ") for i, w in enumerate(words)).rstrip()
    paragraph = " ".join(words)
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    start, end = starts[first], starts[last] + len(words[last])
    found = locate(block, paragraph, start, end)
    if isinstance(found, str):
        return
    # the same word positions in the block
    block_starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]  # one char per break too
    assert found == (block_starts[first], block_starts[last] + len(words[last]))


from charter.revision.apply import Edit, apply_to_study  # noqa: E402

FOLDED_STUDY = """\
id: x2020
findings:
  - >-
    Low support went with higher
    odds of mood disorder.
"""


PLAIN_STUDY = """\
id: x2020
findings:
  - Low support went with higher odds of mood disorder.
"""


@pytest.mark.parametrize("study, old, new, expected", [
    pytest.param(FOLDED_STUDY, "higher", "greater", FOLDED_STUDY.replace("higher", "greater"), id="folded-scalar"),
    pytest.param(FOLDED_STUDY, "mood disorder", "mood: disorder", FOLDED_STUDY.replace("mood", "mood:"),
                 id="colon-in-folded-scalar"),
    pytest.param(PLAIN_STUDY, "mood disorder", "mood: disorder", None, id="would-become-a-mapping"),
    pytest.param(PLAIN_STUDY, "Low support", "# Low support", None, id="would-become-a-comment"),
])
def test_study_field_edits_are_checked_by_reading_the_yaml_back(study, old, new, expected):
    cell = "Low support went with higher odds of mood disorder."
    start = cell.index(old)
    edit = Edit("studies/x2020.yaml", 3, "findings.0", "", cell, start, start + len(old), new, "Ann Reviewer")
    text, why = apply_to_study(study, edit)
    if expected is None:
        assert (text, why) == (study, "it could not be written into the YAML safely; edit "
                                      "studies/x2020.yaml: findings.0 by hand")
    else:
        assert (text, why) == (expected, "")


def test_a_whole_cell_replaced_in_libreoffice_keeps_its_field(tmp_path):
    # LibreOffice, replacing the whole text of a Table 1 cell, writes the bookmark's end as the first thing
    # inside its insertion: the inserted text was then traced to the study file without its field.
    from test_numbers_docx import lo_edit

    root = project(tmp_path / "review")
    edited = tmp_path / "edited.docx"
    lo_edit(built_docx(root), edited, "Low support went with higher odds of mood disorder.",
            "Low support went with mood disorder.", tmp_path / "home")
    found = by_text(items_of(root, edited))
    assert found["Low support went with higher odds of mood disorder."].source == "studies/puyat2013.yaml: findings.0"
    assert found["Low support went with mood disorder."].source == "studies/puyat2013.yaml: findings.0"
