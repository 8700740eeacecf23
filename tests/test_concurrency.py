"""Two builds in one folder (an editor's save hook and a terminal): the second waits, both succeed.

Real `invoke build` runs in separate processes: build/.lock serialises them, temporary
files are named per process, and nothing is left behind.
"""

from __future__ import annotations

import fcntl
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, write_files
from projects import minimal_project_files

BUILD = "import sys; from charter.compile.build import build; build(sys.argv[1])"


def small_project(tmp_path: Path) -> Path:
    files = minimal_project_files()
    files["manuscript/02-findings.md"] = ("# Findings\n\n@tbl-studies lists the studies; @fig-prisma shows how "
                                          "we found them.\n\n{{ table:studies }}\n\n{{ figure:prisma }}\n")
    return write_files(tmp_path / "project", files)


def start_build(root: Path) -> subprocess.Popen:
    """``invoke build`` in the project, as an author runs it (tasks.py copied in: it builds its own folder)."""
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "invoke", "build"], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def outputs(root: Path) -> dict[str, bytes]:
    return {name: (root / "build" / name).read_bytes() for name in ("manuscript.docx", "manuscript.pdf")}


def leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "build").rglob("*")
                  if p.name.endswith((".tmp", ".partial")))


def test_two_builds_started_at_once_both_succeed_with_the_outputs_of_one(tmp_path):
    root = small_project(tmp_path)
    for round_ in ("no build/ yet", "after a change, with a cache"):
        if round_ != "no build/ yet":
            section = root / "manuscript" / "01-introduction.md"
            section.write_text(section.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
        first, second = start_build(root), start_build(root)
        results = [process.communicate(timeout=300) for process in (first, second)]
        for process, (out, err) in zip((first, second), results):
            assert process.returncode == 0, (round_, out, err)
            assert "Traceback" not in err, (round_, err)
            assert "wrote" in out or "up to date" in out, (round_, out)
        assert leftovers(root) == [], round_
        together = outputs(root)
        shutil.rmtree(root / "build")
        subprocess.run([sys.executable, "-c", BUILD, str(root)], check=True, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
        assert outputs(root) == together, round_


def test_a_second_build_waits_for_the_lock_and_says_so(tmp_path):
    root = small_project(tmp_path)
    (root / "build").mkdir()
    with open(root / "build" / ".lock", "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # this test process plays the first build
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        waiting = start_build(root)
        ready, _, _ = select.select([waiting.stderr], [], [], 120)
        said = waiting.stderr.readline() if ready else ""
        # while we hold the lock the build has said why it waits, and written nothing
        assert said == f"waiting for another build in this folder (pid {os.getpid()}) …\n"
        assert waiting.poll() is None
        assert not (root / "build" / "manuscript.md").exists()
        fcntl.flock(lock, fcntl.LOCK_UN)
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "wrote" in out and "Traceback" not in err
    assert (root / "build" / "manuscript.docx").exists() and leftovers(root) == []
