"""Background jobs run by the worker (`manage.py db_worker`); they survive restarts in the database queue."""

from __future__ import annotations

from django_tasks import task

from core import audit


@task()
def audit_checkpoint() -> str:
    checkpoint = audit.create_checkpoint(actor="worker")
    return checkpoint.merkle_root if checkpoint else ""
