"""Search case histories (issue 6): the index, its queries, and the elder list's filters
(elder_list.py); the case-history page is caseman.casefile's."""
