"""The risk register's daily job (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def acceptances_expire_task() -> int:
    from .services import acceptances_expire

    return acceptances_expire()
