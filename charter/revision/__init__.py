"""The review loop: co-authors' comments and tracked changes back to the sources, versions and their differences."""
