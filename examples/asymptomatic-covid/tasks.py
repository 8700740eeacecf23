"""Tasks of the example review: the same invoke tasks as the repository root, run on this folder."""

import importlib.util
from pathlib import Path

# Load the root tasks.py under another name, then point its ROOT at this project folder.
_spec = importlib.util.spec_from_file_location("charter_root_tasks", Path(__file__).resolve().parents[2] / "tasks.py")
_root = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_root)
_root.ROOT = Path(__file__).resolve().parent
check, counts, build, review = _root.check, _root.counts, _root.build, _root.review
