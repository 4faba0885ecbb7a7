"""opsync's YAML reads booleans as YAML 1.2 does: `title: No` is a title, `ops: [off]` a
login (YAML 1.1, PyYAML's default, would make both booleans and fail the schema)."""

from __future__ import annotations

import pytest

from opsync.documents.safe_yaml import load


@pytest.mark.parametrize("word", ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON"])
def test_yaml11_words_stay_strings(word: str) -> None:
    assert load(f"title: {word}\nops: [{word}, off, Off, y, n]\n") == {
        "title": word,
        "ops": [word, "off", "Off", "y", "n"],
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False)],
)
def test_yaml12_booleans_are_booleans(text: str, value: bool) -> None:
    assert load(f"flag: {text}\n") == {"flag": value}


def test_base_60_numbers_stay_strings_and_other_numbers_do_not() -> None:
    loaded = load("slot: 1:30\nneg: -1:30\nn: 12\nf: 1.5\nhex: 0x1f\nexp: 1e3\nday: 2026-11-24\n")
    assert loaded == {
        "slot": "1:30",
        "neg": "-1:30",
        "n": 12,
        "f": 1.5,
        "hex": 31,
        "exp": "1e3",  # PyYAML's float needs a dot; unchanged by this
        "day": "2026-11-24",
    }


def test_a_spec_titled_no_is_a_title() -> None:
    from opsync.documents.markdown_doc import parse

    doc = parse(b"---\nid: x\ntitle: No\nowners: {product: yes, ops: off}\n---\n# x\n")
    assert doc.meta["title"] == "No"
    assert doc.meta["owners"] == {"product": "yes", "ops": "off"}
