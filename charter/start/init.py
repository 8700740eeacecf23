"""``charter init FOLDER``: write a new review that checks and builds at once.

The files come from ``charter/starter/`` (inside the package, so a wheel
install has them): ``common/`` for every review, ``scoping/`` or
``systematic/`` for the manuscript sections PRISMA-ScR or PRISMA 2020 asks
for. A few ``@@NAME@@`` markers are filled in; the count placeholders
(``{{ n.included }}``) are left for the build.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from charter import PACKAGE_DIR, __version__
from charter.paths import link_on_the_way
from charter.model import Location
from charter.sources.styles import DEFAULT_STYLE, resolve_style

STARTER = PACKAGE_DIR / "starter"
REVIEW_TYPES = ("scoping", "systematic")
# Starter files stored under another name: a package cannot reliably ship dot-files.
RENAMED = {"gitignore": ".gitignore", "manuscript.yml": ".github/workflows/manuscript.yml"}
ABSTRACT = {
    "scoping": "background, objectives, eligibility criteria, sources of evidence, charting methods, results, "
               "conclusions",
    "systematic": "background, objectives, methods, results, discussion, other: funding and registration",
}


# Where a new review reports the items no heading of the starter carries: the PRISMA 2020 for
# Abstracts items are all in the structured abstract (docs/submission.md, "Saying where an item is reported").
CHECKLIST = {
    "scoping": "",
    "systematic": "\n# Where the PRISMA 2020 for Abstracts items are reported (docs/submission.md): the\n"
                  "# structured abstract in manuscript/metadata.yaml; make sure it says each of them.\n"
                  "checklist:\n" + "".join(f"  A{n}: abstract\n" for n in range(2, 13)),
}


class InitError(Exception):
    """A reason not to write the review; the message says what to do."""


def starter_files(review_type: str) -> dict[str, Path]:
    """Map each file a new review gets (path inside the review) to its starter file."""
    files: dict[str, Path] = {}
    for folder in (STARTER / "common", STARTER / review_type):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(folder).as_posix()
                files[RENAMED.get(rel, rel)] = path
    return files


def installed_requirement() -> str:
    """What `pip install` needs to get this Charter again: its git URL and commit when installed from git."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        direct = distribution("charter").read_text("direct_url.json")
    except PackageNotFoundError:
        direct = None
    info = json.loads(direct) if direct else {}
    vcs = info.get("vcs_info", {})
    if vcs.get("vcs") == "git" and info.get("url", "").startswith(("https://", "ssh://", "git@")):
        return f"charter @ git+{info['url']}@{vcs.get('commit_id', '')}".rstrip("@")
    return f"charter=={__version__}"


def init_review(folder: Path, review_type: str = "scoping", style: str | None = None,
                title: str | None = None, force: bool = False) -> list[str]:
    """Write a new review into folder; return the files written (relative paths)."""
    if review_type not in REVIEW_TYPES:
        raise InitError(f"--type must be scoping or systematic, not '{review_type}'")
    style = style or DEFAULT_STYLE
    path, problems = resolve_style(style, folder, Location("--style"))
    if path is None:
        raise InitError("; ".join(problem.message for problem in problems).replace("'csl'", "--style"))
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is a file: name a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InitError(f"{folder} is not empty: name a new or empty folder, or add --force to write the review "
                        "files into it (files of the same name are overwritten; nothing else is touched)")
    title = title or ("TODO: the title of your scoping review" if review_type == "scoping"
                      else "TODO: the title of your systematic review")
    # the title and style as YAML double-quoted strings (JSON's are): a backslash, quote or '#' stays text
    values = {"@@TYPE@@": review_type, "@@STYLE@@": style if re.fullmatch(r"[\w./-]+", style) else json.dumps(style, ensure_ascii=False),
              '"@@TITLE@@"': json.dumps(title, ensure_ascii=False),
              "@@ABSTRACT@@": ABSTRACT[review_type], "@@CHECKLIST@@\n": CHECKLIST[review_type],
              "@@REQUIREMENT@@": installed_requirement()}
    linked = [link for rel in starter_files(review_type) if (link := link_on_the_way(folder, rel))]
    if linked:  # a folder with planted links (e.g. review.yaml -> ~/.bashrc): --force must not write through them
        raise InitError(f"{linked[0]} is a symbolic link: Charter writes only real files of the review, never through "
                        f"a link (it could lead anywhere on the disk); delete it or name a new or empty folder")
    written = []
    for rel, source in starter_files(review_type).items():
        text = source.read_text(encoding="utf-8")
        for marker, value in values.items():
            text = text.replace(marker, value)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(rel)
    return written


def main(argv: list[str] | None = None) -> int:
    """The ``charter`` console script."""
    parser = argparse.ArgumentParser(prog="charter", description="Charter: manuscripts of systematic and scoping "
                                     "reviews. Run the review's tasks with invoke (invoke --list).")
    parser.add_argument("--version", action="version", version=f"charter {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    init = commands.add_parser("init", help="write a new review into FOLDER",
                               description="Write a new review that `invoke check` and `invoke build` accept at "
                                           "once: review.yaml, studies/, bib/, manuscript/, tasks.py, .gitignore "
                                           "and a GitHub workflow.")
    init.add_argument("folder", type=Path, help="a new or empty folder")
    init.add_argument("--type", dest="review_type", default="scoping", choices=REVIEW_TYPES,
                      help="scoping (PRISMA-ScR sections, the default) or systematic (PRISMA 2020)")
    init.add_argument("--style", default=DEFAULT_STYLE, help="the journal's citation style: a CSL style id such as "
                      f"apa or vancouver, or a .csl file (default {DEFAULT_STYLE})")
    init.add_argument("--title", help="the review's title")
    init.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    args = parser.parse_args(argv)
    if args.command != "init":
        parser.print_help()
        return 2
    try:
        written = init_review(args.folder, args.review_type, args.style, args.title, args.force)
    except InitError as error:
        print(f"charter init: {error}", file=sys.stderr)
        return 1
    print(f"wrote a new {args.review_type} review in {args.folder} ({len(written)} files). Next:")
    print(f"  cd {args.folder}")
    print("  invoke check && invoke build    # builds build/manuscript.docx and .pdf straight away")
    print("Then fill in review.yaml, manuscript/ (every TODO) and bib/; replace studies/example2024.yaml with your "
          "studies (invoke new-study KEY, or invoke import-studies FILE for a spreadsheet).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
