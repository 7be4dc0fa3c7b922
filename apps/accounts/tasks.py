from celery import shared_task


@shared_task(name="accounts.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check for the broker and workers (used by tests and operators)."""
    return value
