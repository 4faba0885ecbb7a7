"""docs/rules.md is generated from the rule registry and cannot drift from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from opsync.rules.registry import load_all
from test_examples import EXAMPLES_FOUND

ROOT = Path(__file__).parent.parent


def generator() -> ModuleType:
    path = ROOT / "scripts" / "gen_rules_doc.py"
    spec = importlib.util.spec_from_file_location("gen_rules_doc", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_rules_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert committed == generator().render(), (
        "docs/rules.md is out of date: run `python scripts/gen_rules_doc.py`"
    )


def test_every_rule_is_documented_once() -> None:
    text = generator().render()
    for rule_id in load_all():
        assert text.count(f"| `{rule_id}` |") == 1, rule_id


def test_every_rule_has_a_summary_and_a_known_target() -> None:
    targets = set(generator().TARGETS)
    for rule in load_all().values():
        assert rule.summary.strip().endswith("."), rule
        assert rule.target in targets, rule


def test_every_rule_an_example_expects_is_registered() -> None:
    registered = load_all()
    expected = {(e.file.name, x.rule) for e in EXAMPLES_FOUND for x in e.expectations()}
    assert expected, "no example states an expectation"
    unknown = sorted((name, rule) for name, rule in expected if rule not in registered)
    assert not unknown, f"examples expect rules that are not registered: {unknown}"


def test_check_mode_reports_drift(tmp_path: Path) -> None:
    module = generator()
    module.OUT = tmp_path / "rules.md"
    module.OUT.write_text("stale\n", encoding="utf-8")
    assert module.main(["--check"]) == 1
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0
