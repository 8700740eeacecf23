"""The reference review's tasks: Charter's own (``charter.tasks``) plus the repository-only benchmark.

A review of your own needs only the first import (``charter init`` writes that tasks.py).
"""

from invoke import task

from charter.tasks import *  # noqa: F401,F403  (every task of a review; ``invoke --list``)


@task(help={"sizes": "numbers of studies, comma-separated (default 30,300,3000)",
            "runs": "runs per measurement; the median is reported (default 3)",
            "json": "also write every measurement to this JSON file",
            "floor_max": "measure the plain pandoc + Typst floor only up to this many studies (default 1000)"})
def bench(c, sizes="30,300,3000", runs=3, json=None, floor_max=1000):
    """Time check, each build stage, the whole build and the pandoc + Typst floor on synthetic reviews."""
    from benchmarks.run import main

    main([int(size) for size in sizes.split(",")], int(runs), json_path=json, floor_max=int(floor_max))
