from celery import shared_task

from . import importing
from .models import CreatorImport


# No retries: the import runs in one transaction, so a failure leaves nothing
# written and marks the import failed; the user uploads the file again. A
# redelivered message finds the import already claimed and does nothing.
@shared_task(name="creators.run_import", max_retries=0)
def run_import(import_id: int) -> dict:
    """Write a confirmed CSV import (queued by importing.import_confirm)."""
    if not CreatorImport.objects.filter(pk=import_id).exists():
        return {"import": import_id, "status": "gone"}
    return importing.import_run(import_id=import_id)
