"""Metrics: the formula language, the metric graph, units and the metric data files.

Pure functions over strings and bytes; nothing here reads files or imports heavy libraries.

- `formula`: parse `a * b`-style formulas into a small AST (never `eval`).
- `graph`: cycles, unknown references, alignment, dependency order, composite series.
- `units`: optional unit algebra (`purchases/member/month * CNY/purchase`).
- `data`: `period,metric,value` CSV loading with located findings; period helpers.
"""
