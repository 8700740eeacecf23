"""Whether a review is large enough that its citations might be formatted in groups, answered cheaply.

``charter.compile.citations`` decides (the style, the document, this pandoc's speed), but importing it
(with xml.etree) takes 15–20 ms, on the way to pandoc's start in every build. A review with
fewer than ``MIN_WORKS`` entries in its .bib files is always formatted in one plain run, and
every entry starts with '@', so counting that byte in the files rules most reviews out without
the import (docs/performance.md, issue 13 part 6).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

# Below this many works in the .bib files the plain run is as fast (measured: docs/performance.md).
MIN_WORKS = 400


def certainly_plain(bibliographies: Iterable[Path]) -> bool:
    """True when the citations are certainly formatted in one plain run: fewer '@' in the .bib files
    than ``MIN_WORKS`` (so fewer entries), and no CHARTER_CITATIONS=groups asking for groups anyway.

    False means "ask ``charter.compile.citations.format_citations``", also when a file cannot be read
    (it then reports the error as before).
    """
    if os.environ.get("CHARTER_CITATIONS", "auto") == "groups":
        return False
    entries = 0
    for bib in bibliographies:
        try:
            entries += Path(bib).read_bytes().count(b"@")  # '@' is one byte in UTF-8 and in no other character
        except OSError:
            return False
        if entries >= MIN_WORKS:
            return False
    return True
