"""Give a new review (charter init) what a reviewer brings: 100 references and a 100-row extraction workbook.

Used by .ci/run and tests/test_package.py after installing Charter from its wheel:

    python .ci/extraction_sheet.py REVIEW_FOLDER     # writes bib/included.bib, extraction.xlsx, mapping.yaml

then ``invoke import-studies extraction.xlsx --mapping mapping.yaml``, ``invoke check`` and ``invoke build``
must give a clean manuscript with no script of the user's own. The example study of charter init is removed,
as a user would remove it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl

FAMILY = ["Smith", "Øvrebø", "Müller", "García", "Nguyen", "O'Brien", "Kowalski", "Hansen", "Li", "Okafor"]
DESIGNS = ["Qualitative", "Quantitative", "Mixed methods", "Literature review"]
MAPPING = """\
import:
  key: Citation key
  columns:
    Country: country
    Design: design.orientation
    Method: design.method
    Research question: research_question
    Participants: participants.description
    N: participants.n
    Findings: findings
    Internal validity: validity.internal
    External validity: validity.external
    Keywords: keywords
  values:
    design.orientation: {Mixed methods: mixed-methods, Literature review: review}
  fixed:
    theme: main
"""


def main(folder: str) -> None:
    root = Path(folder)
    (root / "studies" / "example2024.yaml").unlink(missing_ok=True)
    (root / "bib" / "references.bib").unlink(missing_ok=True)
    entries = []
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Extraction"
    sheet.append(["Citation key", "Country", "Design", "Method", "Research question", "Participants", "N",
                  "Findings", "Internal validity", "External validity", "Keywords"])
    for index in range(100):
        family, year, key = FAMILY[index % 10], 2000 + index // 10, f"study{index:03d}"
        entries.append(f"@article{{{key},\n  author = {{{family}, Ann}},\n  title = {{Study {index}}},\n"
                       f"  journal = {{Journal}},\n  year = {{{year}}}\n}}\n")
        sheet.append([key, "Norway; Sweden" if index % 7 == 0 else "Norway", DESIGNS[index % 4],
                      f"Method {index}", f"Question {index}?", "Adults", "NR" if index % 5 == 0 else 20 + index,
                      f"Finding A of {index}; finding B of {index}", "Small sample", "One country",
                      "support; recovery"])
    (root / "bib" / "included.bib").write_text("\n".join(entries), encoding="utf-8")
    workbook.save(root / "extraction.xlsx")
    (root / "mapping.yaml").write_text(MAPPING, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
