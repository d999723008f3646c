"""Re-encrypt every EncryptedTextField value under the current ENCRYPTION_KEY.

Rotation: put the new key in ENCRYPTION_KEY and the old one in ENCRYPTION_OLD_KEYS, restart,
run this command, then drop the old key. Rows are rewritten one at a time under a row lock, so
the command can run while the site is up and can be run again after an interruption."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from tokoblitar.crypto import EncryptedTextField, current_key, key_id, stored_key_id


class Command(BaseCommand):
    help = "Re-encrypt all tokens stored with an older key under the current ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        current = key_id(current_key())
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            # Read the stored text, not the decrypted value, to see each value's key id.
            raw = {f"_raw_{f.attname}": Cast(f.attname, output_field=TextField()) for f in fields}
            rows = model._default_manager.annotate(**raw).values("pk", *raw)
            stale = [
                row["pk"]
                for row in rows.iterator()
                if any(row[name] and stored_key_id(row[name]) != current for name in raw)
            ]
            for pk in stale:
                with transaction.atomic():
                    obj = model._default_manager.select_for_update().get(pk=pk)
                    # Saving writes every encrypted field again with the current key.
                    obj.save(update_fields=[f.name for f in fields])
            total += len(stale)
            self.stdout.write(f"{model._meta.label}: {len(stale)} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} rows now under key {current}"))
