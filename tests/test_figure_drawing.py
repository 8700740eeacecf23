"""The PRISMA diagram drawn beside pandoc (charter.compile.cache.FigureDrawing): never left half done.

The diagram's SVG and PNG are drawn in a thread while pandoc reads the
manuscript. A build that stops after the drawing started must wait for it
(it writes into build/, which the stopped build's lock no longer holds), and
the next build must find the diagram whole and recorded like any other.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from charter.compile.build import BuildError, build
from conftest import copy_reference_review


def _drawing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("prisma")]


def test_a_stopped_build_waits_for_the_drawing_and_the_next_build_reuses_it(tmp_path: Path) -> None:
    root = copy_reference_review(tmp_path / "review")
    section = sorted((root / "manuscript").glob("0*.md"))[0]
    good = section.read_text(encoding="utf-8")
    section.write_text(good + "\nAs shown elsewhere [@nosuchkey2099].\n", encoding="utf-8")
    with pytest.raises(BuildError, match="nosuchkey2099"):
        build(root, verbose=False)  # stops before pandoc, after the diagram's drawing started
    assert _drawing_threads() == []
    png = (root / "build" / "prisma.png").read_bytes()
    assert png.startswith(b"\x89PNG") and (root / "build" / "prisma.svg").read_bytes().startswith(b"<svg")
    section.write_text(good, encoding="utf-8")
    result = build(root, verbose=False)
    assert _drawing_threads() == []
    assert "PRISMA diagram" not in result.skipped  # the stopped build recorded nothing: drawn again, the same
    assert (root / "build" / "prisma.png").read_bytes() == png
    again = build(root, verbose=False, formats=("pdf",))  # a new output set: the diagram is as recorded
    assert "PRISMA diagram" in again.skipped
