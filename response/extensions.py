"""What IR plans add to pages of lower apps (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations


def register_all() -> None:
    """Filled in with the system tab and panel."""
