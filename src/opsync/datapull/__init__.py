"""Metric values from the team's own data: `opsync metrics pull`.

- `config`: the policy's `data:` section and the registry's `query:` blocks, located.
- `query`: parse each query field with sqlglot and refuse anything but one expression.
- `compile`: the per-period aggregate for each grain, generated per engine dialect.
- `urls` / `engines`: connection URLs (redacted in every message) and the engines.
- `write`: merge pulled values into `opsync/data/<metric-id>.csv`, atomically.
- `pull`: the whole run; `example`: the example workspace's generated data set.

sqlglot is imported lazily (validate needs it only when a registry has queries); the
engines' drivers live behind pip extras and are imported only when a pull connects.
"""
