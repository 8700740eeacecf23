"""The README is the front door: it must stay true to the tasks and to what CI runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start_lines() -> list[str]:
    block = re.search(r"<!-- quick-start -->\s*```sh\n(.*?)```", README, re.S)
    assert block, "README.md needs its quick-start block after <!-- quick-start -->"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_quick_start_is_two_lines_one_builds_one_tests():
    build_line, test_line = quick_start_lines()
    assert "pip install" in build_line and "invoke build" in build_line
    assert "pip install" in test_line and "[test]" in test_line and "pytest" in test_line


def test_ci_runs_the_readme_test_line_not_a_copy():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "quick-start" in ci and "pytest" not in ci.replace("pytest exits", "")


def test_every_task_is_in_the_readme():
    listed = subprocess.run([sys.executable, "-m", "invoke", "--list", "--list-format", "json"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    tasks = [task["name"] for task in json.loads(listed)["tasks"]]
    assert {"build", "check", "counts", "review", "bench", "prisma-csv"} <= set(tasks)
    missing = [task for task in tasks if f"`invoke {task}" not in README]
    assert not missing, f"tasks not documented in README.md: {missing}"


def test_docs_the_readme_links_exist():
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)\)", README):
        assert (REPO / target).is_file(), f"README.md links {target}, which does not exist"
