"""Rendering the scaffolding templates (templates/scaffold/<lang>/*.j2).

The templates are YAML and Markdown, not HTML: no autoescaping, but every value placed
into YAML goes through the `yaml` filter, so a title like `Tiers: phase 2` stays a
string instead of breaking the front matter. Undefined variables are errors, so a
template and its caller cannot drift apart silently.
"""

from __future__ import annotations

import posixpath
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opsync.documents import safe_yaml
from opsync.errors import ConfigError
from opsync.fsutil import inside
from opsync.resources import data_dir

if TYPE_CHECKING:
    import jinja2

LANGS = ("en", "zh")
SCHEMA_DIR = "opsync/schemas"  # editor copies of the JSON Schemas, for offline modelines


def yaml_inline(value: Any) -> str:
    """One value as inline YAML (flow style), quoted only where YAML needs it."""
    import yaml

    text: str = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    text = text.rstrip("\n").removesuffix("\n...").rstrip("\n")
    if "\n" in text:  # a long or multi-line value: JSON is one-line YAML
        import json

        return json.dumps(value, ensure_ascii=False)
    return text


def md_cell(value: Any) -> str:
    """A value inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


@cache
def template_env(lang: str) -> jinja2.Environment:
    """Templates of `lang`, falling back to the language-neutral ones in scaffold/."""
    import jinja2  # heavy: only when scaffolding

    if lang not in LANGS:
        raise ConfigError(f"unknown language '{lang}'", f"use one of: {', '.join(LANGS)}")
    root = data_dir("templates") / "scaffold"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(root / lang), str(root)]),
        keep_trailing_newline=True,
        autoescape=False,  # YAML and Markdown; values in YAML use the `yaml` filter
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = yaml_inline
    env.filters["cell"] = md_cell
    return env


def render(name: str, lang: str, context: dict[str, Any]) -> str:
    return template_env(lang).get_template(name).render(**context)


def schema_ref(target: str, kind_file: str) -> str:
    """The `$schema=` path from repo file `target` to its schema copy in opsync/schemas."""
    rel = posixpath.relpath(f"{SCHEMA_DIR}/{kind_file}", posixpath.dirname(target) or ".")
    return rel if rel.startswith("../") else f"./{rel}"


def week_quarter(week: str) -> str:
    """The quarter (`2026-Q4`) holding the Thursday of ISO week `week`."""
    from opsync.isoweek import week_start

    thursday = date.fromordinal(week_start(week).toordinal() + 3)
    return f"{thursday.year}-Q{(thursday.month - 1) // 3 + 1}"


def render_week_doc(week: str, lang: str, context: dict[str, Any]) -> str:
    """A week doc for `week`. Optional context keys, each rendered when given:

    - `goal`: {statement, metric}
    - `product_actions`: [{feature, action, owner}, ...]
    - `ops_support`: [{for, action, owner} or {for, none: reason}, ...]
    - `metrics`: latest values [{id, name, value, unit, period}, ...] shown as a table
    """
    full: dict[str, Any] = {"goal": {}, "product_actions": [], "ops_support": [], "metrics": []}
    full.update(context)
    full["week"] = week
    return render("week.md.j2", lang, full)


def render_feature_doc(feature_id: str, lang: str, context: dict[str, Any]) -> str:
    """A feature spec; context: title, owners {product, ops}, week, metric (all optional)."""
    full: dict[str, Any] = {"title": feature_id, "owners": {}, "metric": "", "week": ""}
    full.update(context)
    full["id"] = feature_id
    return render("feature.md.j2", lang, full)


def north_star(text: str) -> str:
    """The north star of registry text, to pre-fill a week's goal; '' when unknown."""
    try:
        data = safe_yaml.load(text)
    except safe_yaml.YamlProblem:
        return ""
    value = data.get("north_star") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


def read_text(path: Path) -> str:
    """A working-tree file as text; '' when it is missing, unreadable or reached through a
    symlink (its repo root is found from `path`)."""
    from opsync.workspace.root import find_root

    try:
        root = find_root(path.parent, required=False)
        return safe_yaml.decode(_read_inside(root, path.relative_to(root).as_posix()))
    except (OSError, ValueError, safe_yaml.YamlProblem):
        return ""


def _read_inside(root: Path, rel: str) -> bytes:
    """A repo file's bytes; no component of `rel` may be a symlink."""
    from opsync.workspace.source import WorktreeSource

    return WorktreeSource(root).read(inside(root, rel).relative_to(root).as_posix())
