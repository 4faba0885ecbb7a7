"""Rules on metric queries and data sources, checked offline by `validate`.

Parsing only: no rule here reads the environment or connects to a source, so `validate`
and `check` never run a query.
"""

from __future__ import annotations

from collections.abc import Iterator

from opsync.findings import Finding
from opsync.metrics.registry import Registry
from opsync.rules.registry import declare, rule
from opsync.workspace.model import Workspace

declare(
    "data-source",
    "registry",
    "A query names a source declared under `data.sources` in opsync.yml; source URLs parse "
    "and hold no password (use `url_env`); the variable in `url_env` is set when pulling.",
)


@rule(
    "metric-query",
    "registry",
    "A base metric's `query` fields are each one SQL expression (no `;`, statement, subquery, "
    "window or file-reading function); `value` aggregates; the engine accepts the query.",
)
def queries(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    from opsync.datapull.config import check_definitions, load_data_config, query_defs

    config, _ = load_data_config(ws.source)  # opsync.yml's own problems are reported already
    if not query_defs(reg) and not config.sources:
        return
    yield from check_definitions(reg, config).all_findings()
