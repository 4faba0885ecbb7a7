"""`opsync init`: scaffolds a workspace in a real git repo and never overwrites anything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import invoke
from gitrepo import GitRepo
from opsync.commands.init import InitOptions, run
from opsync.datapull.example import generate
from opsync.documents import markdown_doc, safe_yaml
from opsync.documents.schema import KINDS, schema_issues
from opsync.resources import data_dir

BASE_FILES = ["opsync.yml", "opsync/metrics.yml", "opsync/allowed_signers"]
EXAMPLE_FILES = [
    "opsync/features/member-tiers.md",
    "launch/member-tiers/push-copy.md",
    "data/members.csv",
    "data/orders.csv",
]


def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str, str]:
    """Run the real entry point in `cwd`; return (exit code, stdout, stderr)."""
    result = invoke(capsys, monkeypatch, args, cwd)
    return result.code, result.out, result.err


def listed(err: str, state: str) -> list[str]:
    """Paths the report lists as `created` or `skipped (exists)`."""
    return [line.split()[-1] for line in err.splitlines() if line.startswith(state)]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_init_in_an_empty_repo_creates_the_workspace_at_the_repo_root(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    subdir = repo.path / "src" / "app"
    subdir.mkdir(parents=True)
    code, out, err = cli(capsys, monkeypatch, subdir, "init")
    assert code == 0, err
    assert out == "", "init reports on stderr only"
    created = listed(err, "created")
    for path in BASE_FILES:
        assert path in created, err
        assert (repo.path / path).is_file()
    weeks = [p for p in created if re.fullmatch(r"opsync/weeks/\d{4}-W\d{2}\.md", p)]
    assert len(weeks) == 1, err
    for kind_file in KINDS.values():
        if (data_dir("schemas") / kind_file).is_file():
            assert f"opsync/schemas/{kind_file}" in created, err
    assert not (subdir / "opsync.yml").exists()
    assert "Next steps:" in err
    week = markdown_doc.parse((repo.path / weeks[0]).read_bytes())
    assert week.meta["week"] == Path(weeks[0]).stem
    assert week.meta["goal"]["metric"] == "north-star", "pre-filled from the new registry"


def test_second_init_creates_nothing_and_lists_everything_as_skipped(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, first = cli(capsys, monkeypatch, repo.path, "init", "--example")
    assert code == 0, first
    before = snapshot(repo.path)
    code, _, second = cli(capsys, monkeypatch, repo.path, "init", "--example")
    assert code == 0, second
    assert listed(second, "created") == []
    assert listed(second, "skipped (exists)") == listed(first, "created")
    assert "never overwrites" in second
    assert snapshot(repo.path) == before


def test_an_existing_opsync_yml_is_left_byte_identical_and_its_paths_are_used(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = b"# mine\r\nversion: 1\r\npaths:\r\n  features: docs/specs\r\n"
    repo.write("opsync.yml", mine)
    code, _, err = cli(capsys, monkeypatch, repo.path, "init", "--example")
    assert code == 0, err
    assert (repo.path / "opsync.yml").read_bytes() == mine
    assert "opsync.yml" in listed(err, "skipped (exists)")
    assert "docs/specs/member-tiers.md" in listed(err, "created"), err


def test_a_broken_opsync_yml_warns_and_falls_back_to_default_paths(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("opsync.yml", "roles: [unclosed\n")
    code, _, err = cli(capsys, monkeypatch, repo.path, "init")
    assert code == 0, err
    assert "warning: opsync.yml could not be read" in err
    assert "opsync/metrics.yml" in listed(err, "created")
    assert (repo.path / "opsync.yml").read_text(encoding="utf-8") == "roles: [unclosed\n"


def test_a_symlink_in_the_way_is_skipped_not_followed(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.symlink("opsync.yml", "../outside.yml")  # dangling, and pointing out of the repo
    code, _, err = cli(capsys, monkeypatch, repo.path, "init")
    assert code == 0, err
    assert "opsync.yml" in listed(err, "skipped (exists)")
    assert not (repo.path.parent / "outside.yml").exists()


def test_unwritable_folder_is_reported_and_the_rest_is_written(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("opsync", "a file where the folder should be")
    code, _, err = cli(capsys, monkeypatch, repo.path, "init")
    assert code == 2, err
    assert any(
        line.startswith("failed") and "opsync/metrics.yml" in line for line in err.splitlines()
    )
    assert "opsync.yml" in listed(err, "created")


def test_example_is_valid_and_consistent(repo: GitRepo) -> None:
    assert run(InitOptions(repo.path, example=True), week="2026-W48") == 0
    policy = safe_yaml.load((repo.path / "opsync.yml").read_text(encoding="utf-8"))
    registry = safe_yaml.load((repo.path / "opsync/metrics.yml").read_text(encoding="utf-8"))
    week = markdown_doc.parse((repo.path / "opsync/weeks/2026-W48.md").read_bytes())
    feature = markdown_doc.parse((repo.path / "opsync/features/member-tiers.md").read_bytes())
    for kind, data in [
        ("policy", policy),
        ("metrics", registry),
        ("week", week.meta),
        ("feature", feature.meta),
    ]:
        assert schema_issues(kind, data) == [], kind
    assert policy["roles"] == {
        "product": ["alice", "bob"],
        "ops": ["carol", "dave"],
        "admins": ["erin"],
    }
    assert registry["key_metrics"] == ["member-value-density", "first-order-conversion"]
    assert registry["metrics"][2]["targets"][0]["period"] == "2026-Q4"
    assert [a["feature"] for a in week.meta["product_actions"]] == ["member-tiers"]
    assert [s["for"] for s in week.meta["ops_support"]] == ["member-tiers"]
    assert feature.meta["week"] == "2026-W48"
    assert feature.meta["owners"] == {"product": "alice", "ops": "carol"}
    assert set(feature.sections) == {
        "ops-insight",
        "functional-validation",
        "launch-plan",
        "outcome",
    }
    assert not feature.sections["ops-insight"].is_empty
    tasks = feature.sections["functional-validation"].tasks
    assert [t.later for t in tasks] == [False, False, False, True]
    # The example's data set is generated (deterministically) for the 26 weeks before
    # the init week; the registry's queries read it (`opsync metrics pull`).
    orders = (repo.path / "data/orders.csv").read_text(encoding="utf-8").splitlines()
    assert orders[0] == "order_id,member_id,ordered_at,amount,status"
    stamps = sorted(line.split(",")[2] for line in orders[1:])
    assert stamps[0].startswith("2026-05-25") and stamps[-1] < "2026-11-23"
    assert generate("2026-W48") == generate("2026-W48")
    assert [m.get("query", {}).get("from") for m in registry["metrics"]] == [
        "'data/orders.csv'",
        "'data/orders.csv'",
        None,
        "'data/members.csv'",
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_example_passes_opsync_validate(
    lang: str,
    repo: GitRepo,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, repo.path, "init", "--example", "--lang", lang)
    assert code == 0, err
    code, out, err = cli(capsys, monkeypatch, repo.path, "validate")
    assert code == 0, out + err


def test_zh_uses_chinese_headings_without_markers(repo: GitRepo) -> None:
    assert run(InitOptions(repo.path, example=True, lang="zh"), week="2026-W48") == 0
    text = (repo.path / "opsync/features/member-tiers.md").read_text(encoding="utf-8")
    assert "opsync:" not in text
    feature = markdown_doc.parse(text.encode())
    titles = {name: section.title for name, section in feature.sections.items()}
    assert titles == {
        "ops-insight": "运营洞察",
        "functional-validation": "功能验证",
        "launch-plan": "上线计划",
        "outcome": "结果复盘",
    }
    assert feature.meta["title"] == "会员体系改版"
    week = (repo.path / "opsync/weeks/2026-W48.md").read_text(encoding="utf-8")
    assert "## 备注" in week


def test_yaml_files_point_editors_at_the_copied_schemas(repo: GitRepo) -> None:
    assert run(InitOptions(repo.path), week="2026-W48") == 0
    for path, kind in [("opsync.yml", "policy"), ("opsync/metrics.yml", "metrics")]:
        first = (repo.path / path).read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\./\S+)", first)
        assert match, first
        target = (repo.path / path).parent / match.group(1)
        assert target.name == KINDS[kind]
        assert target.read_bytes() == (data_dir("schemas") / KINDS[kind]).read_bytes()


def test_ci_github_copies_the_shipped_workflows(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = sorted(p.name for p in (data_dir("templates") / "ci" / "github").glob("*.yml"))
    code, _, err = cli(capsys, monkeypatch, repo.path, "init", "--ci", "github")
    assert code == 0, err
    copied = sorted(
        Path(p).name for p in listed(err, "created") if p.startswith(".github/workflows/")
    )
    assert copied == shipped
    if not shipped:
        assert "ships no templates/ci/github" in err
    policy = safe_yaml.load((repo.path / "opsync.yml").read_text(encoding="utf-8"))
    assert policy["signoff"]["sources"] == ["github", "record"]


def test_ci_gitlab_writes_an_includable_file_and_uses_gitlab_approvals(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = data_dir("templates") / "ci" / "gitlab-ci.yml"
    code, _, err = cli(capsys, monkeypatch, repo.path, "init", "--ci", "gitlab")
    assert code == 0, err
    if shipped.is_file():
        from opsync.github.workflows import action_ref, pin_install

        expected = pin_install(shipped.read_text(encoding="utf-8"), action_ref())
        assert (repo.path / ".gitlab-ci.opsync.yml").read_text(encoding="utf-8") == expected
        assert "include:" in err
    else:
        assert "ships no templates/ci/gitlab-ci.yml" in err
    policy = safe_yaml.load((repo.path / "opsync.yml").read_text(encoding="utf-8"))
    assert policy["signoff"]["sources"] == ["gitlab", "record"]


def test_a_symlinked_folder_is_not_written_through(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = repo.path.parent / "outside"
    outside.mkdir()
    repo.symlink("opsync", str(outside))
    code, _, err = cli(capsys, monkeypatch, repo.path, "init")
    assert code == 2, err
    assert "opsync is a symlink" in err
    assert list(outside.iterdir()) == []
    assert "opsync.yml" in listed(err, "created")
