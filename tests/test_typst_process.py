"""Typst in a process of its own (charter.compile.typst_process) gives what Typst inside the build gives.

A large manuscript compiles in a child process so that Typst's memory is not
added to the build's; the PDF bytes, the warnings and the error messages must
not depend on where Typst ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.compile import typst_process
from charter.compile.build import build
from charter.compile.pandoc import TypstCompileError, compile_typst
from conftest import write_files
from projects import minimal_project_files

SOURCE = """#set document(title: sys.inputs.at("charter-title", default: ""))
#set text(font: "Libertinus Serif")
= Heading

Some text with a #link("https://example.org")[link] and an image: #image("/images/dot.svg", width: 1cm)
#text(font: "No Such Font Zq")[a warning: this font is unknown]
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'


def _compile(folder: Path, source: str, separate: bool) -> tuple[bytes, list[str]]:
    write_files(folder, {"manuscript.typ": source, "images/dot.svg": SVG})
    pdf = folder / "manuscript.pdf"
    warnings = compile_typst(folder / "manuscript.typ", pdf, root=folder, inputs={"charter-title": "Tïtle"},
                             separate=separate)
    return pdf.read_bytes(), warnings


def test_the_same_pdf_and_warnings_in_a_process_of_its_own(tmp_path: Path) -> None:
    here = _compile(tmp_path / "here", SOURCE, separate=False)
    apart = _compile(tmp_path / "apart", SOURCE, separate=True)
    assert here[0].startswith(b"%PDF") and here[0] == apart[0]
    assert any("no such font zq" in w for w in here[1]), here[1]
    assert here[1] == apart[1]


def test_the_same_error_in_a_process_of_its_own(tmp_path: Path) -> None:
    broken = SOURCE + "\n#let x = (1 + \"a\")\n"
    messages = []
    for name, separate in (("here", False), ("apart", True)):
        with pytest.raises(TypstCompileError) as caught:
            _compile(tmp_path / name, broken, separate)
        messages.append((str(caught.value), caught.value.snippet))
    assert "cannot add" in messages[0][0] and messages[0][1]
    assert messages[0] == messages[1]
    assert str(tmp_path) not in messages[0][0]  # the folder is named build/, not this computer's path


def test_a_large_source_compiles_apart_and_the_build_is_unchanged(tmp_path: Path, monkeypatch) -> None:
    """The build's PDF is the same bytes whether Typst ran inside the build or in its own process."""
    outputs = []
    for name, limit in (("inside", 10**12), ("apart", 0)):
        monkeypatch.setattr(typst_process, "OWN_PROCESS_BYTES", limit)
        root = write_files(tmp_path / name, dict(minimal_project_files()))
        outputs.append(build(root, formats=("pdf",), verbose=False).outputs["pdf"].read_bytes())
    assert outputs[0] == outputs[1]


def test_a_crashed_typst_process_is_an_error_not_a_traceback(tmp_path: Path, monkeypatch) -> None:
    write_files(tmp_path, {"manuscript.typ": SOURCE, "images/dot.svg": SVG})
    monkeypatch.setattr(typst_process.sys, "executable", "/bin/false")  # a child that dies without an answer
    with pytest.raises(TypstCompileError, match="the Typst process stopped"):
        compile_typst(tmp_path / "manuscript.typ", tmp_path / "x.pdf", root=tmp_path, inputs={}, separate=True)
