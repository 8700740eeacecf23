"""Small reviews: a clean ``invoke build`` as a new process against the floor, runs alternating.

    python -m benchmarks.small [--runs 5] [--compare REV] [--no-bytecode] [ROOT ...]

ROOT defaults to the reference review (the repository) and examples/asymptomatic-covid.
Each review's sources are copied into a temporary folder (a git repository with one
commit, as a review usually is: the build asks git which commit it is built from), and Charter's code is
frozen there (``benchmarks.run.freeze_code``; with ``--compare REV`` also the
``charter/`` of that git revision), so edits during a run change nothing.

One run is: delete build/, run ``python -m invoke build`` in the review's folder as
a new process (what the README's ``invoke build`` does: Python's start, invoke,
the imports, the up-to-date check and the whole build), then the floor
(``benchmarks.probe`` floor-docx and floor-pdf: plain pandoc → DOCX, pandoc → Typst
and Typst → PDF, one after the other, the tools' own time). With ``--compare`` the
two codes alternate (build A, floor, build B, floor, …) because the machine is
shared: a burst of other work then hits both alike. Reported: the median wall
and CPU time of each (the build's CPU is its process and every process it
started; the floor's is the tools' own), the median of each run's ratio (a
build over the floor measured just after it), and the load average.

The frozen code is compiled to bytecode first, as ``pip install`` does: where
``PYTHONDONTWRITEBYTECODE`` is set (these test machines) every build would
otherwise compile Charter's source again. ``--no-bytecode`` measures that case.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from .run import REPO, freeze_code, probe

THIS = "this code"
SOURCES = ("review.yaml", "studies", "bib", "manuscript", "templates", "tasks.py")
DEFAULT_ROOTS = (REPO, REPO / "examples" / "asymptomatic-covid")


def copy_review(root: Path, target: Path) -> Path:
    """The review's sources (not its build/) in a git repository of their own, as a review usually is
    (the build asks git which commit it is built from)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    (target / ".gitignore").write_text("build/\n", encoding="utf-8")
    git = ["git", "-C", str(target), "-c", "user.name=benchmark", "-c", "user.email=benchmark@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the review"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return target


def code_at(revision: str, workdir: Path) -> Path:
    """charter/ as it was at a git revision, in workdir/code-<revision>."""
    code = workdir / f"code-{revision}"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "charter"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        try:
            tar.extractall(code, filter="data")
        except TypeError:  # Python before 3.11.4: no filter (our own repository's archive)
            tar.extractall(code)
    return code


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def clean_build(root: Path, code: Path, bytecode: bool = True) -> dict:
    """Delete build/, then ``invoke build`` as a new process: wall and CPU seconds (every process it started)."""
    shutil.rmtree(root / "build", ignore_errors=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH", "")]))
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    cpu = _children_cpu()
    start = time.perf_counter()
    process = subprocess.run([sys.executable, "-m", "invoke", "build"], capture_output=True, text=True, env=env,
                             cwd=root)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"invoke build failed in {root}:\n{process.stdout}{process.stderr}")
    return {"seconds": seconds, "cpu": _children_cpu() - cpu}


def floor(root: Path, code: Path) -> dict:
    """pandoc → DOCX, pandoc → Typst, Typst → PDF, one after the other (needs the build's build/)."""
    docx, pdf = probe("floor-docx", root, code), probe("floor-pdf", root, code)
    return {"seconds": docx["seconds"] + pdf["seconds"], "cpu": docx["tools_cpu"] + pdf["tools_cpu"]}


def measure(root: Path, codes: dict[str, Path], runs: int, out, bytecode: bool = True) -> dict[str, dict]:
    """{code name: {"build": [...], "floor": [...]}}, the codes alternating run by run."""
    results = {name: {"build": [], "floor": []} for name in codes}
    for run in range(runs):
        for name, code in codes.items():
            built = clean_build(root, code, bytecode)
            floored = floor(root, codes[THIS])  # the floor's harness (benchmarks.probe) is always this code's
            results[name]["build"].append(built)
            results[name]["floor"].append(floored)
            print(f"  {root.name:<22} run {run + 1} {name:<10} build {built['seconds']:5.2f} s wall "
                  f"{built['cpu']:5.2f} s CPU   floor {floored['seconds']:5.2f} s wall {floored['cpu']:5.2f} s CPU   "
                  f"load {os.getloadavg()[0]:.2f}", file=out, flush=True)
    return results


def summary(results: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Medians; the ratios are the medians of each run's build over the floor measured right after it."""
    rows = {}
    for name, result in results.items():
        build = {key: statistics.median(r[key] for r in result["build"]) for key in ("seconds", "cpu")}
        ground = {key: statistics.median(r[key] for r in result["floor"]) for key in ("seconds", "cpu")}
        pairs = list(zip(result["build"], result["floor"]))
        rows[name] = {"build wall": build["seconds"], "build CPU": build["cpu"], "floor wall": ground["seconds"],
                      "floor CPU": ground["cpu"],
                      "ratio wall": statistics.median(b["seconds"] / f["seconds"] for b, f in pairs),
                      "ratio CPU": statistics.median(b["cpu"] / f["cpu"] for b, f in pairs)}
    return rows


def main(roots, runs: int = 5, compare: str | None = None, bytecode: bool = True, out=None) -> dict:
    out = out or sys.stdout
    workdir = Path(tempfile.mkdtemp(prefix="charter-small-"))
    try:
        codes = {THIS: freeze_code(workdir)}
        if compare:
            codes = {compare: code_at(compare, workdir), **codes}
        if bytecode:
            for code in codes.values():
                compileall.compile_dir(str(code / "charter"), quiet=1)
        print(f"small reviews: {runs} run(s), {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start"
              f"{'' if bytecode else ', no bytecode (Charter compiled from source by every build)'}", file=out)
        tables = {}
        for root in roots:
            name = "reference" if Path(root).resolve() == REPO else Path(root).resolve().name
            review = copy_review(Path(root), workdir / name)
            tables[review.name] = summary(measure(review, codes, runs, out, bytecode))
        print(f"load average {os.getloadavg()[0]:.2f} at end\n", file=out)
        print("| review | code | build wall | floor wall | build/floor wall | build CPU | floor CPU | "
              "build/floor CPU |\n|---|---|---|---|---|---|---|---|", file=out)
        for review, rows in tables.items():
            for name, row in rows.items():
                print(f"| {review} | {name} | {row['build wall']:.2f} s | {row['floor wall']:.2f} s | "
                      f"{row['ratio wall']:.2f}× | {row['build CPU']:.2f} s | {row['floor CPU']:.2f} s | "
                      f"{row['ratio CPU']:.2f}× |", file=out)
        return tables
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", help="review folders (default: the reference review and the example)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (the median is reported)")
    parser.add_argument("--compare", help="a git revision whose charter/ alternates with this one")
    parser.add_argument("--no-bytecode", action="store_true", help="let every build compile Charter's source")
    arguments = parser.parse_args()
    main([Path(r) for r in arguments.roots] or list(DEFAULT_ROOTS), arguments.runs, arguments.compare,
         not arguments.no_bytecode)
