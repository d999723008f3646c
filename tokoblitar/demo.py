"""Demo data is for development: the seed commands refuse to run without DEBUG unless forced."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError, CommandParser


def demo_add_force_argument(parser: CommandParser) -> None:
    """Add `--force` (load demo data although DEBUG is off) to a seed command."""
    parser.add_argument("--force", action="store_true", help="load demo data even with DEBUG off (public demo logins!)")


def demo_data_guard(*, force: bool) -> None:
    """Raise CommandError unless DEBUG is on, SEED_DEMO is set, or `force` was given.

    Demo accounts share a password printed in the README; on a real site they are a way in."""
    if settings.DEBUG or getattr(settings, "SEED_DEMO", False) or force:
        return
    raise CommandError(
        "Refusing to load demo data with DEBUG off: demo accounts have a public password. "
        "Set SEED_DEMO=true or pass --force if this really is a demo site."
    )
