"""`opsync demo` ends with the example feature launched and its impact card met."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="the demo needs ssh-keygen"),
]


def test_demo_prints_the_impact_card_against_the_promise(run_cli: Any) -> None:
    done = run_cli("demo", "--color", "never")
    assert done.code == 0, done
    card = done.out.split("$ opsync impact member-tiers", 1)[1]
    assert "promise      up 5% within 8 weeks" in card
    assert "verdict      met" in card
    assert "directional, not causal" in card
    assert "launch    member-tiers" in done.out  # `opsync events` dated the launch
