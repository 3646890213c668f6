"""What the queue consumer imports: the Huey instance with every task and job handler registered.

huey_consumer caseman.jobs.worker.huey -w 2 -k thread
"""

from caseman.documents import batches  # noqa: F401 - registers the batch-printing handlers
from caseman.exports import jobs as export_jobs  # noqa: F401 - the data export handler
from caseman.imports import jobs as import_jobs  # noqa: F401 - the ledger import handlers
from caseman.jobs.queue import huey
from caseman.jobs.services import run_job
from caseman.submissions import services as submissions  # noqa: F401 - the package handler

__all__ = ["huey", "run_job"]
