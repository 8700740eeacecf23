"""Pandoc's output and messages kept between builds under a name made from everything they depend on.

Used by the grouped citation runs (build/.citations-cache/) and the Typst writer's large blocks
(build/.typst-cache/): each stores one JSON file ``{"out", "err"}`` per run, named by the SHA-256 the
caller computes, and keeps only the runs the latest build used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class RunStore:
    """One folder of remembered runs; ``prune`` forgets every run this build did not ask for."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.used = folder, set()

    def get(self, name: str) -> tuple[str, str] | None:
        """(output, messages) of the run stored as ``name``; None when it is not stored or unreadable."""
        self.used.add(name)
        try:
            stored = json.loads((self.folder / name).read_bytes())
            return stored["out"], stored["err"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, name: str, out: str, err: str) -> None:
        """Store a run; written under a temporary name first, so a reader never sees half a file."""
        self.used.add(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        temporary = path.with_name(f".{name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"out": out, "err": err}), encoding="utf-8")
        os.replace(temporary, path)

    def prune(self) -> None:
        """Forget the runs this build did not use (an older Table 1, a group whose citations changed)."""
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in self.used:
                    path.unlink(missing_ok=True)
