"""Reading on many machines: the Celery app and its task (workers), and the coordinator's side
(sending documents and collecting what the workers read). Workers call the indexer and never
write archive.db; `woo index` stays the only writer."""
