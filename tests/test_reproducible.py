"""No machine-specific data in the outputs: the same sources give the same bytes in any folder.

The project is built in two folders whose names look nothing alike; the DOCX
and PDF must be byte-identical, and neither the folders' paths, the user's
name, the home folder nor the host name may appear anywhere in them (every
XML part of the DOCX, the PDF's decompressed streams and its metadata).
"""

from __future__ import annotations

import getpass
import re
import socket
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from charter.compile.build import build
from conftest import write_files
from projects import minimal_project_files

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")


def project_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(minimal_project_files())
    files["manuscript/02-findings.md"] = ("# Findings\n\n@tbl-studies lists the studies; @fig-prisma shows how "
                                          "we found them.\n\n{{ table:studies }}\n\n{{ figure:prisma }}\n\n"
                                          "![Our logo](figures/logo.png){width=2cm}\n")
    files["manuscript/figures/logo.png"] = PNG
    return files


def docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def pdf_bytes(path: Path) -> bytes:
    """The PDF's bytes with every Flate stream decompressed beside it (text, metadata, XMP)."""
    data = path.read_bytes()
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return data + b"".join(streams)


def machine_words(*folders: Path) -> list[str]:
    """What identifies this computer: the folders, the home folder, the user's and host's names."""
    words = [str(folder) for folder in folders] + [str(Path.home())]
    user, host = getpass.getuser(), socket.gethostname()
    # a short or common name ("root") would match ordinary words; the home folder covers it then
    words += [name for name in (user, host) if len(name) >= 5 and name not in ("localhost",)]
    return words


def test_two_folders_give_byte_identical_outputs_without_paths(tmp_path):
    first = write_files(tmp_path / "alpha" / "my review", project_files())
    second = write_files(tmp_path / "Zz-Øther_place.2" / "x", project_files())
    built = [build(root, verbose=False).outputs for root in (first, second)]
    for fmt in ("docx", "pdf"):
        assert built[0][fmt].read_bytes() == built[1][fmt].read_bytes(), fmt

    words = machine_words(first, second, tmp_path)
    for name, data in docx_parts(built[0]["docx"]).items():
        for word in words:
            assert word.encode() not in data, (name, word)
    pdf = pdf_bytes(built[0]["pdf"])
    for word in words:
        assert word.encode() not in pdf, word
        assert word not in str(PdfReader(str(built[0]["pdf"])).metadata)
    document = docx_parts(built[0]["docx"])["word/document.xml"].decode("utf-8")
    descriptions = set(re.findall(r'descr="([^"]*)"', document))
    assert descriptions == {"PRISMA flow diagram", "build/prisma.png", "Our logo", "manuscript/figures/logo.png"}


def test_dates_are_fixed_or_source_date_epoch(tmp_path, monkeypatch):
    root = write_files(tmp_path / "review", project_files())
    result = build(root, verbose=False, formats=("docx",))
    core = docx_parts(result.outputs["docx"])["docProps/core.xml"].decode("utf-8")
    assert "1980-01-01T00:00:00Z" in core  # the default: no build time in the file
    epoch = 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    result = build(root, verbose=False)
    core = docx_parts(result.outputs["docx"])["docProps/core.xml"].decode("utf-8")
    assert datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") in core
    with zipfile.ZipFile(result.outputs["docx"]) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    metadata = PdfReader(str(result.outputs["pdf"])).metadata
    assert "/CreationDate" not in metadata and "/ModDate" not in metadata


@pytest.mark.parametrize("blind", [False, True])
def test_blind_removes_names_from_every_property(tmp_path, blind):
    root = write_files(tmp_path / "review", project_files())
    result = build(root, verbose=False, blind=blind)
    parts = docx_parts(result.outputs["docx"])
    properties = b"".join(parts.get(name, b"") for name in ("docProps/core.xml", "docProps/app.xml",
                                                             "docProps/custom.xml"))
    pdf_metadata = str(PdfReader(str(result.outputs["pdf"])).metadata) + pdf_bytes(result.outputs["pdf"]).decode(
        "latin-1")
    everything = b"".join(parts.values())
    for identifying in ("Kari Nordmann", "Nordmann", "Example University", "kari.nordmann@example.org",
                        "We thank the librarians", "0000-0002-1825-0097"):
        if blind:
            assert identifying.encode() not in properties, identifying
            assert identifying.encode() not in everything, identifying
            assert identifying not in pdf_metadata, identifying
    if not blind:  # the same checks can fail: the names are there when not blind
        assert b"Kari Nordmann" in properties
        assert "Kari Nordmann" in str(PdfReader(str(result.outputs["pdf"])).metadata)
