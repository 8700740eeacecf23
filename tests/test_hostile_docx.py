"""Crafted returned DOCX files: `invoke review` never writes outside the sources, never hangs, never crashes.

Every hostile file starts as a real build of a small project (tests/projects.py
plus a method section) and is then rewritten with zipfile: its anchor map
pointed at tasks.py, .git/config, a path out of the folder or through a
symbolic link; XML parts given external entities or billion laughs; a part of
zeros that unpacks to 1 GB; a comment of a million characters; a truncated or
non-zip file; a map that is not JSON or has the wrong shape. For each: the
message names the file and what is wrong, the exit is non-zero, no file of the
project changed (hashed before and after), and it is over within seconds.
--force is given throughout: it concerns uncommitted changes and lifts none of
these rules.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from charter.checking import check

from charter.revision import review
from charter.revision.anchors import source_kind
from charter.revision.apply import SourceText
from charter.compile.build import build
from charter.revision.docx_review import W
from conftest import REPO, write_files
from projects import minimal_project_files
from test_review import track_change

METHOD_MD = """\
# Method

We charted the data from every included study with a form
that two reviewers tested on five studies first.

The reviewers met weekly to agree on the themes.

{{ table:studies }}
"""
MANIFEST_PART = "customXml/item1.xml"
SECONDS = 10  # "within seconds": CPU seconds each hostile file may cost; a real one takes well under one


def project_files() -> dict[str, str]:
    return {**minimal_project_files(), "manuscript/02-method.md": METHOD_MD}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, bytes]:
    """A small project built once: (its folder, the bytes of its DOCX). Tests copy it."""
    root = write_files(tmp_path_factory.mktemp("built") / "review", project_files())
    build(root, formats=("docx",), verbose=False)
    return root, (root / "build" / "manuscript.docx").read_bytes()


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A fresh copy of the built project, with tasks.py and a git repository, as an author's checkout has."""
    root = shutil.copytree(built[0], tmp_path / "review")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "sources")
    return root


