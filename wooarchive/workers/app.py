"""The Celery app: Redis as broker and result backend, configured so that nothing is lost.

- Tasks are acknowledged late and rejected when their worker is lost, so a worker killed in the
  middle of a document means the document is delivered again (after the broker's visibility
  timeout, WOO_BROKER_VISIBILITY_TIMEOUT, by default twice the per-document wall limit so a
  long OCR is never handed out twice while it runs).
- A worker takes one task at a time (prefetch 1): a document waits in the queue, where another
  worker can take it, not behind a slow one.
- Results are kept a week, so a coordinator that was killed finds them when it starts again.
"""

from __future__ import annotations

import os

from celery import Celery

from wooarchive.config import settings

QUEUE = "woo-read"


def broker_url(given: str | None = None) -> str | None:
    return given or os.environ.get("WOO_BROKER") or None


def make_app(broker: str) -> Celery:
    config = settings()
    visibility = float(
        os.environ.get("WOO_BROKER_VISIBILITY_TIMEOUT", str(2 * config.read_timeout))
    )
    app = Celery("wooarchive", broker=broker, backend=broker, include=["wooarchive.workers.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=7 * 24 * 3600,
        broker_transport_options={"visibility_timeout": visibility},
        result_backend_transport_options={"visibility_timeout": visibility},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_track_started=False,
    )
    return app
