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


@task()
def media_fetch_task(message_id: str, attempt: int = 1) -> str:
    """Download, check and store one inbound image (whatsapp.media); retried with backoff."""
    from whatsapp.media import media_fetch

    return media_fetch(message_id=message_id, attempt=attempt)


@task()
def lid_resolve_task(contact_id: int) -> str:
    """Look up the phone number behind an `@lid` sender once and cache it (whatsapp.lids)."""
    from whatsapp.lids import contact_lid_resolve

    return contact_lid_resolve(contact_id=contact_id)