def tree_hash(*folders: Path) -> dict[str, str]:
    """Every file (and link) under the folders, with the hash of its bytes."""
    hashes = {}
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(dirpath) / name
                data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
                hashes[str(path)] = hashlib.sha256(data).hexdigest()
    return hashes


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def write_docx(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def manifest_of(parts: dict[str, bytes]) -> dict:
    text = parts[MANIFEST_PART].decode()
    return json.loads(re.search(r"<manifest[^>]*>(.*)</manifest>", text, re.S).group(1)
                      .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&"))


def with_manifest(parts: dict[str, bytes], manifest_text: str) -> dict[str, bytes]:
    escaped = manifest_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="urn:charter:anchors">{escaped}</manifest>'
    return {**parts, MANIFEST_PART: xml.encode()}


def returned_with_change(project: Path, tmp_path: Path) -> Path:
    """The built DOCX with one tracked change a co-author might make in the method section."""
    path = tmp_path / "returned.docx"
    shutil.copy(project / "build" / "manuscript.docx", path)
    track_change(path, "met weekly", "met every week", "Ann Reviewer")
    return path


def anchor_of(manifest: dict, phrase: str) -> str:
    return next(name for name, entry in manifest["anchors"].items() if phrase in (entry.get("text") or ""))


def run_review(root: Path, docx: Path, capsys, apply: bool = True) -> tuple[int, str]:
    started = time.process_time()  # CPU, not wall: the machine running the tests may be busy with others
    code = review.main(root, [str(docx)], apply=apply, force=True)
    assert time.process_time() - started < SECONDS
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# ------------------------------------------------------------------ an anchor map pointing elsewhere


def test_the_untouched_change_applies(project, tmp_path, capsys):
    """The baseline the hostile cases start from: the same change with the build's map is written."""
    code, output = run_review(project, returned_with_change(project, tmp_path), capsys)
    assert code == 0, output
    assert (project / "manuscript/02-method.md").read_text() == METHOD_MD.replace("met weekly", "met every week")


@pytest.mark.parametrize("target, message", [
    pytest.param("tasks.py", "points at 'tasks.py', which is not a source file of this review", id="tasks.py"),
    pytest.param(".git/config", "points at '.git/config', which is not a source file of this review", id="git"),
    pytest.param("../outside.md", "points at '../outside.md', which is not a source file of this review",
                 id="parent"),
    pytest.param("manuscript/../tasks.py", "points at 'manuscript/../tasks.py', which is not a source file of "
                 "this review", id="climb"),
    pytest.param("/tmp/elsewhere/02-method.md", "points at '/tmp/elsewhere/02-method.md', which is not a source "
                 "file of this review", id="absolute"),
    pytest.param("bib/references.bib", "points at 'bib/references.bib', which is not a source file of this review",
                 id="bib"),
    pytest.param("review.yaml", "(prose) points at 'review.yaml', but a prose anchor can only come from a "
                 "manuscript section (manuscript/*.md)", id="wrong-kind"),
])
def test_manifest_pointing_outside_the_sources_writes_nothing(project, tmp_path, capsys, target, message):
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    manifest = manifest_of(parts)
    anchor = anchor_of(manifest, "met weekly")
    # the crafted entry quotes tasks.py's first line, so only the path can give it away
    manifest["anchors"][anchor].update(source=target, line=1, text=(project / "tasks.py").read_text().splitlines()[0])
    write_docx(path, with_manifest(parts, json.dumps(manifest)))
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert f"{path}: anchor {anchor} {message}; nothing was written." in output
    assert tree_hash(project) == before


def test_an_entry_elsewhere_refuses_the_whole_file_even_unused(project, tmp_path, capsys):
    """One entry pointing at .git/config is enough to distrust the map: the honest change is not written either."""
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    manifest = manifest_of(parts)
    manifest["anchors"]["ch_p0999"] = {"kind": "prose", "source": ".git/config", "line": 1, "text": "[core]"}
    write_docx(path, with_manifest(parts, json.dumps(manifest)))
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1 and "anchor ch_p0999 points at '.git/config'" in output
    assert tree_hash(project) == before


def test_one_hostile_file_stops_the_whole_run(project, tmp_path, capsys):
    honest = returned_with_change(project, tmp_path)
    hostile = tmp_path / "hostile.docx"
    parts = parts_of(honest.read_bytes())
    manifest = manifest_of(parts)
    manifest["anchors"][anchor_of(manifest, "met weekly")]["source"] = "tasks.py"
    write_docx(hostile, with_manifest(parts, json.dumps(manifest)))
    before = tree_hash(project)
    assert review.main(project, [str(honest), str(hostile)], apply=True, force=True) == 1
    assert "Nothing was applied" in capsys.readouterr().err
    assert tree_hash(project) == before


@pytest.mark.parametrize("linked", ["manuscript/02-method.md", "manuscript"])
def test_a_source_that_is_a_symbolic_link_out_of_the_folder_is_never_written(project, tmp_path, capsys, linked):
    """The link leads to an outside copy whose text matches, so only the link can give it away."""
    outside = tmp_path / "outside"
    shutil.copytree(project / "manuscript", outside)
    target = outside / Path(linked).relative_to("manuscript") if linked != "manuscript" else outside
    shutil.rmtree(project / linked) if (project / linked).is_dir() else (project / linked).unlink()
    (project / linked).symlink_to(target)
    path = returned_with_change(project, tmp_path)
    before = tree_hash(project, outside)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert f"{path}: anchor " in output
    assert f"points at 'manuscript/02-method.md', where {linked} is a symbolic link; Charter writes only regular " \
           "files inside the review folder; nothing was written." in output
    assert tree_hash(project, outside) == before


def test_a_study_file_linked_out_of_the_folder_is_never_written(project, tmp_path, capsys):
    outside = tmp_path / "outside.yaml"
    study = project / "studies/ahmad2020.yaml"
    shutil.copy(study, outside)
    study.unlink()
    study.symlink_to(outside)
    path = tmp_path / "returned.docx"
    shutil.copy(project / "build" / "manuscript.docx", path)
    track_change(path, "depressive symptoms", "depressive moods", "Ann Reviewer")  # ahmad2020: research_question
    before = tree_hash(project, outside.parent)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert "points at 'studies/ahmad2020.yaml', where studies/ahmad2020.yaml is a symbolic link" in output
    assert tree_hash(project, outside.parent) == before


def test_a_paragraph_the_current_source_does_not_have_is_not_written(project, tmp_path, capsys):
    """The map's text is a hint: a block the section does not have (here one crafted line) is refused."""
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    manifest = manifest_of(parts)
    anchor = anchor_of(manifest, "met weekly")
    # a stretch inside a block, not a whole block of the current file
    manifest["anchors"][anchor]["text"] = "The reviewers met weekly"
    write_docx(path, with_manifest(parts, json.dumps(manifest)))
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert "the paragraph has changed in the source since the DOCX was built" in output
    assert tree_hash(project) == before


# ------------------------------------------------------------------ damaged or crafted packages


def xxe(secret_file: Path) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>\n').encode()


BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']>\n').encode()


def _document_with(parts: dict[str, bytes], prolog: bytes, entity: str) -> dict[str, bytes]:
    document = parts["word/document.xml"].decode()
    document = re.sub(r"^<\?xml[^>]*\?>\s*", "", document)
    document = document.replace("met weekly", f"met weekly &{entity};", 1)
    return {**parts, "word/document.xml": prolog + document.encode()}


def _comments_with(parts: dict[str, bytes], prolog: bytes, entity: str) -> dict[str, bytes]:
    comments = re.sub(r"^<\?xml[^>]*\?>\s*", "", parts["word/comments.xml"].decode())
    comment = f'<w:comment w:id="77" w:author="x"><w:p><w:r><w:t>&{entity};</w:t></w:r></w:p></w:comment>'
    comments = re.sub(r"\s*/>$|></w:comments>$", f">{comment}</w:comments>", comments.strip())
    return {**parts, "word/comments.xml": prolog + comments.encode()}


def _manifest_with(parts: dict[str, bytes], prolog: bytes, entity: str) -> dict[str, bytes]:
    return {**parts, MANIFEST_PART: prolog + f'<manifest xmlns="urn:charter:anchors">&{entity};</manifest>'.encode()}


def _bomb(parts: dict[str, bytes], path: Path, size: int = 2**30) -> None:
    """A part of 1 GB of zeros (about 1 MB packed) beside the real ones.

    Deflating 1 GB takes seconds, so one 16 MB block is deflated with a full flush (the
    block then stands alone) and repeated; the entry is written stored and its header
    patched to say deflated, with the true size and CRC.
    """
    block = bytes(2**24)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = chunk * (size // len(block)) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    name = "word/media/zeros.bin"
    write_docx(path, parts)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as package:
        package.writestr(name, stream)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as package:
        local = package.getinfo(name).header_offset
    central = data.rindex(name.encode()) - 46  # its entry in the central directory, at the end
    assert data[central:central + 4] == b"PK\x01\x02" and data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<H", data, local + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, local + 14, crc)
    struct.pack_into("<I", data, local + 22, size)
    struct.pack_into("<H", data, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


def _huge_comment(parts: dict[str, bytes], path: Path) -> None:
    """A comment of a million characters (a few kB packed)."""
    parts = _comments_with(parts, b'<?xml version="1.0" encoding="UTF-8"?>\n', "amp")
    write_docx(path, {**parts, "word/comments.xml": parts["word/comments.xml"].replace(b"&amp;", b"x" * 1_000_000)})


CASES = [
    pytest.param(lambda parts, path, secret: write_docx(path, _document_with(parts, xxe(secret), "xxe")),
                 "word/document.xml declares a DTD or entities", id="xxe-document"),
    pytest.param(lambda parts, path, secret: write_docx(path, _comments_with(parts, xxe(secret), "xxe")),
                 "word/comments.xml declares a DTD or entities", id="xxe-comments"),
    pytest.param(lambda parts, path, secret: write_docx(path, _manifest_with(parts, xxe(secret), "xxe")),
                 f"{MANIFEST_PART} declares a DTD or entities", id="xxe-manifest"),
    pytest.param(lambda parts, path, secret: write_docx(path, _document_with(parts, BILLION_LAUGHS, "lol9")),
                 "word/document.xml declares a DTD or entities", id="billion-laughs"),
    pytest.param(lambda parts, path, secret: _bomb(parts, path),
                 "the file would unpack to 1,024 MB, more than the 512 MB Charter reads", id="zip-bomb"),
    pytest.param(lambda parts, path, secret: _bomb(parts, path, size=2**26),
                 "word/media/zeros.bin unpacks 1,0", id="zip-bomb-ratio"),
    pytest.param(lambda parts, path, secret: _huge_comment(parts, path),
                 "is 1,000,000 characters long, more than the 50,000 a comment may have", id="huge-comment"),
    pytest.param(lambda parts, path, secret: path.write_bytes(write_docx(path, parts).read_bytes()[:3000]),
                 "cannot open it as a DOCX", id="truncated"),
    pytest.param(lambda parts, path, secret: path.write_bytes(os.urandom(5000)),
                 "cannot open it as a DOCX", id="garbage"),
    pytest.param(lambda parts, path, secret: write_docx(
        path, {n: d for n, d in parts.items() if n != "word/document.xml"}),
                 "has no word/document.xml, so it is not a Word document", id="no-document"),
    pytest.param(lambda parts, path, secret: write_docx(
        path, {**parts, "word/document.xml": parts["word/document.xml"][:-200]}),
                 "word/document.xml is damaged", id="broken-xml"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, "{not json")),
                 f"the anchor map inside it ({MANIFEST_PART}) is damaged (not valid JSON)", id="manifest-not-json"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, "[" * 100_000 + "]" * 100_000)),
                 "is damaged (not valid JSON)", id="manifest-deep-json"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, '{"anchors": []}')),
                 "the anchor map has no 'anchors' object; nothing was written", id="manifest-list"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, json.dumps(
        {"anchors": {"ch_p0001": {"kind": "prose", "source": "manuscript/02-method.md", "line": "3; rm"}}}))),
                 "anchor ch_p0001: line must be a whole number, not '3; rm'", id="manifest-line-type"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, json.dumps(
        {"anchors": {"ch_p0001": {"kind": "prose", "source": 42}}}))),
                 "anchor ch_p0001 names no source file", id="manifest-source-type"),
    pytest.param(lambda parts, path, secret: write_docx(path, with_manifest(parts, json.dumps(
        {"anchors": {"../../x": {"kind": "prose", "source": "manuscript/02-method.md"}}}))),
                 "the anchor map holds '../../x', which is not an anchor name the build writes", id="manifest-name"),
]


