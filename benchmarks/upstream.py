"""Time citeproc's given-name disambiguation by pandoc version: the reproduction for the upstream report.

    python -m benchmarks.upstream --works 500,1000 PANDOC [PANDOC ...]

For each size, writes a document citing that many works with distinct family
names, a .bib file, and two styles that differ only in
``disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name"``
(``charter.compile.citations.probe_files``), then prints the CPU time of
``pandoc doc.md --citeproc --csl STYLE --bibliography refs.bib -t json`` with
each style and each pandoc given (e.g. older ones unpacked from
``pip download pypandoc-binary==1.10`` wheels). A ratio near 1 means the
pandoc is not affected; ``charter.compile.citations.MEASURED`` records the answers.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from charter.compile.citations import probe_files


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(pandoc: str, works: int, folder: Path, runs: int = 1) -> tuple[float, float]:
    """Median CPU seconds of citeproc with the primary-name style and without given-name disambiguation."""
    markdown, bib, slow, fast = probe_files(folder, works)
    result = []
    for style in (slow, fast):
        times = []
        for _ in range(runs):
            before = _cpu()
            subprocess.run([pandoc, str(markdown), "--citeproc", "--csl", str(style), "--bibliography", str(bib),
                            "-t", "json", "-o", str(folder / "out.json")], check=True)
            times.append(_cpu() - before)
        result.append(sorted(times)[len(times) // 2])
    return result[0], result[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pandoc", nargs="+", help="pandoc executables to compare")
    parser.add_argument("--works", default="500,1000", help="numbers of cited works, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement (the median is printed)")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="charter-upstream-"))
    try:
        print("| works | pandoc | primary-name (s CPU) | without (s CPU) | ratio |\n|---|---|---|---|---|")
        for works in (int(w) for w in arguments.works.split(",")):
            for pandoc in arguments.pandoc:
                version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
                slow, fast = measure(pandoc, works, folder, arguments.runs)
                print(f"| {works:,} | {version} | {slow:.2f} | {fast:.2f} | {slow / fast:.1f}× |", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
