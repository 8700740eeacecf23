"""Keep every file a task reads inside the project folder: the one place paths and symbolic links are judged.

A review folder holds text from many hands (pull requests, returned files), so
a path written in it (an image, a CSL file) or a symbolic link placed in it
(``studies/x.yaml -> /etc/passwd``) must never make Charter read a file
elsewhere on the disk and print it into an output or a CI log.

The interface, for ``invoke build`` and ``invoke check`` alike:

* ``inside(root, path)`` — the real path (symbolic links followed) when it
  lies inside ``root``, else ``None``;
* ``refuse_outside(root, rel, where, what)`` — a Problem for a project file
  (given relative to the root) that is a link leading outside, else ``None``;
  the link's target is not named and its content is never read;
* ``source_problems(root)`` — those Problems for every input file a build
  reads (review.yaml, studies/*.yaml, bib/*.bib, manuscript/*.md,
  manuscript/metadata.yaml, templates/*);
* ``style_outside(root, csl, where)`` — a Problem when metadata.yaml's ``csl:`` is a
  .csl path outside the project (a style id names an installed style and is fine);
* ``resolve_images(root, images)`` — each image written in the text (where,
  path as written) found in manuscript/ or the project folder and inside the
  project: a map from the path as written to the file's path relative to the
  root, and a Problem at file:line for each image that is missing, absolute,
  a URL, or outside the project;
* ``link_on_the_way(root, rel)`` — for a file or folder a task is about to
  write: the first part of ``rel`` that is a symbolic link (or '' when none),
  so a planted ``studies -> /home/x`` or ``build/supplements -> /etc`` is never
  written through.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Iterable, Sequence

from charter.model import Location, Problem

# Where an image written in a section is looked for, in order (relative to the project folder).
IMAGE_FOLDERS = ("manuscript", ".")
# The folders and files of the project a build reads (their links are checked).
SOURCE_PATTERNS = (("review.yaml", None), ("studies", "*.yaml"), ("bib", "*.bib"), ("manuscript", "*.md"),
                   ("manuscript", "metadata.yaml"), ("templates", "*"))

OUTSIDE_HINT = ("Charter reads only files inside the project folder; replace the link with a copy of the file "
                "(or move the file into the project)")


def inside(root: str | Path, path: str | Path) -> Path | None:
    """Return the real path of ``path`` (relative to root, or absolute) when it is inside root, else None.

    Symbolic links are followed, at every level, before the test; ``..`` cannot climb out.
    """
    real_root = Path(os.path.realpath(root))
    candidate = Path(path) if Path(path).is_absolute() else real_root / path
    real = Path(os.path.realpath(candidate))
    if real == real_root or real_root in real.parents:
        return real
    return None


def refuse_outside(root: str | Path, rel: str, where: Location | None = None,
                   what: str = "the file") -> Problem | None:
    """A Problem when the project file ``rel`` resolves (through a link) outside the project; else None."""
    if inside(root, rel) is not None:
        return None
    return Problem(where or Location(rel), "", f"{what} is a symbolic link to a place outside the project "
                                               f"folder; {OUTSIDE_HINT}")


def style_outside(root: str | Path, csl: str | None, where: Location) -> Problem | None:
    """A Problem when ``csl`` is the path of a style file outside the project (absolute, ``..``, a link)."""
    name = (csl or "").strip()
    if not (name.endswith(".csl") or "/" in name or "\\" in name):
        return None  # a style id: one of the installed styles
    if not os.path.isabs(name) and inside(root, name) is not None:
        return None
    return Problem(where, "csl", f"the style file '{name}' is outside the project folder; copy the .csl file into "
                   "the project and give its path from the project folder, or name a style id such as 'apa'")


def source_files(root: str | Path) -> list[str]:
    """The project-relative paths of the input files a build reads, links included, sorted."""
    root = Path(root)
    found: set[str] = set()
    for folder, pattern in SOURCE_PATTERNS:
        if pattern is None:
            if os.path.lexists(root / folder):
                found.add(folder)
            continue
        base = root / folder
        if not base.is_dir() or inside(root, folder) is None:  # a linked folder is reported as a whole
            continue
        found.update(f"{folder}/{p.name}" for p in base.glob(pattern) if p.is_symlink() or p.is_file())
    return sorted(found)


def source_problems(root: str | Path) -> list[Problem]:
    """A Problem for every input file (or input folder) that is a link leading outside the project."""
    problems = []
    for rel in source_files(root):
        problem = refuse_outside(root, rel)
        if problem is not None:
            problems.append(problem)
    for folder in {folder for folder, _ in SOURCE_PATTERNS if folder != "review.yaml"}:
        if os.path.islink(Path(root) / folder) and inside(root, folder) is None:
            problems.append(refuse_outside(root, folder, what=f"the folder {folder}/"))
    return sorted(problems, key=lambda p: p.location.path)


def resolve_images(root: str | Path, images: Iterable[tuple[Location, str]],
                   folders: Sequence[str] = IMAGE_FOLDERS) -> tuple[dict[str, str], list[Problem]]:
    """Find each image written in the text inside the project: ({path as written: path from the root}, problems)."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    real_root = Path(os.path.realpath(root))
    for where, src in images:
        if src in found:
            continue
        if "://" in src or src.startswith("data:"):
            problems.append(Problem(where, "", f"image '{src}' is not a file of the project: Charter does not "
                                    "fetch images from the web; save the image in manuscript/ and give its path"))
            continue
        if os.path.isabs(src) or src.startswith(("/", "\\")) or (len(src) > 1 and src[1] == ":"):
            problems.append(Problem(where, "", f"image '{src}' is an absolute path; give the path relative to "
                                    "manuscript/ (or the project folder), with the image inside the project"))
            continue
        located, escaped = None, False
        for folder in folders:
            candidate = Path(root) / folder / src
            if not candidate.is_file():
                continue
            real = inside(root, candidate)
            if real is None:
                escaped = True
                continue
            located = real.relative_to(real_root).as_posix()
            break
        too_large = image_too_large(real_root / located) if located is not None else None
        if too_large:
            problems.append(Problem(where, "", f"image '{src}' {too_large}"))
        elif located is not None:
            found[src] = located
        elif escaped:
            problems.append(Problem(where, "", f"image '{src}' is outside the project folder (after following "
                                    f"'..' and links); {OUTSIDE_HINT}"))
        else:
            problems.append(Problem(where, "", f"image '{src}' not found (looked in manuscript/ and in the project "
                                    "folder); correct the path or add the file"))
    return found, problems


