"""Where test fixtures live: data written by others, copied into the repo with its licence."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WEBHOOKS = FIXTURES / "github-webhooks"  # octokit/webhooks payload examples (MIT)
SARIF_SCHEMA = FIXTURES / "sarif" / "sarif-schema-2.1.0.json"  # OASIS SARIF 2.1.0
