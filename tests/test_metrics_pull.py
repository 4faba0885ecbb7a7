"""`opsync metrics pull` end to end: DuckDB over generated CSV and Parquet, PostgreSQL for
real, restatements, dry runs, and every bad input a located error or exit 3 with the data
untouched (DESIGN §7)."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

import pull_data
from conftest import CliRunner
from gitrepo import make_repo
from opsync.metrics.values import load_csv
from pg_server import PASSWORD

DUCK = {"local": {"url": "duckdb://"}}
PURCHASES = "purchases-per-member"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def csv_workspace(tmp_path: Path, **query: str) -> Path:
    root = tmp_path / "ws"
    pull_data.write_csv(root / "data/orders.csv", pull_data.rows())
    queries = pull_data.queries_from("'data/orders.csv'")
    queries[PURCHASES] |= query
    return pull_data.workspace(root, DUCK, queries)


def values(root: Path, metric: str) -> dict[str, float]:
    path = root / f"opsync/data/{metric}.csv"
    data = load_csv(path.read_bytes(), str(path))
    assert data.findings == []
    return data.values.get(metric, {})


def test_pull_writes_each_metric_then_reports_restatements(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    root = csv_workspace(tmp_path)
    first = run_cli("metrics", "pull", cwd=root)
    assert first.code == 0, first
    assert f"{PURCHASES}" in first.out and "added" in first.out, first
    weekly = values(root, "items-per-order")
    assert {"2026-W53", "2026-12", "2026-Q4"} <= set(weekly)
    assert run_cli("validate", cwd=root).code == 0

    again = run_cli("metrics", "pull", "--format", "json", cwd=root)
    report = json.loads(again.out)
    assert again.code == 0 and report["result"] == "ok", again
    assert all(m["added"] == [] and m["changed"] == [] for m in report["metrics"]), again

    # A hand-kept period outside the pull stays; a restated period is reported as changed.
    path = root / "opsync/data/items-per-order.csv"
    text = path.read_text(encoding="utf-8").replace("period,metric,value\n", "")
    old_value = text.splitlines()[0].split(",")[2]
    period = text.splitlines()[0].split(",")[0]
    lines = text.splitlines()
    lines[0] = f"{period},items-per-order,999"
    path.write_text("period,metric,value\n2019-W01,items-per-order,1.5\n" + "\n".join(lines))
    dry = run_cli("metrics", "pull", "--metric", "items-per-order", "--dry-run", cwd=root)
    assert dry.code == 0 and f"restated {period}: 999 -> {old_value}" in dry.out, dry
    assert "nothing written" in dry.out
    assert values(root, "items-per-order")[period] == 999  # the dry run wrote nothing
    done = run_cli("metrics", "pull", "--metric", "items-per-order", cwd=root)
    assert done.code == 0 and "1 changed" in done.out, done
    assert values(root, "items-per-order")[period] == float(old_value)
    assert values(root, "items-per-order")["2019-W01"] == 1.5


def test_pull_reads_parquet_globs_at_the_grains_asked(tmp_path: Path, run_cli: CliRunner) -> None:
    root = tmp_path / "ws"
    data = pull_data.rows()
    pull_data.write_parquet(root / "data/orders/2025.parquet", data[:200])
    pull_data.write_parquet(root / "data/orders/2026.parquet", data[200:])
    queries = {"items": {"from": "'data/orders/*.parquet'", "time": "ordered_at",
                         "value": "sum(qty) / count(*)"}}  # fmt: skip
    pull_data.workspace(root, DUCK, queries)
    result = run_cli("metrics", "pull", "--grain", "month", "--since", "2026-01", cwd=root)
    assert result.code == 0, result
    periods = set(values(root, "items"))
    assert periods and all(len(p) == 7 and "W" not in p and "Q" not in p for p in periods)
    assert min(periods) == "2026-01"


BAD_QUERIES = [
    ({"value": "1); DROP TABLE orders; --"}, "`value` holds a `;`"),
    ({"where": "1=1; DELETE FROM orders"}, "`where` holds a `;`"),
    ({"from": "read_csv('/etc/passwd')"}, "is not a table or view name"),
    ({"from": "'/etc/passwd'"}, "not a file glob inside the repository"),
    ({"value": "sum(length(pg_read_file('/etc/passwd')))"}, "pg_read_file()"),
    ({"value": "(select count(*) from orders)"}, "subquery"),
    ({"value": "amount"}, "does not aggregate"),
]


@pytest.mark.parametrize(("query", "message"), BAD_QUERIES, ids=[m for _, m in BAD_QUERIES])
def test_bad_queries_are_located_and_nothing_runs(
    tmp_path: Path, run_cli: CliRunner, query: dict[str, str], message: str
) -> None:
    root = csv_workspace(tmp_path, **query)
    before = snapshot(root)
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 2, result
    assert "opsync/metrics.yml:" in result.err and "metric-query" in result.err, result
    assert message in result.err, result
    assert snapshot(root) == before
    lint = run_cli("validate", "--format", "json", cwd=root)
    findings = json.loads(lint.out)["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("metric-query", "opsync/metrics.yml")]
    assert findings[0]["line"] > 0 and findings[0]["col"] > 0


def test_an_unknown_column_is_the_engines_refusal_located_at_the_query(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    root = csv_workspace(tmp_path, value="sum(no_such_column)")
    before = snapshot(root)
    result = run_cli("metrics", "pull", "--format", "json", cwd=root)
    assert result.code == 2, result
    assert "no_such_column" in result.err and "opsync/metrics.yml:" in result.err, result
    report = json.loads(result.out)
    assert report["result"] == "error" and report["findings"][0]["rule"] == "metric-query"
    assert snapshot(root) == before  # no metric written, not even the good ones


def test_an_unknown_source_name_and_an_unset_variable(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = csv_workspace(tmp_path, source="warehous")
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 2 and "data-source" in result.err, result
    assert "'warehous', which opsync.yml does not declare (declared: local)" in result.err

    monkeypatch.delenv("OPSYNC_TEST_UNSET", raising=False)
    root = pull_data.workspace(
        tmp_path / "env", {"warehouse": {"url_env": "OPSYNC_TEST_UNSET"}},
        pull_data.queries_from("orders"),
    )  # fmt: skip
    before = snapshot(root)
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 2, result
    assert "opsync.yml:" in result.err and "OPSYNC_TEST_UNSET is not set" in result.err, result
    assert snapshot(root) == before


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_exit_3_and_never_shows_the_password(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://opsync:{PASSWORD}@127.0.0.1:{closed_port()}/shop"
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", url)
    root = pull_data.workspace(
        tmp_path / "ws", {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
        pull_data.queries_from("orders"),
    )  # fmt: skip
    before = snapshot(root)
    for fmt in ("text", "json"):
        result = run_cli("metrics", "pull", "-vv", "--format", fmt, cwd=root)
        assert result.code == 3, result
        assert "cannot be reached" in result.err, result
        assert PASSWORD not in result.out + result.err, result
        assert "opsync:***@127.0.0.1" in result.err, result
    assert snapshot(root) == before


def test_postgres_for_real(
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
) -> None:
    import psycopg

    pull_data.write_postgres(pg_url, pull_data.rows(), table="shop_orders")
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", pg_url)
    root = pull_data.workspace(
        tmp_path / "ws", {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
        pull_data.queries_from("shop_orders"),
    )  # fmt: skip
    result = run_cli("metrics", "pull", "-v", cwd=root)
    assert result.code == 0, result
    assert PASSWORD not in result.out + result.err, result
    assert "2026-W53" in values(root, "items-per-order")

    # Injection attempts through every field: refused before connecting, table intact.
    for field, text in [("value", "1); DROP TABLE shop_orders; --"),
                        ("where", "1=1; DELETE FROM shop_orders")]:  # fmt: skip
        pull_data.workspace(
            root, {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
            {"x": {"from": "shop_orders", "time": "ordered_at", "value": "count(*)", field: text}},
        )  # fmt: skip
        assert run_cli("metrics", "pull", cwd=root).code == 2
    with psycopg.connect(pg_url) as conn:
        count = conn.execute("SELECT count(*) FROM shop_orders").fetchone()
    assert count == (len(pull_data.rows()),)

    # A wrong password: exit 3, and neither password appears.
    bad = pg_url.replace(PASSWORD, "wrong-" + PASSWORD)
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", bad)
    pull_data.workspace(root, {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
                        pull_data.queries_from("shop_orders"))  # fmt: skip
    result = run_cli("metrics", "pull", "-vv", cwd=root)
    assert result.code == 3, result
    assert PASSWORD not in result.out + result.err, result


class Listener:
    """A TCP port on 127.0.0.1 that counts connections (and closes them)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.accepted = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def test_check_and_validate_never_run_a_query(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = Listener()
    try:
        url = f"postgresql://opsync:{PASSWORD}@127.0.0.1:{listener.port}/shop"
        monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", url)
        repo = make_repo(tmp_path)
        pull_data.workspace(
            repo.path, {"warehouse": {"url_env": "OPSYNC_TEST_WAREHOUSE"}},
            pull_data.queries_from("orders"),
        )  # fmt: skip
        repo.commit("set up")
        repo.git("checkout", "-q", "-b", "change")
        registry = repo.path / "opsync/metrics.yml"
        registry.write_text(registry.read_text().replace("count(*)", "count(order_id)"))
        repo.commit("restate a query")
        check = run_cli("check", "--base", "main", cwd=repo.path)
        validate = run_cli("validate", cwd=repo.path)
        assert check.code in (0, 1) and validate.code == 0, (check, validate)
        assert listener.accepted == 0
        pulled = run_cli("metrics", "pull", cwd=repo.path)  # the control: pull does connect
        assert pulled.code == 3, pulled
        assert listener.accepted >= 1
    finally:
        listener.close()


def test_example_workspace_pulls_out_of_the_box(tmp_path: Path, run_cli: CliRunner) -> None:
    repo = make_repo(tmp_path)
    assert run_cli("init", "--example", cwd=repo.path).code == 0
    result = run_cli("metrics", "pull", cwd=repo.path)
    assert result.code == 0, result
    north_star = [line for line in result.out.splitlines() if "member-value-density" in line]
    assert north_star and "composite (computed, not written)" in north_star[0], result
    assert not (repo.path / "opsync/data/member-value-density.csv").exists()
    for metric in ("monthly-purchases-per-member", "average-order-value",
                   "first-order-conversion"):  # fmt: skip
        assert len(values(repo.path, metric)) > 26, metric
    assert run_cli("validate", cwd=repo.path).code == 0
    assert (repo.path / "data/orders.csv").stat().st_size < 200_000


def test_a_glob_that_reaches_outside_through_a_symlink_is_refused(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    outside = tmp_path / "secret.csv"
    pull_data.write_csv(outside, pull_data.rows())
    root = csv_workspace(tmp_path)
    (root / "data/linked.csv").symlink_to(outside)
    registry = root / "opsync/metrics.yml"
    registry.write_text(registry.read_text().replace("data/orders.csv", "data/*.csv"))
    before = snapshot(root)
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 2, result
    assert "data/linked.csv is a symbolic link" in result.err, result
    assert snapshot(root) == before


def test_values_given_in_another_file_are_warned_about(tmp_path: Path, run_cli: CliRunner) -> None:
    root = csv_workspace(tmp_path)
    (root / "opsync/data").mkdir(parents=True)
    (root / "opsync/data/metrics.csv").write_text(
        "period,metric,value\n2026-W48,items-per-order,2\n", encoding="utf-8"
    )
    result = run_cli("metrics", "pull", "--metric", "items-per-order", cwd=root)
    assert result.code == 0, result
    assert "another file also gives values of 'items-per-order'" in result.err, result


@pytest.mark.slow
def test_the_demo_pulls_the_example_values() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "opsync", "demo", "--color", "never"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "$ opsync metrics pull" in done.stdout
    assert "3 file(s) written" in done.stdout, done.stdout


def test_an_unexpected_driver_error_is_exit_3_without_the_password(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"postgresql://opsync:{PASSWORD}@db.internal/shop"
    monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", url)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"driver choked on {url} (password {PASSWORD})")

    monkeypatch.setattr("opsync.datapull.pull.connect", explode)
    root = csv_workspace(tmp_path)
    result = run_cli("metrics", "pull", "--format", "json", cwd=root)
    assert result.code == 3, result
    assert PASSWORD not in result.out + result.err, result
    assert json.loads(result.out)["result"] == "error"
    assert "unexpected RuntimeError" in result.err


SLOW_VIEWS = {
    "duckdb": "CREATE VIEW slow AS SELECT range AS x, TIMESTAMP '2026-01-01' AS t "
    "FROM range(10000000000)",
    "sqlite": "CREATE VIEW slow AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
    "FROM r WHERE x < 10000000000) SELECT x, '2026-01-01 00:00:00' AS t FROM r",
    "postgres": "CREATE OR REPLACE VIEW slow AS SELECT x, timestamp '2026-01-01' AS t "
    "FROM generate_series(1, 10000000000) AS x",
}


@pytest.mark.parametrize("engine", list(SLOW_VIEWS))
def test_a_query_over_the_timeout_is_stopped(
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    engine: str,
    request: pytest.FixtureRequest,
) -> None:
    import sqlite3

    import duckdb
    import yaml

    root = tmp_path / "ws"
    root.mkdir()
    if engine == "duckdb":
        with duckdb.connect(str(root / "slow.duckdb")) as conn:
            conn.execute(SLOW_VIEWS[engine])
        source = {"url": "duckdb:///slow.duckdb"}
    elif engine == "sqlite":
        with sqlite3.connect(root / "slow.db") as conn:
            conn.execute(SLOW_VIEWS[engine])
        source = {"url": "sqlite:///slow.db"}
    else:
        import psycopg

        url = request.getfixturevalue("pg_url")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SLOW_VIEWS[engine])
        monkeypatch.setenv("OPSYNC_TEST_WAREHOUSE", url)
        source = {"url_env": "OPSYNC_TEST_WAREHOUSE"}
    query = {"from": "slow", "time": "t", "value": "count(distinct x)"}
    pull_data.workspace(root, {"db": source}, {"slow": query}, grains=("month",))
    policy = yaml.safe_load((root / "opsync.yml").read_text())
    policy["data"]["timeout"] = 1
    (root / "opsync.yml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 3, result
    assert "ran longer than 1 s and was stopped" in result.err, result
    assert not (root / "opsync/data").exists()


def test_without_the_duckdb_extra_the_pull_says_how_to_install_it(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    root = csv_workspace(tmp_path)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as on the gate's light install
    result = run_cli("metrics", "pull", cwd=root)
    assert result.code == 2, result
    assert "pip install 'opsync[duckdb]'" in result.err, result


def test_the_demo_step_is_shown_and_skipped_without_duckdb(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from opsync.commands.demo_steps import pull_step

    class Session:
        lang = "en"

        def __init__(self) -> None:
            self.ran: list[tuple[str, ...]] = []

        def say(self, text: str) -> None:
            print(text)

        def opsync(self, *args: str, expect: int) -> None:
            self.ran.append(args)

        def shell(self, *args: str, **kwargs: object) -> str:
            self.ran.append(args)
            return ""

    monkeypatch.setitem(sys.modules, "duckdb", None)
    session = Session()
    pull_step(session, 8)  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "$ opsync metrics pull" in out and "skipped" in out
    assert session.ran == []
