"""Background jobs of core: the sweeper that re-sends jobs whose worker was lost."""

from celery import shared_task

from . import jobs


@shared_task
def jobs_sweep_task() -> int:
    """Every minute (beat): send again the jobs whose lease expired (see core/jobs.py)."""
    return jobs.sweep()
