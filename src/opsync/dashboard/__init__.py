"""The shared dashboard: a static, self-contained site built from the workspace.

- metric series (values, composites, targets, the tree) come from `opsync.metrics.series`.
- `features_view`: features with gate states and the two co-validation tracks.
- `model`: everything the pages show, collected once (`collect`).
- `svg`: trend-chart geometry; the SVG markup itself lives in the templates.
- `render`: the Jinja2 environment (autoescape on), spec bodies, page names, page writes.
- `build`: renders the site into a folder.
- `pages`: the per-feature pages, rendered by forked workers on big sites.
- `summary`: a compact Markdown summary for a PR comment or a job summary.
"""
