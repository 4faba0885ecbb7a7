"""Package data: schemas/ and templates/ ship inside the wheel as opsync/schemas and
opsync/templates. An editable install reads them from the checkout instead."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`schemas` or `templates`: inside the installed package, else the source tree."""
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent.parent / name  # src/opsync -> repo root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"opsync package data '{name}' is missing; reinstall opsync")
