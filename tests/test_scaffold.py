"""Template rendering: values land in YAML as data, and the week template takes the
pre-filled lists `opsync week new` will pass it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsync.documents import markdown_doc, safe_yaml
from opsync.documents.schema import schema_issues
from opsync.errors import ConfigError
from opsync.scaffold import (
    md_cell,
    render_feature_doc,
    render_week_doc,
    schema_ref,
    week_quarter,
    yaml_inline,
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_week_doc_renders_prefilled_rows_and_latest_metrics(lang: str) -> None:
    actions = [
        {"feature": "member-tiers", "action": "interview: 20 members", "owner": "alice"},
        {"feature": "signup-revamp", "action": "ship the short form", "owner": "bob"},
    ]
    support = [
        {"for": "member-tiers", "action": "recruit interviewees", "owner": "carol"},
        {"for": "signup-revamp", "none": "no ops work this week"},
    ]
    metrics = [
        {
            "id": "mvd",
            "name": "Value | density",
            "value": 417.07,
            "unit": "CNY",
            "period": "2026-W47",
        },
        {"id": "foc", "value": 13.9},
    ]
    text = render_week_doc(
        "2026-W48",
        lang,
        {
            "goal": {"statement": "Lift: conversion", "metric": "mvd"},
            "product_actions": actions,
            "ops_support": support,
            "metrics": metrics,
        },
    )
    doc = markdown_doc.parse(text.encode())
    assert doc.meta == {
        "week": "2026-W48",
        "goal": {"statement": "Lift: conversion", "metric": "mvd"},
        "product_actions": actions,
        "ops_support": support,
    }
    assert schema_issues("week", doc.meta) == []
    assert "| Value \\| density | 417.07 CNY | 2026-W47 |" in text
    assert "| foc | 13.9 |  |" in text


def test_week_doc_without_context_is_an_empty_valid_draft() -> None:
    doc = markdown_doc.parse(render_week_doc("2026-W48", "en", {}).encode())
    assert doc.meta["goal"] == {"statement": "", "metric": ""}
    assert doc.meta["product_actions"] == [] and doc.meta["ops_support"] == []
    assert schema_issues("week", doc.meta) == []
    assert "| metric |" not in doc.body


@given(st.text(min_size=1, max_size=60).filter(lambda t: t.split()))
def test_any_title_stays_a_string_in_the_front_matter(title: str) -> None:
    clean = " ".join(title.split())
    text = render_feature_doc("x", "en", {"title": clean, "week": "2026-W48"})
    doc = markdown_doc.parse(text.encode())
    assert doc.meta["title"] == clean


@pytest.mark.parametrize(
    "value",
    ["yes", "null", "2026-11-24", "#x", "a: b", "- a", "'q'", '"d"', "运营", "a\nb", 3, None],
)
def test_yaml_inline_round_trips(value: object) -> None:
    assert safe_yaml.load(f"k: {yaml_inline(value)}\n") == {"k": value}


def test_md_cell_keeps_a_table_row_on_one_line() -> None:
    assert md_cell("a|b\nc") == "a\\|b c"


def test_schema_ref_is_relative_to_the_file() -> None:
    assert schema_ref("opsync.yml", "policy.schema.json") == "./opsync/schemas/policy.schema.json"
    assert schema_ref("opsync/metrics.yml", "m.json") == "./schemas/m.json"
    assert schema_ref("config/metrics.yml", "m.json") == "../opsync/schemas/m.json"


def test_week_quarter_follows_the_weeks_thursday() -> None:
    assert week_quarter("2026-W48") == "2026-Q4"
    assert week_quarter("2026-W53") == "2026-Q4"  # Thursday 31 December
    assert week_quarter("2027-W01") == "2027-Q1"


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language 'fr'"):
        render_week_doc("2026-W48", "fr", {})