def link_on_the_way(root: str | Path, rel: str | Path) -> str:
    """The first part of ``rel`` (from the root) that is a symbolic link, e.g. 'build/supplements'; '' when none.

    Used before writing: a link anywhere on the way (even one leading to nothing yet) could send the
    write out of the project, so a task refuses it and names it; the link's target is not named.
    """
    current = Path(root)
    parts = Path(rel).parts
    for index, part in enumerate(parts):
        current = current / part
        if os.path.islink(current):
            return "/".join(parts[:index + 1])
        if not os.path.lexists(current):
            return ""
    return ""


def written_through_link(root: str | Path, rel: str | Path) -> str | None:
    """The message for a task that would write ``rel`` through a symbolic link, else None."""
    link = link_on_the_way(root, rel)
    if not link:
        return None
    return (f"{link} is a symbolic link; Charter writes only into real folders and files of the project, never "
            f"through a link (it could lead anywhere on the disk): delete {link} and run the task again")


def image_too_large(path: Path) -> str | None:
    """Why an image is too large to hand to pandoc, Typst or Word (file size, or pixels its header claims); else None.

    Only the header is read: a 1 MB PNG may claim 30,000 x 30,000 pixels, which Typst would unpack into
    gigabytes of memory. A vector image (SVG, PDF) has no pixel count here; its file size is checked.
    """
    from charter.limits import IMAGE_FILE_BYTES, IMAGE_PIXELS, megabytes

    size = path.stat().st_size
    if size > IMAGE_FILE_BYTES:
        return (f"is {megabytes(size)}, over Charter's limit of {megabytes(IMAGE_FILE_BYTES)} for an image; save it "
                "smaller (a figure at 600 pixels per inch is far less)")
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():  # Pillow warns past 89 million pixels; the message below says it
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:  # lazy: reads the header, not the pixels
                width, height = image.size
        if width * height <= IMAGE_PIXELS:
            return None
        claim = f"is {width:,} x {height:,} pixels"
    except Image.DecompressionBombError:  # Pillow's own alarm, past 179 million pixels
        claim = "claims far more pixels than any figure has"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None  # not a raster image Pillow knows (SVG, PDF): pandoc and Typst say what they make of it
    return (f"{claim}, over Charter's limit of {IMAGE_PIXELS // 1_000_000} million pixels for an image (a full "
            "page at 600 pixels per inch is 35 million); save it at a lower resolution")
