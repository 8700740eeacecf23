"""Charter: build a review manuscript (DOCX and PDF) from study files, and prove its numbers.

The package is grouped by pipeline stage: ``sources`` (read and validate what the
authors wrote) → ``document`` (counts, placeholders, Table 1, the flow diagram,
the one Markdown document) → ``compile`` (pandoc, citeproc, Typst, cached stages)
→ ``checking`` (``invoke check``); beside them ``revision`` (the review loop),
``submission`` (``invoke submit``) and ``start`` (init, import, export). Shared
plain data and rules live at the top: ``model``, ``paths``, ``limits``,
``wording``, ``suggest``; ``tasks`` is the thin invoke layer.
"""

from pathlib import Path

__version__ = "0.1.0"

# The installed package's folder: the resources a build needs (filters/, templates/,
# resources/, starter/) ship inside it, so a wheel install works, not only a checkout.
PACKAGE_DIR = Path(__file__).resolve().parent
