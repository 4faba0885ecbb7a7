"""Reporters: one module per output format, each with `render(report) -> str`."""

from __future__ import annotations

import importlib
from typing import Protocol

from opsync.results import Report

FORMATS = ("text", "json", "github", "sarif", "gitlab", "markdown")


class Renderer(Protocol):
    def __call__(self, report: Report, *, color: bool = False) -> str: ...


def renderer(fmt: str) -> Renderer:
    """The `render` function of `opsync.report.<fmt>`, imported on use."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    module = importlib.import_module(f"opsync.report.{fmt}_format")
    render: Renderer = module.render
    return render
