"""Warn when the manuscript has Chinese, Japanese or Korean text and no font can draw it.

Typst falls back to any installed font that covers a character, silently: with
no CJK font on the machine it draws empty boxes and the PDF's text layer loses
the names, with no warning at all. So we look before compiling.
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Iterable, Mapping

from charter.model import Location, Problem

# CJK ideographs (with extension A and compatibility ideographs), kana, Hangul syllables.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Families that cover CJK, by name: Typst's font list says nothing about coverage.
_CJK_FAMILY = re.compile(
    r"CJK|WenQuanYi|Source Han|Noto (Sans|Serif) (SC|TC|HK|JP|KR)|Droid Sans Fallback|AR PL|"
    r"SimSun|SimHei|YaHei|PingFang|Hiragino|Heiti|Songti|Kaiti|MS Gothic|MS Mincho|Meiryo|Yu Gothic|"
    r"Malgun|Nanum|Unifont|HanaMin|IPA(ex)?(Gothic|Mincho)|Takao|Sarasa",
    re.I,
)

INSTALL_HINT = "install a CJK font (Debian/Ubuntu: apt-get install fonts-wqy-microhei; macOS and Windows have one)"

_searched = None  # typst.Fonts, once searched
_search_lock = threading.Lock()


def typst_fonts():
    """The fonts Typst finds on this computer (its own and the system's), searched once until ``search_again``.

    Without them (``font_paths=``) every ``typst.compile`` searches the system's fonts again, holding
    Python's lock for 15–40 ms each time; a clean build compiles three times (the diagram's SVG and
    PNG, the manuscript) and asks for the families twice. Given the same search's result, Typst
    lays out with the same fonts and writes the same bytes.
    """
    global _searched
    with _search_lock:
        if _searched is None:
            import typst

            _searched = typst.Fonts()
        return _searched


def search_again() -> None:
    """Forget the fonts found: the next ``typst_fonts`` searches (each build does, so a font installed
    while ``invoke watch`` runs is found by its next build)."""
    global _searched
    with _search_lock:
        _searched = None


def missing_cjk_font(anchors: Mapping[str, dict], font_families: Callable[[], Iterable[str]]) -> list[Problem]:
    """Return one warning per source with CJK text when no installed font family covers CJK.

    ``anchors`` is the build's anchor manifest (source, line, field, text of each
    block and Table 1 cell); ``font_families`` is only called when CJK text exists.
    """
    places: dict[tuple[str, str], Location] = {}
    for anchor in anchors.values():
        if _CJK.search(anchor.get("text") or ""):
            source = anchor.get("source") or ""
            places.setdefault((source, anchor.get("field") or ""), Location(source, anchor.get("line") or 0))
    if not places or any(_CJK_FAMILY.search(family) for family in font_families()):
        return []
    return [Problem(where, field, "has Chinese, Japanese or Korean text, but no installed font can draw it: "
                    f"the PDF would show empty boxes; {INSTALL_HINT}", "warning")
            for (_, field), where in places.items()]
