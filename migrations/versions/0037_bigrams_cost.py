"""caseman_bigrams is dear to run: PostgreSQL is told so (issue 21 goal 4).

The function splits a whole text into its two-character runs; PostgreSQL assumed the default
cost of 100. With the area filter of a town user's search written twice (once by the search,
once by the data layer), it expected 83 of the town's 8,024 elders, and chose to run the
function on each of their records rather than ask the GIN index over it: a two-character search
took 0.9–1.3 s from 250,000 elders on (70 ms once told the cost). SQLite has no such function.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 10:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER FUNCTION caseman_bigrams(text) COST 10000")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER FUNCTION caseman_bigrams(text) COST 100")
