"""``invoke check``: the data is valid and every number typed in the prose matches it."""
