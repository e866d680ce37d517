"""Status changes of a tune, each one a conditional update plus an event.

Every change goes through ``move``: the update only happens when the tune is
in one of the expected statuses, so two workers, or a worker and a person
pressing Cancel, cannot both win.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Tune, TuneEvent

logger = logging.getLogger(__name__)


def move(
    tune_id: int,
    expected: Iterable[str],
    status: str,
    message: str = "",
    where: dict | None = None,
    **fields,
) -> bool:
    """Move a tune to ``status`` if it is in one of ``expected``; True if it moved.

    ``where`` narrows the update further, e.g. to the run a worker started.
    """
    now = timezone.now()
    if status == Tune.Status.RUNNING:
        fields.setdefault("started", now)
        fields.setdefault("heartbeat", now)
    if status in Tune.FINAL_STATUSES:
        fields.setdefault("finished", now)
    with transaction.atomic():
        moved = Tune.objects.filter(
            pk=tune_id, status__in=list(expected), **(where or {})
        ).update(status=status, status_message=message, **fields)
        if moved:
            TuneEvent.objects.create(
                tune_id=tune_id, status=status, message=message, created=now
            )
    return bool(moved)
