"""Metric data CSV: values, and one located finding per bad row without hiding the others."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsync.findings import Finding
from opsync.metrics.periods import parse_period
from opsync.metrics.values import (
    chronological,
    load_csv,
    load_data_files,
    period_kind,
    period_sort_key,
    period_start,
)

PATH = "opsync/data/2026.csv"
KNOWN = {"monthly-purchases-per-member", "average-order-value", "first-orders"}


def located(findings: list[Finding]) -> list[tuple[int, int, str]]:
    return [(f.line, f.col, f.rule) for f in findings]


def test_good_file_with_bom_and_crlf() -> None:
    data = (
        b"\xef\xbb\xbfperiod,metric,value\r\n"
        b"2026-W48,monthly-purchases-per-member,1.5\r\n"
        b"2026-11,average-order-value,265.67\r\n"
        b"\r\n"
        b"2026-Q4,first-orders,-3\r\n"
        b"2026-11-24,first-orders,1e3\r\n"
    )
    result = load_csv(data, PATH, KNOWN)
    assert result.findings == []
    assert result.values == {
        "monthly-purchases-per-member": {"2026-W48": 1.5},
        "average-order-value": {"2026-11": 265.67},
        "first-orders": {"2026-Q4": -3.0, "2026-11-24": 1000.0},
    }
    assert result.origins[("first-orders", "2026-11-24")].line == 6


def test_every_bad_row_is_reported_with_line_and_column() -> None:
    data = (
        b"period,metric,value\n"
        b"2026-W54,first-orders,1\n"  # 2: 2026 has 53 weeks
        b"2026-13,first-orders,1\n"  # 3
        b"2026-Q5,first-orders,1\n"  # 4
        b"2026-02-30,first-orders,1\n"  # 5
        b"2026-w48,first-orders,1\n"  # 6
        b"2026-W48,first-orders,abc\n"  # 7
        b"2026-W48,first-orders,nan\n"  # 8
        b"2026-W48,first-orders,1e999\n"  # 9
        b"2026-W48,first-orders,\n"  # 10
        b"2026-W48,first-order,1\n"  # 11
        b"2026-W48,First Orders,1\n"  # 12
        b"2026-W49,first-orders,1\n"  # 13: good
        b"2026-W49,first-orders,2\n"  # 14: duplicate of 13
        b"2026-W50,first-orders\n"  # 15: too few fields
        b"2026-W50,first-orders,1,2\n"  # 16: too many
        b'"2026-W50,first-orders,1\n'  # 17: open quote
        b"bad,Bad,bad\n"  # 18: three findings on one row
    )
    result = load_csv(data, PATH, KNOWN)
    assert located(result.findings) == [
        (2, 1, "data-period"),
        (3, 1, "data-period"),
        (4, 1, "data-period"),
        (5, 1, "data-period"),
        (6, 1, "data-period"),
        (7, 23, "data-value"),
        (8, 23, "data-value"),
        (9, 23, "data-value"),
        (10, 23, "data-value"),
        (11, 10, "data-unknown-metric"),
        (12, 10, "data-unknown-metric"),
        (14, 1, "data-duplicate"),
        (15, 22, "data-row"),
        (16, 25, "data-row"),
        (17, 1, "data-row"),
        (18, 1, "data-period"),
        (18, 5, "data-unknown-metric"),
        (18, 9, "data-value"),
    ]
    assert result.values == {"first-orders": {"2026-W49": 1.0}}
    assert all(f.path == PATH and f.hint for f in result.findings)


def test_messages_say_what_is_wrong_and_how_to_fix_it() -> None:
    data = b"period,metric,value\n2026-W53,first-order,1\n2026-W53,first-orders,1\n"
    data += b"2026-W53,first-orders,2\n2025-W53,first-orders,1\n"
    by_rule = {f.rule: f for f in load_csv(data, PATH, KNOWN).findings}
    assert by_rule["data-unknown-metric"].hint == "did you mean 'first-orders'?"
    assert "already given on line 3" in by_rule["data-duplicate"].message
    assert "2025 has weeks W01 to W52" in by_rule["data-period"].message


def test_quoted_fields_and_spaces_are_fine() -> None:
    data = b'period,metric,value\n"2026-11", first-orders , "12.5"\n'
    result = load_csv(data, PATH, KNOWN)
    assert result.findings == []
    assert result.values == {"first-orders": {"2026-11": 12.5}}


def test_quoted_comma_value_is_located_after_the_quote_aware_comma() -> None:
    result = load_csv(b'period,metric,value\n"2026-11","a,b",1\n', PATH)
    assert located(result.findings) == [(2, 11, "data-unknown-metric")]


def test_without_known_ids_any_well_formed_id_is_accepted() -> None:
    result = load_csv(b"period,metric,value\n2026-11,anything-goes,1\n", PATH)
    assert result.findings == []


def test_wrong_header_stops_reading_with_one_finding() -> None:
    result = load_csv(b"date,name,amount\n2026-11,a,1\n", PATH)
    assert located(result.findings) == [(1, 1, "data-header")]
    assert "date,name,amount" in result.findings[0].message
    assert result.values == {}


def test_reordered_header_is_wrong() -> None:
    result = load_csv(b"metric,period,value\n", PATH)
    assert [f.rule for f in result.findings] == ["data-header"]


def test_missing_header_is_reported_and_rows_still_read() -> None:
    result = load_csv(b"2026-11,a,1\n2026-12,a,x\n", PATH)
    assert located(result.findings) == [(1, 1, "data-header"), (2, 11, "data-value")]
    assert "missing" in result.findings[0].message
    assert result.values == {"a": {"2026-11": 1.0}}


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_a_header_finding(data: bytes) -> None:
    assert [f.rule for f in load_csv(data, PATH).findings] == ["data-header"]


def test_non_utf8_is_a_located_finding() -> None:
    data = "period,metric,value\n2026-11,a,\u00e9\n".encode("latin-1")
    result = load_csv(data, PATH)
    assert located(result.findings) == [(2, 11, "data-encoding")]
    assert "0xe9" in result.findings[0].message


def test_duplicates_across_files_name_the_first_file() -> None:
    one = (PATH, b"period,metric,value\n2026-11,a,1\n")
    two = ("opsync/data/more.csv", b"period,metric,value\n\n2026-11,a,2\n2026-12,a,3\n")
    result = load_data_files([one, two])
    assert [(f.path, f.line, f.rule) for f in result.findings] == [
        ("opsync/data/more.csv", 3, "data-duplicate")
    ]
    assert f"{PATH} line 2" in result.findings[0].message
    assert result.values == {"a": {"2026-11": 1.0, "2026-12": 3.0}}


def test_period_kinds_and_starts() -> None:
    assert period_kind("2026-W48") == "week"
    assert period_kind("2026-11") == "month"
    assert period_kind("2026-Q4") == "quarter"
    assert period_kind("2026-11-24") == "date"
    assert period_kind("2026-W00") is None
    assert period_kind("November") is None
    assert period_start("2026-W48") == date(2026, 11, 23)
    assert period_start("2025-W01") == date(2024, 12, 30)
    assert period_start("2026-Q4") == date(2026, 10, 1)
    assert period_start("2024-02-29") == date(2024, 2, 29)
    assert period_start("2026-W53") == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-W00", "W01 to W53"),
        ("2026-00", "month must be 01 to 12"),
        ("2026-Q0", "Q1 to Q4"),
        ("2025-02-29", "not a real date"),
        ("0000-01", "year 0000"),
        ("2026-q4", "uppercase"),
        ("26-11", "not a period"),
    ],
)
def test_bad_periods_explain_themselves(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_period(text)


def test_periods_sort_chronologically_across_kinds() -> None:
    mixed = [
        "2026-11-24",
        "2026-W48",
        "bad",
        "2026-Q4",
        "2026-11",
        "2026-10",
        "2025-W01",
        "2026-11",
    ]
    assert chronological(mixed) == [
        "2025-W01",
        "2026-Q4",
        "2026-10",
        "2026-11",
        "2026-W48",
        "2026-11-24",
        "bad",
    ]
    assert period_sort_key("2026-W01") < period_sort_key("2026-W02") < period_sort_key("2026-W10")


CSV_ISH = st.text(alphabet='period,metrcvalu-W0123456789.\r\n"Q ', max_size=200)


@settings(max_examples=300)
@given(st.binary(max_size=200) | CSV_ISH.map(str.encode))
def test_random_bytes_give_findings_never_exceptions(data: bytes) -> None:
    result = load_csv(data, PATH, KNOWN)
    assert all(f.line >= 1 and f.col >= 1 for f in result.findings)


def test_a_quote_inside_a_field_is_a_finding_not_a_crash() -> None:
    # Found by the fuzz test: csv reads `#2026-W48"` literally, a quote scan toggles.
    raw = b'period,metric,value\n#2026-W48","average-order-value","153.3"\n'
    result = load_csv(raw, "opsync/data/x.csv")
    assert result.findings and all(f.line == 2 for f in result.findings)
