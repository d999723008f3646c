"""Background jobs of the WhatsApp inbox (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from whatsapp.services import message_deliver, simulator_pump


@task()
def message_send_task(message_id: str, attempt: int = 1) -> str:
    """Send one queued outgoing message through the gateway; a retryable failure re-enqueues
    the next attempt with exponential backoff, the last one marks the message failed."""
    return message_deliver(message_id=message_id, attempt=attempt)


@task()
def simulator_pump_task() -> int:
    """Deliver the offline gateway's due webhook events (and announce QR rotations on time)."""
    return simulator_pump()
