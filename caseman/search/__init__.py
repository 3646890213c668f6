"""Search case histories (issue 6): the index, its queries, the case-history page."""
