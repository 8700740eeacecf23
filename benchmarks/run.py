"""``invoke bench``: time check, every build stage, the whole build and the pandoc + Typst floor, by review size.

For each size a synthetic review is generated in a temporary folder
(``benchmarks.generate``); every measurement runs in its own process
(``benchmarks.probe``) so its peak memory is its own. Reported: medians over
the runs of wall and CPU time, peak memory (the whole build: the build's
Python and the processes it started, added up while they run side by side;
and the build's own process and its largest child apart), the ratio
build/floor, and the cost per study between sizes.

    python -m benchmarks.run --sizes 30,300,3000 --runs 3 [--json results.json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence, TextIO

from .generate import generate

REPO = Path(__file__).resolve().parent.parent


def freeze_code(workdir: Path) -> Path:
    """Copy charter/ and benchmarks/ into workdir, so edits to the working tree during a run change nothing."""
    code = workdir / "code"
    shutil.rmtree(code, ignore_errors=True)
    for package in ("charter", "benchmarks"):
        shutil.copytree(REPO / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def probe(what: str, root: Path, code: Path = REPO) -> dict:
    """Run one measurement in a fresh Python process (charter imported from code); return its JSON report."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH", "")]))
    process = subprocess.run([sys.executable, "-m", "benchmarks.probe", what, str(root)], capture_output=True,
                             text=True, env=env, cwd=code)
    if process.returncode != 0:
        raise RuntimeError(f"benchmark probe '{what}' failed on {root}:\n{process.stderr.strip()}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _clean(root: Path) -> None:
    for folder in (root / "build", root / ".charter-cache"):
        shutil.rmtree(folder, ignore_errors=True)


def _edit_prose(root: Path, run: int) -> None:
    path = root / "manuscript" / "05-conclusion.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMore work on social support is needed.\n",
                    encoding="utf-8")


