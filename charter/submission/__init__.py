"""``invoke submit``: what a journal's submission system asks for, built from the same sources."""
