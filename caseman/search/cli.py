"""``flask --app app search-reindex``: rebuild the search index from the data."""

from __future__ import annotations

import time

import click

from caseman.extensions import db


@click.command("search-reindex")
def search_reindex() -> None:
    """Rebuild the search index (after bulk loads that bypass the ORM, or to repair it)."""
    from caseman.search.indexing import rebuild_index

    started = time.perf_counter()
    with db.engine.begin() as connection:
        keys, documents = rebuild_index(connection)
    click.echo(
        f"Search index rebuilt: {keys} keys, {documents} texts "
        f"in {time.perf_counter() - started:.1f} s."
    )
