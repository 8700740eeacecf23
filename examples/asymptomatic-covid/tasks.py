"""Tasks of the example review: Charter's tasks, run on this folder (``invoke --list``)."""

from charter.tasks import *  # noqa: F401,F403
