"""Safe YAML for untrusted input, shaped to fit JSON Schema.

- the C safe loader when available (pure-Python safe loader otherwise); no Python tags;
- timestamps stay strings (`2026-11-24` is a period, not a datetime);
- booleans as in YAML 1.2 (`true`/`false` only): YAML 1.1's `yes`/`no`/`on`/`off` stay
  strings, so `title: No` is a title and `ops: [off]` a login;
- no YAML 1.1 base-60 numbers: `time: 1:30` is the string "1:30", not 5400;
- duplicate keys are an error at the duplicate's line;
- a byte cap before parsing, and a cap on alias use and on the expanded size, so an
  alias bomb ("billion laughs") is refused instead of expanded;
- positions are not kept on the fast path: `locate()` composes nodes again only for a
  file that has findings.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_EXPANDED_NODES = 100_000
MAX_DEPTH = 64  # opsync files nest ~5 deep; libyaml's composer recurses in C (segfault)

KeyPath = Sequence[str | int]


@dataclass(frozen=True)
class YamlProblem(Exception):
    """A located parse problem. `line`/`col` are 1-based, relative to the YAML text."""

    rule: str
    message: str
    hint: str
    line: int = 1
    col: int = 1


def _construct_timestamp_as_str(loader: yaml.BaseLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


class _Loader(_BaseLoader):
    """Safe loader that rejects duplicate keys and counts alias use."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_hits = 0

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            self.alias_hits += 1
            if self.alias_hits > MAX_ALIASES:
                raise YamlProblem(
                    "yaml-limits",
                    f"more than {MAX_ALIASES} alias references",
                    "write the values out instead of using anchors and aliases",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # Build first, then look the keys up: constructing them here a second time would
        # count every key as an alias use and refuse any file with 100+ keys.
        mapping = super().construct_mapping(node, deep)
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.constructed_objects[key_node]
            if key in seen:
                raise YamlProblem(
                    "yaml-duplicate-key",
                    f"duplicate key {key!r}",
                    "remove one of the two entries; YAML would silently keep only the last",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            seen.add(key)
        return mapping


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def _yaml12_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """PyYAML's implicit resolvers, less YAML 1.1's extra booleans and base-60 numbers."""
    kept: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, pairs in _BaseLoader.yaml_implicit_resolvers.items():
        kept[first] = [(tag, rx) for tag, rx in pairs if tag != _BOOL]
    return kept


_Loader.yaml_implicit_resolvers = _yaml12_resolvers()
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_number(loader: yaml.BaseLoader, node: yaml.Node) -> Any:
    """A YAML 1.1 sexagesimal (`1:30`) stays the string it was written as."""
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    if isinstance(value, str) and ":" in value:
        return value
    if node.tag == _INT:
        return _BaseLoader.construct_yaml_int(loader, node)  # type: ignore[arg-type]
    return _BaseLoader.construct_yaml_float(loader, node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_str)
_Loader.add_constructor(_INT, _construct_number)
_Loader.add_constructor(_FLOAT, _construct_number)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_mapping)


def _expanded_size(value: Any, budget: int) -> int:
    """Count nodes as if aliases were copied, stopping once `budget` is exceeded."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(obj: Any) -> int:
        if not isinstance(obj, (list, dict)):
            return 1
        key = id(obj)
        if key in memo:
            return memo[key]
        if key in active:
            raise YamlProblem(
                "yaml-limits",
                "a recursive alias (a value that contains itself)",
                "remove the self-referencing anchor",
            )
        active.add(key)
        children = obj.values() if isinstance(obj, dict) else obj
        total = 1
        for child in children:
            total += size(child)
            if total > budget:
                break
        active.discard(key)
        memo[key] = total
        return total

    return size(value)


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped), CRLF/CR folded to LF; bad bytes are a located problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            "encoding",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            "save the file as UTF-8",
            line,
            col,
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def check_size(size: int, limit: int = MAX_BYTES) -> None:
    if size > limit:
        raise YamlProblem(
            "file-too-large",
            f"file is {size:,} bytes; opsync reads at most {limit:,}",
            "split the file or move bulk data to opsync/data/*.csv",
        )


def load(text: str) -> Any:
    """Parse one YAML document from trusted-or-not text. Raises YamlProblem."""
    check_size(len(text.encode("utf-8")) if len(text) * 4 > MAX_BYTES else len(text))
    if "\t" in text:
        _reject_tab_indent(text)
    loader = _Loader(text)
    try:
        _check_depth(text)
        value = loader.get_single_data()
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            raise YamlProblem(
                "yaml-unsafe-tag",
                problem.replace("could not determine a constructor for the tag", "tag"),
                "remove the tag: opsync reads plain data only (no Python objects)",
                (mark.line + 1) if mark else 1,
                (mark.column + 1) if mark else 1,
            ) from None
        if exc.context and exc.problem and "end of stream" in exc.problem and exc.context_mark:
            # An unclosed quote or bracket: the end of the text is not where to look.
            mark = exc.context_mark
            problem = f"{exc.context.removeprefix('while scanning ')} is never closed"
        elif exc.context and exc.problem and exc.context_mark and mark:
            where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            problem = f"{exc.problem} ({exc.context} that starts at {where})"
        raise YamlProblem(
            "yaml-syntax",
            problem,
            "fix the YAML syntax at this position",
            (mark.line + 1) if mark else 1,
            (mark.column + 1) if mark else 1,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml-syntax", str(exc), "fix the YAML syntax") from None
    finally:
        loader.dispose()
    if loader.alias_hits and _expanded_size(value, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
        raise YamlProblem(
            "yaml-limits",
            f"aliases expand to more than {MAX_EXPANDED_NODES:,} values",
            "write the values out instead of nesting aliases",
        )
    return value


def _check_depth(text: str) -> None:
    """Refuse deep nesting before composing: `[[[[...` 50,000 deep crashes the C composer.

    Nesting needs a bracket, `-` or `?` per level (indentation alone costs n**2 bytes), so
    most files are let through by counting; the rest get a flat pass over parse events.
    """
    if sum(text.count(c) for c in "[{-?") <= MAX_DEPTH:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Newer libyaml scans ahead and has a nesting cap of its own (PyYAML >= 6.0.4).
        if "nesting depth" in str(exc.problem):
            raise _too_deep(exc.problem_mark) from None
        # Any other syntax error is reported, with its context, by `load`.


def _too_deep(mark: Any) -> YamlProblem:
    return YamlProblem(
        "yaml-limits",
        f"values nested more than {MAX_DEPTH} levels deep",
        "flatten the structure; opsync files need only a few levels",
        (mark.line + 1) if mark else 1,
        (mark.column + 1) if mark else 1,
    )


def _reject_tab_indent(text: str) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            raise YamlProblem(
                "yaml-syntax",
                "a tab is used for indentation",
                "indent with spaces; YAML does not allow tabs for indentation",
                number,
                len(line) - len(stripped) + 1,
            )


def locate(text: str, path: KeyPath) -> tuple[int, int]:
    """1-based (line, col) of the deepest node along `path` (keys and list indexes).

    Composes nodes only; called just for files that have findings.
    """
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return (1, 1)
    if node is None:
        return (1, 1)
    best = node.start_mark
    for part in path:
        found = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if getattr(key_node, "value", None) == part:
                    best = key_node.start_mark
                    found = value_node
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            found = node.value[part]
            best = found.start_mark
        if found is None:
            break
        node = found
    return (best.line + 1, best.column + 1)
