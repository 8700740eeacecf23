"""This review's tasks: Charter's, run on the folder this file is in (`invoke --list`)."""

from charter.tasks import *  # noqa: F401,F403
