"""Compute the counts and assemble the one document pandoc reads: placeholders, Table 1, the PRISMA flow diagram."""
