"""Versions of the review in git: name a commit, copy its files out, say who changed what.

The only module that runs git. ``invoke diff`` and ``invoke changes`` compare
two versions of the review; this module turns a ref (a tag, a branch,
``HEAD~2``, a commit) into a folder holding the review's files as they were
at that commit, and answers "who last changed this file, and when" for the
attribution of tracked changes.

A commit is copied out with ``git archive`` into a folder under the review's
own ``build/`` and unpacked with tarfile's ``data`` filter, so nothing in the
archive can write outside that folder (no absolute paths, ``..``, links out or
device files). Git itself reads only the project's own repository, which the
threat model trusts (docs/security.md).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

GIT_TIMEOUT = 60  # seconds; git archive of a review is small


class RevisionError(Exception):
    """A ref could not be found or copied out; the message says which and what to do."""


@dataclass(frozen=True)
class Revision:
    """One version of the review: a commit, or the working tree (``commit`` is None)."""

    label: str  # what the author typed (or "working tree")
    commit: str | None
    author: str = ""
    date: str = ""  # ISO 8601, as git gives it
    dirty: bool = False  # working tree with uncommitted changes

    @property
    def short(self) -> str:
        return self.commit[:10] if self.commit else "working tree"


def _git(root: Path, *args: str, binary: bool = False) -> str | bytes:
    try:
        process = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT,
                                 text=not binary)
    except FileNotFoundError:
        raise RevisionError("git is not installed; invoke diff and invoke changes compare commits with git") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took longer than {GIT_TIMEOUT} s; try again") from None
    if process.returncode != 0:
        message = process.stderr.decode("utf-8", "replace") if binary else process.stderr
        raise RevisionError(message.strip().splitlines()[-1] if message.strip() else f"git {args[0]} failed")
    return process.stdout


def repository(root: Path) -> tuple[Path, str]:
    """The repository's top folder and the review folder's path inside it ('' or 'examples/x/')."""
    try:
        top = _git(root, "rev-parse", "--show-toplevel").strip()
        prefix = _git(root, "rev-parse", "--show-prefix").strip()
    except RevisionError:
        raise RevisionError(f"{root} is not in a git repository: invoke diff compares committed versions; "
                            "run 'git init' and commit the review first") from None
    return Path(top), prefix


def resolve(root: Path, ref: str | None) -> Revision:
    """The commit a ref names; without a ref, the most recent tag."""
    repository(root)
    if ref is None:
        try:
            ref = _git(root, "describe", "--tags", "--abbrev=0").strip()
        except RevisionError:
            raise RevisionError("no tag to compare with: name the version, e.g. invoke diff --old HEAD~1 or "
                                "invoke diff --old v1 (tag a submitted version with: git tag v1)") from None
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except RevisionError:
        raise RevisionError(f"'{ref}' names no commit in this repository; use a tag, a branch or a commit "
                            "(git log --oneline lists them)") from None
    author, date = _git(root, "log", "-1", "--format=%an%x00%aI", commit).strip().split("\0")
    return Revision(ref, commit, author, date)


def working_tree(root: Path) -> Revision:
    """The files as they are now; dirty when git sees changes (new files included) in the review folder."""
    try:
        status = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    except RevisionError:
        return Revision("working tree", None)
    return Revision("working tree", None, dirty=bool(status.strip()))


def head_commit(root: Path) -> tuple[str | None, bool]:
    """The commit the working tree is based on and whether the review has uncommitted changes (None outside git)."""
    try:
        head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD").strip()
        status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
    except RevisionError:
        return None, False
    try:  # a copy under an ignored folder (build/diff/versions/…) is not the commit around it
        _git(root, "check-ignore", "-q", ".")
        return None, False
    except RevisionError:
        pass
    return head or None, bool(status.strip())


def export(root: Path, revision: Revision, destination: Path) -> Path:
    """Copy the review's files at a commit into destination; return the review folder inside it."""
    _, prefix = repository(root)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    archive = _git(root, "archive", "--format=tar", revision.commit, "--", prefix or ".", binary=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")
    folder = destination / prefix if prefix else destination
    if not folder.is_dir():
        raise RevisionError(f"the review folder '{prefix.rstrip('/')}' does not exist at {revision.label}")
    return folder


def last_change(root: Path, old: Revision, new: Revision, path: str) -> tuple[str, str] | None:
    """(author, date) of the latest commit after old, up to new, that changed path inside the review folder."""
    if old.commit is None:
        return None
    end = new.commit or "HEAD"
    try:
        line = _git(root, "log", "-1", "--format=%an%x00%aI", f"{old.commit}..{end}", "--", path).strip()
    except RevisionError:
        return None
    if not line:
        return None
    author, date = line.split("\0")
    return author, date
