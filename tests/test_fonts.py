"""Chinese, Japanese and Korean names: drawn in the PDF, or a warning that says how to make it so."""

from __future__ import annotations

import json

import pytest
from pypdf import PdfReader

from charter.compile.build import build
from charter.document.fonts import missing_cjk_font
from charter.compile.pandoc import font_families
from conftest import write_files
from projects import minimal_project_files

ANCHORS = {
    "ch_t0001": {"kind": "table", "source": "studies/li2020.yaml", "line": 9, "field": "participants.description",
                 "text": "Caregivers in Chengdu (李娜 and colleagues)"},
    "ch_t0002": {"kind": "table", "source": "studies/li2020.yaml", "line": 12, "field": "findings.0",
                 "text": "No CJK here"},
    "ch_p0001": {"kind": "prose", "source": "manuscript/01-intro.md", "line": 3, "field": None, "text": "Plain text"},
}


def test_cjk_text_without_a_cjk_font_is_a_warning_at_its_source():
    (warning,) = missing_cjk_font(ANCHORS, lambda: ["Libertinus Serif", "DejaVu Sans"])
    assert str(warning) == (
        "studies/li2020.yaml:9: participants.description: has Chinese, Japanese or Korean text, but no installed "
        "font can draw it: the PDF would show empty boxes; install a CJK font (Debian/Ubuntu: apt-get install "
        "fonts-wqy-microhei; macOS and Windows have one)")
    assert warning.severity == "warning"


def test_no_warning_with_a_cjk_font_or_without_cjk_text():
    assert missing_cjk_font(ANCHORS, lambda: ["Libertinus Serif", "Noto Sans CJK SC"]) == []
    never_asked = lambda: pytest.fail("the font list is read only when there is CJK text")  # noqa: E731
    assert missing_cjk_font({"ch_p0001": ANCHORS["ch_p0001"]}, never_asked) == []


@pytest.mark.skipif(missing_cjk_font(ANCHORS, font_families) != [],
                    reason="no CJK font installed here (.ci/run installs fonts-wqy-microhei)")
def test_chinese_names_reach_the_pdf_text(tmp_path):
    files = minimal_project_files()
    study = files["studies/berg2018.yaml"]
    files["studies/berg2018.yaml"] = study.replace(
        "  - Friends offered a sense of ordinary life.", "  - " + json.dumps("Li Na (李娜) and Zhang Wei (张伟) agreed."))
    files["manuscript/02-findings.md"] = "# Findings\n\n@tbl-studies lists the studies.\n\n{{ table:studies }}\n"
    result = build(write_files(tmp_path, files), formats=("pdf",), verbose=False)
    text = "".join(page.extract_text() for page in PdfReader(str(result.outputs["pdf"])).pages)
    assert "李娜" in text and "张伟" in text
    assert not [w for w in result.warnings if "Chinese" in str(w)]
