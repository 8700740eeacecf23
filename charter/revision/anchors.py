"""The anchor manifest: what each anchor the build wrote says, checked before anything trusts it.

The build writes ``build/manuscript.anchors.json`` and embeds the same map in
the DOCX, so a returned file can be traced to its sources. A returned file
comes from outside, though: its map may be damaged or crafted. ``check_manifest``
turns the raw JSON into a clean ``{anchor: entry}`` map, or says what is wrong
with it; every entry must point at a file the build could have produced an
anchor for (a section, metadata.yaml, review.yaml or a study file, by its
project-relative name). ``charter.revision.review`` lists with the result and
``charter.revision.apply`` writes with it; neither reads an entry this module refused.
"""

from __future__ import annotations

import re
from typing import Any

# Where each kind of anchor can come from (the build never writes others).
KINDS = {
    "prose": "a manuscript section (manuscript/*.md)",
    "table": "a study file (studies/*.yaml)",
    "metadata": "manuscript/metadata.yaml",
    "figure": "review.yaml",
}
ANCHOR_NAME = re.compile(r"ch_[a-z]\d{4,6}")
# A manifest of a real manuscript holds a few thousand anchors; more is not a manuscript.
MAX_ANCHORS = 200_000
MAX_TEXT = 1_000_000  # characters of source text in one entry

_SECTION = re.compile(r"manuscript/[^/\\.][^/\\]*\.md")
_STUDY = re.compile(r"studies/[^/\\.][^/\\]*\.yaml")


class BadManifest(ValueError):
    """The anchor manifest is damaged, or points somewhere the build never writes."""


def source_kind(path: str) -> str | None:
    """Which kind of source a project-relative path names ('prose', 'table', …), or None for any other file."""
    if not isinstance(path, str) or "\x00" in path or "\r" in path or "\n" in path:
        return None
    if _SECTION.fullmatch(path) and path != "manuscript/metadata.yaml":
        return "prose"
    if _STUDY.fullmatch(path):
        return "table"
    if path == "manuscript/metadata.yaml":
        return "metadata"
    if path == "review.yaml":
        return "figure"
    return None


def _entry_problem(name: str, entry: Any) -> str:
    """What is wrong with one manifest entry, or ''."""
    if not isinstance(entry, dict):
        return f"anchor {name} is not a map of source, line and text"
    kind = entry.get("kind", "prose")
    if kind not in KINDS:
        return f"anchor {name} has an unknown kind {str(kind)[:40]!r}"
    source = entry.get("source")
    if not isinstance(source, str) or not source:
        return f"anchor {name} names no source file"
    if source_kind(source) != kind:
        shown = source if len(source) <= 80 else source[:77] + "..."
        if source_kind(source) is None:
            return f"anchor {name} points at {shown!r}, which is not a source file of this review"
        return f"anchor {name} ({kind}) points at {shown!r}, but a {kind} anchor can only come from {KINDS[kind]}"
    line = entry.get("line")
    if line is not None and (type(line) is not int or not 0 <= line <= 10_000_000):
        return f"anchor {name}: line must be a whole number, not {str(line)[:40]!r}"
    field = entry.get("field")
    if field is not None and (not isinstance(field, str) or len(field) > 200):
        return f"anchor {name}: field must be a short text"
    text = entry.get("text", "")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        return f"anchor {name}: text must be a text of at most {MAX_TEXT:,} characters"
    placeholders = entry.get("placeholders") or []
    if not isinstance(placeholders, list) or not all(
            isinstance(p, dict) and isinstance(p.get("name", ""), str) and isinstance(p.get("text", ""), str)
            for p in placeholders):
        return f"anchor {name}: placeholders must be a list of {{name, text}} maps"
    return ""


def check_manifest(manifest: Any) -> dict[str, dict]:
    """Return the manifest's anchors ``{name: entry}``, every entry checked; raise BadManifest otherwise.

    An entry keeps the keys kind, source, line, field, text and placeholders.
    """
    if not isinstance(manifest, dict):
        raise BadManifest("the anchor map is not a JSON object")
    anchors = manifest.get("anchors")
    if not isinstance(anchors, dict):
        raise BadManifest("the anchor map has no 'anchors' object")
    if len(anchors) > MAX_ANCHORS:
        raise BadManifest(f"the anchor map holds {len(anchors):,} anchors, more than the {MAX_ANCHORS:,} a "
                          "manuscript can have")
    checked = {}
    for name, entry in anchors.items():
        if not ANCHOR_NAME.fullmatch(name):
            raise BadManifest(f"the anchor map holds {name[:40]!r}, which is not an anchor name the build writes")
        problem = _entry_problem(name, entry)
        if problem:
            raise BadManifest(problem)
        checked[name] = {
            "kind": entry.get("kind", "prose"),
            "source": entry["source"],
            "line": entry.get("line"),
            "field": entry.get("field"),
            "text": entry.get("text") or "",
            "placeholders": [{"name": p.get("name", ""), "text": p.get("text", "")}
                             for p in entry.get("placeholders") or []],
        }
    return checked


def placeholder_hits(entry: dict, original: str, start: int, end: int, inserted: str = "") -> list[dict]:
    """The placeholders of a prose entry whose rendered number a change touches."""
    hits = []
    for placeholder in entry.get("placeholders") or ():
        shown = placeholder.get("text") or ""
        if not shown:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(shown)}(?!\w)", original):
            lo, hi = match.span()
            if start < end:
                touched = start < hi and end > lo
            else:  # an insertion at one point
                touched = lo < start < hi or (start == hi and inserted[:1].isalnum()) or (
                    start == lo and inserted[-1:].isalnum())
            if touched:
                hits.append(placeholder)
                break
    return hits
