"""Shared test helpers: write small project trees into tmp_path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative path: text or bytes} under root (text is dedented); return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def copy_reference_review(dest: Path) -> Path:
    """Copy the reference review's sources (not build/, not .git) to dest; return dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("review.yaml", "studies", "bib", "manuscript", "templates"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    """A fresh copy of the reference review, safe to edit."""
    return copy_reference_review(tmp_path / "review")
