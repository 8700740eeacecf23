"""Charter is a normal package: a wheel holds everything a build reads, and a wheel install builds a new review.

The wheel is built from a copy of the sources (pyproject.toml, README.md,
charter/), so setuptools' own build/ folder never lands in the reference
review's build/. The install test uses a new virtual environment that sees
this machine's third-party packages (no network in tests) but not this
checkout: PYTHONPATH is dropped, and the test asserts that charter is
imported from the venv. .ci/run does the same with a venv that sees nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / "README.md", source)
    shutil.copytree(REPO / "charter", source / "charter", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    process = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                              "-w", str(dist), "-q"], capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    (built,) = dist.glob("charter-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = [p.relative_to(REPO).as_posix() for p in (REPO / "charter").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts]
    missing = [name for name in package if name not in names]
    assert not missing, f"files of charter/ missing from the wheel (add them to package-data): {missing}"
    for needed in ("charter/templates/manuscript.typ", "charter/templates/make_reference_docx.py",
                   "charter/filters/charter.lua", "charter/starter/common/review.yaml"):
        assert needed in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "charter = charter.start.init:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_a_wheel_install_builds_a_new_review(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bin_dir = env_dir / "bin"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        process = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
        assert process.returncode == 0, f"{args}: {process.stdout}\n{process.stderr}"
        return process

    run(str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel))
    where = run(str(bin_dir / "python"), "-c", "import charter; print(charter.__file__)").stdout.strip()
    assert where.startswith(str(env_dir)), f"charter was imported from {where}, not from the wheel"
    run(str(bin_dir / "charter"), "init", "review", "--type", "systematic")
    review = tmp_path / "review"
    run(str(bin_dir / "python"), "-m", "invoke", "check", "--strict", cwd=review)
    run(str(bin_dir / "python"), "-m", "invoke", "build", cwd=review)
    assert (review / "build" / "manuscript.docx").stat().st_size > 0
    assert (review / "build" / "manuscript.pdf").read_bytes().startswith(b"%PDF")

    # the "done when": a 100-row extraction workbook in, a clean manuscript out, no script of one's own
    run(str(bin_dir / "python"), str(REPO / ".ci" / "extraction_sheet.py"), str(review))
    imported = run(str(bin_dir / "python"), "-m", "invoke", "import-studies", "extraction.xlsx", "--mapping",
                   "mapping.yaml", cwd=review)
    assert "extraction.xlsx: 100 rows: 100 created" in imported.stdout
    checked = run(str(bin_dir / "python"), "-m", "invoke", "check", "--strict", cwd=review)
    assert "0 errors, 0 warnings — 100 studies" in checked.stdout
    run(str(bin_dir / "python"), "-m", "invoke", "build", cwd=review)
    table = docx.Document(str(review / "build" / "manuscript.docx")).tables[0]
    assert sum("Method 99" in cell.text for row in table.rows for cell in row.cells) == 1


def test_the_sdist_holds_every_file_of_the_package(tmp_path):
    import tarfile

    source = tmp_path / "source"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / "README.md", source)
    shutil.copytree(REPO / "charter", source / "charter", ignore=shutil.ignore_patterns("__pycache__"))
    process = subprocess.run([sys.executable, "-c", "from setuptools import build_meta as b; "
                              f"print(b.build_sdist({str(tmp_path / 'dist')!r}))"], cwd=source, capture_output=True,
                             text=True)
    assert process.returncode == 0, process.stderr
    (sdist,) = (tmp_path / "dist").glob("charter-*.tar.gz")
    names = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
    package = [p.relative_to(REPO).as_posix() for p in (REPO / "charter").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts]
    assert [name for name in package if name not in names] == []


def _declared_distributions() -> set[str]:
    """The distribution names [project].dependencies of pyproject.toml declares, normalised."""
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            for requirement in project["dependencies"]}


def test_every_library_charter_imports_is_a_declared_dependency():
    # A wheel install gets only the declared dependencies; a module imported inside a function
    # (pypdf for invoke submit and invoke checklist) fails only when that task runs, with a traceback.
    import ast
    import importlib.metadata

    distributions = importlib.metadata.packages_distributions()
    declared = _declared_distributions()
    undeclared = {}
    for path in sorted((REPO / "charter").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in (m.split(".")[0] for m in modules):
                if module in sys.stdlib_module_names or module == "charter":
                    continue
                names = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
                if not names & declared:
                    undeclared.setdefault(module, path.relative_to(REPO).as_posix())
    assert not undeclared, f"imported by charter/ but not in pyproject.toml [project].dependencies: {undeclared}"
