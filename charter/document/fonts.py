"""Warn when the manuscript has Chinese, Japanese or Korean text and no font can draw it.

Typst falls back to any installed font that covers a character, silently: with
no CJK font on the machine it draws empty boxes and the PDF's text layer loses
the names, with no warning at all. So we look before compiling.
"""

from __future__ import annotations

import re
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