def _edit_study(root: Path, run: int) -> None:
    path = sorted((root / "studies").glob("*.yaml"))[len(list((root / "studies").glob("*.yaml"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("research_question: \"", "research_question: \"Also ", 1), encoding="utf-8")


FLOOR_MAX = 1000  # above this many studies the floor (plain pandoc, twice) takes many minutes: not measured


def measure(size: int, runs: int, workdir: Path, log: TextIO, code: Path = REPO, floor: bool = True) -> dict:
    """Every measurement at one size: {name: [report, …]} over the runs."""
    root = generate(size, workdir / f"review-{size}")
    results: dict[str, list[dict]] = {}

    def take(name: str, what: str) -> dict:
        report = probe(what, root, code)
        results.setdefault(name, []).append(report)
        print(f"  {size:>5} studies  {name:<24} {report['seconds']:8.2f} s  {report.get('cpu', 0):8.2f} s CPU  "
              f"{report['peak_mib']:7.0f} MiB (own {report.get('self_mib', 0):.0f}, largest child "
              f"{report.get('largest_child_mib', 0):.0f})", file=log, flush=True)
        return report

    for run in range(runs):
        take("check", "check")
        _clean(root)
        take("build", "build")
        take("no-op rebuild", "build")
        if floor:
            take("floor: DOCX", "floor-docx")
            take("floor: PDF", "floor-pdf")
        _edit_prose(root, run)
        take("rebuild: prose edit", "build")
        _edit_study(root, run)
        take("rebuild: one study edit", "build")
    return results


def _median(reports: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in reports)


def _stage_median(reports: list[dict], stage: str) -> float | None:
    values = [dict(r.get("stages", [])).get(stage) for r in reports]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(size: int, results: dict) -> dict:
    """Medians of one size: seconds and MiB by row name."""
    row: dict[str, float | None] = {"check": _median(results["check"])}
    stages = dict.fromkeys(name for report in results["build"] for name, _ in report.get("stages", []))
    for stage in stages:
        row[f"  {stage}"] = _stage_median(results["build"], stage)
    row["build (clean)"] = _median(results["build"])
    row["build (clean): CPU"] = _median(results["build"], "cpu")
    if "floor: DOCX" in results:
        floor_docx = _median(results["floor: DOCX"])
        floor_pdf = _median(results["floor: PDF"])
        row["floor: pandoc → DOCX"] = floor_docx
        row["floor: pandoc → Typst"] = _stage_median(results["floor: PDF"], "pandoc → Typst")
        row["floor: Typst → PDF"] = _stage_median(results["floor: PDF"], "Typst → PDF")
        row["floor (DOCX + PDF)"] = floor_docx + floor_pdf
        row["floor (DOCX + PDF): CPU"] = _median(results["floor: DOCX"], "cpu") + _median(results["floor: PDF"], "cpu")
        row["build / floor"] = row["build (clean)"] / row["floor (DOCX + PDF)"]
    row["no-op rebuild: new process"] = _median(results["no-op rebuild"])
    row["no-op rebuild: build() call"] = statistics.median(
        sum(seconds for _, seconds in report.get("stages", [])) for report in results["no-op rebuild"])
    row["rebuild: prose edit"] = _median(results["rebuild: prose edit"])
    row["rebuild: prose edit: CPU"] = _median(results["rebuild: prose edit"], "cpu")
    row["rebuild: one study edit"] = _median(results["rebuild: one study edit"])
    row["rebuild: one study edit: CPU"] = _median(results["rebuild: one study edit"], "cpu")
    row["peak MiB: check"] = _median(results["check"], "peak_mib")
    row["peak MiB: build"] = _median(results["build"], "peak_mib")
    row["peak MiB: build's own process"] = _median(results["build"], "self_mib")
    row["peak MiB: build's largest child"] = _median(results["build"], "largest_child_mib")
    if "floor: DOCX" in results:
        row["peak MiB: floor DOCX"] = _median(results["floor: DOCX"], "peak_mib")
        row["peak MiB: floor PDF"] = _median(results["floor: PDF"], "peak_mib")
    return row


# Issue 13's targets for large reviews, checked when the sizes include LINEAR_FROM and LARGE.
LINEAR_FROM, LARGE = 300, 3000
TARGETS = {"clean build wall (s)": 60.0, "per-study time vs 300": 1.3, "peak MiB": 1536.0, "edit wall (s)": 30.0}


def targets(summaries: dict[int, dict]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the largest size measured, against 300 studies for linearity."""
    large = max(summaries)
    row = summaries[large]
    own, child = row["peak MiB: build's own process"], row["peak MiB: build's largest child"]
    checks = [(f"clean build of {large:,} studies < {TARGETS['clean build wall (s)']:.0f} s wall",
               f"{row['build (clean)']:.1f} s wall, {row['build (clean): CPU']:.1f} s CPU",
               row["build (clean)"] < TARGETS["clean build wall (s)"]),
              (f"peak memory of the build, its processes added up < {TARGETS['peak MiB']:,.0f} MiB",
               f"{row['peak MiB: build']:,.0f} MiB (own process {own:,.0f}, largest child {child:,.0f})",
               row["peak MiB: build"] < TARGETS["peak MiB"])]
    for edit in ("one study edit", "prose edit"):
        checks.append((f"an edit at {large:,} studies ({edit}) < {TARGETS['edit wall (s)']:.0f} s",
                       f"{row[f'rebuild: {edit}']:.1f} s wall, {row[f'rebuild: {edit}: CPU']:.1f} s CPU",
                       row[f"rebuild: {edit}"] < TARGETS["edit wall (s)"]))
    if LINEAR_FROM in summaries and large > LINEAR_FROM:
        small = summaries[LINEAR_FROM]
        for what, key in (("CPU", "build (clean): CPU"), ("wall", "build (clean)")):
            ratio = (row[key] / large) / (small[key] / LINEAR_FROM)
            checks.append((f"time per study at {large:,} within {TARGETS['per-study time vs 300']}× of {LINEAR_FROM} "
                           f"({what})", f"{ratio:.2f}×", ratio <= TARGETS["per-study time vs 300"]))
    return checks


def table(summaries: dict[int, dict]) -> str:
    """The medians side by side as a Markdown table, sizes as columns, with growth per study."""
    sizes = sorted(summaries)
    names = list(dict.fromkeys(name for size in sizes for name in summaries[size]))
    head = "| measured (median) | " + " | ".join(f"{s:,} studies" for s in sizes) + " |"
    if len(sizes) > 1:
        head += f" growth {sizes[0]:,}→{sizes[-1]:,} |"
    lines = [head, "|---" * (len(sizes) + 1 + (len(sizes) > 1)) + "|"]
    for name in names:
        values = [summaries[s].get(name) for s in sizes]
        if name == "build / floor":
            cells = ["–" if v is None else f"{v:.2f}×" for v in values]
        elif name.startswith("peak"):
            cells = ["–" if v is None else f"{v:,.0f}" for v in values]
        else:
            cells = ["–" if v is None else f"{v:.2f} s" for v in values]
        line = f"| {name.replace('  ', '· ')} | " + " | ".join(cells) + " |"
        if len(sizes) > 1:
            first, last = values[0], values[-1]
            line += (f" {last / first:.1f}× |" if first and last and name != "build / floor" else " |")
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(sizes: Sequence[int] = (30, 300, 3000), runs: int = 3, out: TextIO | None = None,
         json_path: str | Path | None = None, keep: str | Path | None = None,
         floor_max: int = FLOOR_MAX) -> dict[int, dict]:
    """Run the benchmark for every size and print the table; return the medians by size."""
    out = out or sys.stdout
    load = os.getloadavg()[0]
    print(f"charter benchmark: sizes {', '.join(map(str, sizes))}, {runs} run(s) each, "
          f"{os.cpu_count()} cores, load average {load:.2f} at start", file=out, flush=True)
    summaries, raw = {}, {}
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="charter-bench-"))
    try:
        code = freeze_code(workdir)
        for size in sizes:
            raw[size] = measure(size, runs, workdir, out, code, floor=size <= floor_max)
            summaries[size] = summarise(size, raw[size])
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at end (timings are noisy when other work runs)\n", file=out)
    print(table(summaries), file=out)
    for target, measured, met in targets(summaries):
        print(f"{'met    ' if met else 'MISSED '} {target}: {measured}", file=out)
    if json_path:
        Path(json_path).write_text(json.dumps({"summaries": summaries, "raw": raw}, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return summaries


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300,3000", help="numbers of studies, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--json", help="also write every measurement to this JSON file")
    parser.add_argument("--keep", help="generate the reviews in this folder and keep them")
    parser.add_argument("--floor-max", type=int, default=FLOOR_MAX, help="largest size whose floor is measured")
    arguments = parser.parse_args()
    main([int(s) for s in arguments.sizes.split(",")], arguments.runs, json_path=arguments.json, keep=arguments.keep,
         floor_max=arguments.floor_max)
