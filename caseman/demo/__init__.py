"""Demo and scale data: synthetic districts to try the site out and to measure it.

- :mod:`caseman.demo.district` — the deterministic demo district (渝北区, ~320 elders, one
  login per role): ``flask --app app demo-data`` calls :func:`caseman.demo.district.load_demo`.
  It loads, in turn:

  - :mod:`caseman.demo.visits` — 14 months of visits and care, and two campaigns;
  - :mod:`caseman.demo.referrals` — referrals from those visits, at every stage, and a few risks;
  - :mod:`caseman.demo.mutual_aid` — rural mutual aid (渝北民〔2023〕23号) in three villages;
  - :mod:`caseman.demo.family` — family duty and benefit applications.

- :mod:`caseman.demo.scale` — a city-scale synthetic district of N elders written in bulk
  (``demo-data --elders N --months M``), measured by ``scripts/bench_scale.py``.

- :mod:`caseman.demo.names` — the synthetic people both draw from: surnames, given names,
  phone prefixes, the district code.

Nothing here is imported by the site itself; only the CLI, the benchmarks and the tests use it.
"""
