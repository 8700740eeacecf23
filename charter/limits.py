"""Charter's size limits on what authors write, and the one way each is reported.

A limit is the honest answer to input no review needs and that would make a
tool down the line (pandoc, Typst, Word) crash or run for minutes: a number with
thousands of digits, a 50 MB table cell, lists nested hundreds deep. Every
limit is far above what a real review writes, is checked before pandoc ever
sees the text, and is named in the error with what to do (docs/format.md,
"Limits").
"""

from __future__ import annotations

# Files, checked on their size in bytes before they are read as text.
YAML_FILE_BYTES = 1_000_000        # a study file is ~2 kB, review.yaml ~10 kB
SECTION_FILE_BYTES = 2_000_000     # a whole review's text is ~100 kB
BIB_FILE_BYTES = 20_000_000        # a 5,000-entry Zotero export with abstracts is ~10 MB
CSL_FILE_BYTES = 2_000_000         # the largest CSL style in the Zotero repository is ~150 kB
IMAGE_FILE_BYTES = 50_000_000      # one figure; a 600 ppi full-page TIFF is ~30 MB
SHEET_FILE_BYTES = 20_000_000      # an extraction sheet (CSV, XLSX): 1,000 studies x 200 columns is ~5 MB

IMAGE_PIXELS = 50_000_000          # one raster figure: a full A4 page at 600 ppi is 35 million pixels; a 1 MB PNG
                                   # can claim billions, which Typst and Word would unpack into gigabytes

# Spreadsheets given to invoke import-studies.
SHEET_ROWS = 50_000                # rows (a Covidence export has one per study and reviewer)
SHEET_COLUMNS = 2_000              # columns (an extraction form has a few hundred fields at most)

# Values.
TEXT_CHARACTERS = 20_000           # one YAML text value (a finding, a caption, the abstract)
BIB_FIELD_CHARACTERS = 20_000      # one .bib field (a title, an abstract)
COUNT_MAX = 10_000_000_000         # ten billion: more than the world's population
SENTENCE_CHARACTERS = 5_000        # one sentence (or list without full stops), for the number check
SENTENCE_NUMBERS = 100             # numbers in one sentence, for the number check (prose has a few)
NESTING_DEPTH = 10                 # block quotes and lists inside each other (Word shows 9 list levels)
YAML_NESTING_DEPTH = 100           # lists and mappings inside each other in YAML (review data needs ~5;
                                   # libyaml's composer crashes the process past ~25,000)


def megabytes(size: int) -> str:
    """A size in bytes as people say it: '1 MB', '2.5 MB'."""
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".") + " MB"


def too_big(size: int, limit: int, what: str) -> str | None:
    """The message for a file over its size limit, or None."""
    if size <= limit:
        return None
    return (f"the file is {megabytes(size)}, over Charter's limit of {megabytes(limit)} for {what}; "
            "this is far more than any review needs: check that it is the right file")