@pytest.mark.parametrize("make, message", CASES)
def test_a_crafted_package_is_refused_with_its_reason(project, tmp_path, capsys, make, message):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OUTSIDE-THE-REVIEW")
    path = returned_with_change(project, tmp_path)
    make(parts_of(path.read_bytes()), path, secret)
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert output.startswith(f"{path}: ")
    assert message in output
    assert "SECRET-OUTSIDE-THE-REVIEW" not in output
    assert "Traceback" not in output
    assert tree_hash(project) == before


def test_a_flood_of_untraceable_changes_costs_seconds_not_hours(project, tmp_path, capsys):
    """5,000 changed paragraphs without anchors against a map of 2,000 anchors: each is matched by text at most
    within a fixed budget, and every change is still judged."""
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    words = "social support recovery mental health study review theme finding participant".split()

    def sentence(seed: int) -> str:
        return f"{seed} " + " ".join(words[(seed * 7 + k * k) % len(words)] for k in range(40))

    body = "".join(f'<w:p><w:r><w:t>{sentence(i)}</w:t></w:r><w:ins w:id="{i}" w:author="x"><w:r><w:t>new</w:t>'
                   "</w:r></w:ins></w:p>" for i in range(5000))
    document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body>'
                "</w:document>")
    anchors = {f"ch_p{i:05d}": {"kind": "prose", "source": "manuscript/02-method.md", "line": 3,
                                "text": sentence(-i)} for i in range(1, 2001)}
    write_docx(path, with_manifest({**parts, "word/document.xml": document.encode()},
                                   json.dumps({"anchors": anchors})))
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert output.count("its paragraph's anchor is gone or shared") == 5000  # each change judged, none written
    assert tree_hash(project) == before


