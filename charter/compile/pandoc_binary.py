"""Which pandoc Charter runs: pypandoc's choice, found without starting pandoc to ask.

pypandoc (``pypandoc.get_pandoc_path``) looks in a fixed list of places — the
``pandoc`` on PATH, the one pypandoc-binary ships, ~/bin, ~/.bin, Python's own
bin/ — starts ``pandoc --version`` at each one that exists, and takes the newest.
Importing pypandoc and those runs cost 50–60 ms of every build before any work.
Here the same places are listed without running anything:

* when only one holds a pandoc (the usual case: pypandoc-binary's), that is
  pypandoc's choice too;
* when several do, pypandoc chooses once and its answer is remembered (in the
  build's cache, ``charter.compile.cache``) with the size and modification time
  of every candidate: any of them changed, added or removed, and pypandoc is
  asked again.

The build's cache starts ``pandoc --version`` whenever the chosen binary is not
the one recorded (a clean build), so a pandoc that cannot run is still found out
before anything else: then pypandoc is asked, and says why.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path
from typing import Mapping

_chosen: str | None = None


def candidates() -> list[str]:
    """pypandoc's places, as it names them, that hold an executable file; each file once (the first name)."""
    override = os.environ.get("PYPANDOC_PANDOC")
    if override:
        places = [override]
    else:
        places = ["pandoc"]
        spec = importlib.util.find_spec("pypandoc")  # finds the package without importing it
        if spec is not None and spec.submodule_search_locations:
            folder = os.path.realpath(list(spec.submodule_search_locations)[0])
            places.append(os.path.join(folder, "files", "pandoc"))
        if sys.platform.startswith("linux"):
            places += ["~/bin/pandoc", "~/.bin/pandoc"]
        elif sys.platform == "darwin":
            places.append("~/Applications/pandoc/pandoc")
        places += [os.path.join(sys.exec_prefix, "bin", "pandoc.exe"), os.path.join(sys.exec_prefix, "bin", "pandoc")]
    found, seen = [], set()
    for place in places:
        real = _executable(place)
        if real is not None and real not in seen:
            seen.add(real)
            found.append(place)
    return found


def _executable(place: str) -> str | None:
    """The real path of the executable file a place names (a bare name is looked up on PATH), or None."""
    path = shutil.which(place) if os.sep not in place and "/" not in place else os.path.expanduser(place)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return os.path.realpath(path)
    return None


def identity(places: list[str]) -> list[list]:
    """What would make pypandoc choose differently: each candidate's file, size and modification time."""
    described = []
    for place in places:
        real = _executable(place)
        stat = os.stat(real) if real else None
        described.append([place, real, stat.st_size if stat else None, stat.st_mtime_ns if stat else None])
    return described


def choose(remembered: Mapping | None = None) -> tuple[str, dict | None]:
    """The pandoc to run, and what to remember about the choice (None: nothing to remember, one candidate).

    ``remembered`` is what an earlier call returned; it is used while every candidate is unchanged.
    """
    places = candidates()
    if len(places) == 1 and sys.platform != "win32":  # pypandoc looks in more places on Windows
        return places[0], None
    if not places:
        import pypandoc  # finds none either, and raises its own error saying how to install pandoc

        return pypandoc.get_pandoc_path(), None
    now = identity(places)
    if isinstance(remembered, Mapping) and remembered.get("candidates") == now and remembered.get("path") in places:
        return str(remembered["path"]), dict(remembered)
    import pypandoc

    path = pypandoc.get_pandoc_path()
    return path, {"candidates": now, "path": path}


def pandoc_path(remembered: Mapping | None = None) -> str:
    """The pandoc this process runs, chosen once (``choose``)."""
    global _chosen
    if _chosen is None:
        _chosen = choose(remembered)[0]
    return _chosen


def use(path: str) -> None:
    """Run this pandoc from now on (the build's cache chose it, with the choice it remembered)."""
    global _chosen
    _chosen = path


def forget() -> None:
    """Choose again at the next ``pandoc_path`` (the binary could not run, or a test changed the candidates)."""
    global _chosen
    _chosen = None


def resolved(path: str) -> Path:
    """The file a chosen path names (pypandoc names the pandoc on PATH just "pandoc")."""
    return Path(shutil.which(path) or path) if os.sep not in path and "/" not in path else Path(path)
