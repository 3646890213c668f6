"""Pure policy rules of the notices in ../shared/seeds: no Flask, no database.

Each module cites the clause of 渝北民〔2024〕24号 (004) it implements. Messages are English
msgids marked with ``N_`` so Babel extracts them; the web layer translates them.
"""
