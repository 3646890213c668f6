"""The case file and the case list: the pages that put the features together (issue 22 item 2).

An elder's case file (/elders/<id>) shows the registration with the visit schedule, the timeline
of visits and care, referrals and risks, printed documents and merged cases; the case history
(/elders/<id>/history) lists all of it in date order; the case list (/elders/) filters by text
search, visits due, visitor and open referrals. They read every feature, so they live above them;
the registry (caseman.elders) stays below and imports none of them.
"""