@pytest.mark.parametrize("make, message", [CASES[0], CASES[4]])
def test_check_docx_refuses_the_same_files_before_pandoc_reads_them(project, tmp_path, make, message):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-OUTSIDE-THE-REVIEW")
    path = returned_with_change(project, tmp_path)
    make(parts_of(path.read_bytes()), path, secret)
    out = io.StringIO()
    started = time.process_time()
    assert check.main(project, docx=path, out=out) == 1
    assert time.process_time() - started < SECONDS
    assert f"{path}: {message}" in out.getvalue()
    assert "SECRET-OUTSIDE-THE-REVIEW" not in out.getvalue()


def test_listing_without_apply_refuses_the_same_files(project, tmp_path, capsys):
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    manifest = manifest_of(parts)
    manifest["anchors"][anchor_of(manifest, "met weekly")]["source"] = "tasks.py"
    write_docx(path, with_manifest(parts, json.dumps(manifest)))
    code, output = run_review(project, path, capsys, apply=False)
    assert code == 1
    assert "points at 'tasks.py', which is not a source file of this review; nothing in it is listed." in output


def test_the_command_line_ends_in_a_message_not_a_traceback(project, tmp_path):
    path = returned_with_change(project, tmp_path)
    parts = parts_of(path.read_bytes())
    manifest = manifest_of(parts)
    manifest["anchors"][anchor_of(manifest, "met weekly")].update(source="tasks.py", line=5)
    write_docx(path, with_manifest(parts, json.dumps(manifest)))
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(300))
    before = tree_hash(project)
    for docx in (path, garbage):
        result = subprocess.run([sys.executable, "-m", "invoke", "review", str(docx), "--apply", "--force"],
                                cwd=project, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr + result.stdout
        assert result.stderr.startswith(f"{docx}: ")
    assert tree_hash(project) == before


# ------------------------------------------------------------------ bytes outside the edit stay as they were


@pytest.mark.parametrize("newline, bom, final", [
    pytest.param("\r\n", b"", True, id="crlf"),
    pytest.param("\r\n", b"\xef\xbb\xbf", False, id="crlf-bom-no-final-newline"),
    pytest.param("mixed", b"", True, id="mixed"),
    pytest.param("\n", b"\xef\xbb\xbf", True, id="lf-bom"),
])
def test_apply_keeps_line_endings_encoding_and_final_newline(tmp_path, capsys, newline, bom, final):
    """A section and a study file written with these line endings: only the changed words differ afterwards."""
    files = project_files()

    def written(text: str) -> bytes:
        lines = text.split("\n")[:-1]
        if newline == "mixed":
            text = "".join(line + ("\r\n" if number % 2 else "\n") for number, line in enumerate(lines))
        else:
            text = newline.join(lines) + (newline if final else "")
        return bom + text.encode("utf-8")

    method, study = written(METHOD_MD), written(files["studies/ahmad2020.yaml"])
    root = write_files(tmp_path / "review", {**files, "manuscript/02-method.md": method,
                                             "studies/ahmad2020.yaml": study})
    build(root, formats=("docx",), verbose=False)
    path = tmp_path / "returned.docx"
    shutil.copy(root / "build" / "manuscript.docx", path)
    track_change(path, "met weekly", "met every week", "Ann Reviewer")
    track_change(path, "tested on five", "tried out on five", "Bob Coauthor")  # second line of a two-line block
    track_change(path, "depressive symptoms among", "low mood among", "Bob Coauthor")  # ahmad2020: research_question
    assert review.main(root, [str(path)], apply=True, force=True) == 0, capsys.readouterr()
    assert (root / "manuscript/02-method.md").read_bytes() == method.replace(
        b"met weekly", b"met every week").replace(b"tested on five", b"tried out on five")
    assert (root / "studies/ahmad2020.yaml").read_bytes() == study.replace(
        b"depressive symptoms among", b"low mood among")
    leftovers = [p.name for folder in ("manuscript", "studies") for p in (root / folder).iterdir()
                 if p.name.startswith(".")]
    assert not leftovers  # no temporary file left beside them


@pytest.mark.parametrize("raw", ["a\r\nb\r\n", "a\nb\r\nc\rd", "\r\n\r\n", "x", "é\r\nü\n"])
def test_source_text_round_trips_bytes_and_maps_offsets(raw):
    source = SourceText.decode(raw.encode())
    assert source.encode([]) == raw.encode()
    assert source.text == raw.replace("\r\n", "\n").replace("\r", "\n")
    for position in range(len(source.text) + 1):  # every position maps to the same character in the file
        at = source.raw_offset(position)
        assert raw[at:at + 1].replace("\r", "\n") == source.text[position:position + 1]


# ------------------------------------------------------------------ a real LibreOffice tracked change

LO_EDIT = Path("/work/shared/tools/lo_edit.py")
UNO_PYTHON = Path("/usr/bin/python3")


def _uno_missing() -> str:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if not LO_EDIT.is_file():
        return f"{LO_EDIT} (edits a DOCX through LibreOffice's UNO) is not on this machine"
    if not UNO_PYTHON.is_file() or subprocess.run([str(UNO_PYTHON), "-c", "import uno"],
                                                  capture_output=True).returncode:
        return f"{UNO_PYTHON} cannot import uno (install libreoffice-writer-nogui / python3-uno)"
    return ""


@pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "-")
def test_a_change_tracked_by_libreoffice_itself_is_applied(project, tmp_path, capsys):
    """LibreOffice records the change (not XML written by hand), then --apply writes it into a CRLF section."""
    method = project / "manuscript/02-method.md"
    method.write_bytes(METHOD_MD.replace("\n", "\r\n").encode())
    git(project, "commit", "-q", "-am", "CRLF")
    build(project, formats=("docx",), verbose=False)
    edited = tmp_path / "edited.docx"
    env = {**os.environ, "HOME": str(tmp_path / "home")}  # LibreOffice's profile goes to a fresh folder
    subprocess.run([str(UNO_PYTHON), str(LO_EDIT), str(project / "build" / "manuscript.docx"), str(edited),
                    "met weekly", "met every week"], check=True, env=env, timeout=180, capture_output=True)
    assert review.main(project, [str(edited)], apply=True) == 0, capsys.readouterr()
    assert method.read_bytes() == METHOD_MD.replace("\n", "\r\n").replace("met weekly", "met every week").encode()
    assert "Applied 1 tracked change to the sources." in capsys.readouterr().out


