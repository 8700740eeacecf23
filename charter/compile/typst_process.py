"""Compile a Typst source to PDF, here or in a process of its own: the same bytes either way.

Why a process of its own: Typst keeps every laid-out page until the PDF is
written, about 0.5 MiB per Table 1 row (2 GiB for a 3,000-study manuscript,
docs/performance.md). Compiled inside the build, that memory comes on top of
the build's own (pandoc's JSON as Python objects), and the operating system
does not get it back until the build ends. In a child process it is returned
the moment Typst is done, and the build's peak is the larger of the two, not
their sum. A small manuscript compiles here: starting Python and importing
Typst again costs about a tenth of a second, a tenth of a small build.

The child is ``python -m charter.compile.typst_process``: it reads one request (JSON)
on stdin and answers one outcome (JSON) on stdout, so the parent raises the
same error with the same message as when Typst runs inside it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from charter import PACKAGE_DIR

# A Typst source larger than this is compiled in a process of its own (about 800 studies:
# 300 studies make 0.4 MB of Typst and 300 MiB, 3,000 studies 3.9 MB and 2 GiB).
OWN_PROCESS_BYTES = 1_000_000


def outcome(request: dict) -> dict:
    """Compile as ``request`` says (source, output, root, inputs, timestamp); the result as plain data.

    ``{"warnings": [text, …]}``, or ``{"error": {"text", "diagnostic", "hints"}}`` when Typst failed.
    """
    import typst

    from charter.document.fonts import typst_fonts

    try:
        result = typst.compile_with_warnings(request["source"], output=request["output"], root=request["root"],
                                             sys_inputs=dict(request["inputs"]), timestamp=request["timestamp"],
                                             font_paths=typst_fonts())
    except typst.TypstError as error:
        return {"error": {"text": str(error), "diagnostic": str(getattr(error, "diagnostic", "") or ""),
                          "hints": [str(h) for h in getattr(error, "hints", []) or []]}}
    warnings = result[1] if isinstance(result, tuple) else []
    return {"warnings": [str(getattr(w, "message", w)) for w in warnings or []]}


def compile_pdf(request: dict, *, separate: bool | None = None) -> dict:
    """The outcome of compiling ``request``: in a child process when ``separate`` (default: a large source)."""
    if separate is None:
        separate = Path(request["source"]).stat().st_size > OWN_PROCESS_BYTES
    if not separate:
        return outcome(request)
    env = dict(os.environ)
    # the child imports this very package, wherever it is installed or copied from (the benchmark freezes a copy)
    package_parent = str(PACKAGE_DIR.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH", "")]))
    # in the build's working folder: Typst names files in its messages from there
    process = subprocess.run([sys.executable, "-m", "charter.compile.typst_process"], input=json.dumps(request),
                             capture_output=True, text=True, encoding="utf-8", env=env)
    try:
        answer = json.loads(process.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = None
    if process.returncode != 0 or not isinstance(answer, dict):
        # Typst crashed or ran out of memory: no diagnostic to point at a line
        reason = process.stderr.strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        return {"error": {"text": f"the Typst process stopped ({reason[0]})", "diagnostic": "", "hints": []}}
    return answer


def main() -> None:
    request = json.loads(sys.stdin.read())
    print(json.dumps(outcome(request), ensure_ascii=False))


if __name__ == "__main__":
    main()
