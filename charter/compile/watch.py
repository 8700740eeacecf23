"""``invoke watch``: rebuild whenever a source file is saved, printing only what changed.

The build's cache (``charter.compile.cache``) redoes only the stages whose inputs
changed, so a rebuild after editing one section or one study file is quick.
Each rebuild prints the files that changed, the warnings that are new since
the last build (not the ones already shown), and either the outputs written
or the errors that stopped the build (the last good outputs stay in place).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence, TextIO

from charter.compile.build import BuildError, build
from charter.compile.cache import INPUTS
from charter.paths import inside


class WatchRefused(Exception):
    """The folder cannot be watched as it is; the message says what to remove."""


def folder_links_outside(root: Path) -> list[str]:
    """Links to folders outside the review, anywhere in it: the file watcher would follow them.

    A planted ``manuscript/x -> /`` would make it watch the whole disk (one inotify watch per folder,
    until the system's limit runs out for every program), though the build never reads it.
    """
    found = []
    for folder, names, _ in os.walk(root):  # links are listed but not followed
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path) and inside(root, path) is None:
                found.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return sorted(found)


def rebuild(root: Path, changed: Iterable[str], seen_warnings: set[str], formats: Sequence[str] = ("docx", "pdf"),
            out: TextIO | None = None) -> set[str]:
    """Build once after a change; print what changed and what is new; return the warnings now standing."""
    out = out or sys.stdout
    names = sorted(set(changed))
    if names:
        print(f"changed: {', '.join(names)}", file=out)
    start = time.perf_counter()
    try:
        result = build(root, formats=formats, verbose=False)
    except BuildError as error:
        print(f"build failed; the last good outputs are kept:\n{error}", file=out)
        return seen_warnings
    warnings = {str(w) for w in result.warnings}
    for warning in sorted(warnings - seen_warnings):
        print(f"new warning: {warning}", file=out)
    if "build" in result.skipped:
        print("up to date (nothing the build reads changed)", file=out)
    else:
        written = ", ".join(p.relative_to(root).as_posix() for p in result.outputs.values())
        print(f"rebuilt {written} in {time.perf_counter() - start:.1f}s", file=out)
    return warnings


def _relevant(root: Path, path: str) -> str | None:
    """The path relative to the review when the build reads it (not build/, not editor swap files)."""
    try:
        rel = Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    name = rel.rsplit("/", 1)[-1]
    if rel.split("/")[0] not in INPUTS or name.startswith((".", "~$", "#")) or name.endswith(("~", ".swp", ".tmp")):
        return None
    return rel


def watch(root: Path, formats: Sequence[str] = ("docx", "pdf"), stop: threading.Event | None = None,
          out: TextIO | None = None) -> None:
    """Build, then rebuild on every save until Ctrl+C (or until ``stop`` is set)."""
    from watchfiles import watch as changes_in

    out = out or sys.stdout
    root = Path(root).resolve()
    links = folder_links_outside(root)
    if links:
        raise WatchRefused(f"{', '.join(links[:5])}: a symbolic link to a folder outside the review; invoke watch "
                           "would watch everything under it. Delete the link (or replace it with a copy of what "
                           "the review needs) and run invoke watch again")
    seen = rebuild(root, [], set(), formats, out)
    print(f"watching {root} (Ctrl+C stops)", file=out, flush=True)
    try:
        for batch in changes_in(root, stop_event=stop, debounce=300, step=100):
            changed = [rel for _, path in batch if (rel := _relevant(root, path))]
            if changed:
                seen = rebuild(root, changed, seen, formats, out)
                out.flush()
    except KeyboardInterrupt:
        print("stopped watching", file=out)