@pytest.mark.parametrize("path, kind", [
    ("manuscript/02-method.md", "prose"), ("studies/ahmad2020.yaml", "table"),
    ("manuscript/metadata.yaml", "metadata"), ("review.yaml", "figure"),
    ("manuscript/./02-method.md", None), ("manuscript//02-method.md", None), ("manuscript/../tasks.md", None),
    ("manuscript/sub/02-method.md", None), ("manuscript\\..\\tasks.md", None), ("/manuscript/02-method.md", None),
    ("manuscript/.hidden.md", None), ("studies/x.yaml\x00.md", None), ("studies/x.yaml\n", None),
    ("studies/x.yml", None), ("Studies/x.yaml", None), ("./review.yaml", None), ("tasks.py", None), ("", None),
    (".git/config", None), ("build/manuscript.md", None), ("bib/references.bib", None), (42, None),
])
def test_only_the_review_sources_have_a_kind(path, kind):
    assert source_kind(path) == kind


def test_invisible_characters_are_neither_written_nor_printed(project, tmp_path, capsys):
    """A right-to-left override in the new text would make the source read differently from what it says;
    a C1 control in a name (XML allows them) is an escape sequence on some terminals."""
    path = tmp_path / "returned.docx"
    shutil.copy(project / "build" / "manuscript.docx", path)
    track_change(path, "met weekly", "met \u202eyllaunna", "Eve\u009b2J")
    before = tree_hash(project)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert "the new text contains the invisible character U+202E" in output
    assert "\u009b" not in output and "\u202e" not in output
    assert "Eve\ufffd2J" in output
    assert tree_hash(project) == before


def test_a_file_saved_while_apply_works_is_not_overwritten(project, tmp_path, capsys, monkeypatch):
    """An editor's save between reading and writing wins: its text is not replaced by a plan made before it."""
    from charter.revision import apply

    path = returned_with_change(project, tmp_path)
    method = project / "manuscript/02-method.md"
    plan = apply.plan_changes

    def plan_then_save(*args, **kwargs):
        made = plan(*args, **kwargs)
        method.write_text(METHOD_MD + "\nA paragraph saved meanwhile.\n")
        return made

    monkeypatch.setattr(apply, "plan_changes", plan_then_save)
    code, output = run_review(project, path, capsys)
    assert code == 1
    assert ("manuscript/02-method.md: changed on disk while the changes were being worked out; nothing was "
            "written. Run again.") in output
    assert method.read_text() == METHOD_MD + "\nA paragraph saved meanwhile.\n"
