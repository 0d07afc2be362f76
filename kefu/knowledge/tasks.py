"""Background jobs of the knowledge base: thin wrappers around one service each."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def articles_review_due() -> None:
    """Hourly: published articles past their ``review_due`` go back to review."""
    from kefu.knowledge.services import articles_expire_for_review

    articles_expire_for_review()
