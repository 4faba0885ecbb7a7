"""`opsync new feature` / `opsync new week`: one file from a template, never over one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import invoke
from gitrepo import GitRepo
from opsync.documents import markdown_doc
from opsync.isoweek import current_week, weeks_between

Run = Callable[..., tuple[int, str, str]]


def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str
) -> tuple[int, str, str]:
    """Run the real entry point in `cwd`; return (exit code, stdout, stderr)."""
    result = invoke(capsys, monkeypatch, args, cwd)
    return result.code, result.out, result.err


@pytest.fixture
def run(repo: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        return cli(capsys, monkeypatch, cwd or repo.path, *args)

    return invoke


def test_new_feature_writes_a_parseable_spec(repo: GitRepo, run: Run) -> None:
    code, out, err = run(
        "new", "feature", "signup-revamp", "--title", "Sign-up: revamp",
        "--product", "alice", "--ops", "carol", "--metric", "first-order-conversion",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == "opsync/features/signup-revamp.md"
    doc = markdown_doc.parse((repo.path / out.strip()).read_bytes())
    assert doc.meta["id"] == "signup-revamp"
    assert doc.meta["title"] == "Sign-up: revamp"
    assert doc.meta["owners"] == {"product": "alice", "ops": "carol"}
    assert doc.meta["metric"] == "first-order-conversion"
    assert doc.meta["status"] == "research"
    assert weeks_between(doc.meta["week"], current_week()) in (0, 1)  # this week
    assert set(doc.sections) == {"ops-insight", "functional-validation", "launch-plan", "outcome"}
    assert doc.sections["ops-insight"].is_empty, "ops fills it in; the guidance is a comment"
    assert "`opsync new week`" in err, "the week doc the feature names is missing"


def test_new_feature_defaults_a_title_and_finds_the_repo_root(repo: GitRepo, run: Run) -> None:
    deep = repo.path / "src" / "deep"
    deep.mkdir(parents=True)
    code, _out, err = run("new", "feature", "member-tiers", cwd=deep)
    assert code == 0, err
    doc = markdown_doc.parse((repo.path / "opsync/features/member-tiers.md").read_bytes())
    assert doc.meta["title"] == "Member tiers"
    assert doc.meta["owners"] == {"product": "", "ops": ""}


def test_new_feature_in_chinese_is_found_by_headings(repo: GitRepo, run: Run) -> None:
    code, _out, err = run("new", "feature", "coupon", "--title", "新人优惠券", "--lang", "zh")
    assert code == 0, err
    text = (repo.path / "opsync/features/coupon.md").read_text(encoding="utf-8")
    assert "opsync:" not in text
    doc = markdown_doc.parse(text.encode())
    assert doc.meta["title"] == "新人优惠券"
    assert {s.title for s in doc.sections.values()} == {
        "运营洞察",
        "功能验证",
        "上线计划",
        "结果复盘",
    }


@pytest.mark.parametrize(
    "bad", ["Member", "-tiers", "member_tiers", "../escape", "a/b", "", "x" * 101]
)
def test_new_feature_rejects_a_bad_id(bad: str, repo: GitRepo, run: Run) -> None:
    code, _out, err = run("new", "feature", "--", bad)
    assert code == 2, err
    assert "not a valid feature id" in err
    assert "fix: use at most 100 lowercase letters" in err
    assert not (repo.path / "opsync").exists()


def test_new_feature_twice_refuses_and_keeps_the_file(repo: GitRepo, run: Run) -> None:
    assert run("new", "feature", "member-tiers")[0] == 0
    spec = repo.path / "opsync/features/member-tiers.md"
    spec.write_bytes(spec.read_bytes() + b"\nmy edits\n")
    before = spec.read_bytes()
    code, out, err = run("new", "feature", "member-tiers", "--title", "Other")
    assert code == 2, err
    assert "opsync/features/member-tiers.md exists" in err
    assert "edit it or choose another id" in err
    assert out == ""
    assert spec.read_bytes() == before


def test_new_uses_paths_from_opsync_yml_and_warns_about_unknown_owners(
    repo: GitRepo,
    run: Run,
) -> None:
    repo.write(
        "opsync.yml",
        "version: 1\nroles: {product: [alice], ops: [carol]}\n"
        "paths: {features: docs/specs, weeks: docs/weeks}\n",
    )
    code, out, err = run("new", "feature", "member-tiers", "--ops", "mallory")
    assert code == 0, err
    assert out.strip() == "docs/specs/member-tiers.md"
    assert "'mallory' is not in roles.ops" in err
    code, out, err = run("new", "week", "--week", "2026-W48")
    assert code == 0, err
    assert out.strip() == "docs/weeks/2026-W48.md"


def test_new_refuses_paths_outside_the_repo(repo: GitRepo, run: Run) -> None:
    repo.write("opsync.yml", "version: 1\npaths: {features: ../elsewhere}\n")
    code, _, err = run("new", "feature", "member-tiers")
    assert code == 2, err
    assert "paths.features" in err
    assert not (repo.path.parent / "elsewhere").exists()


def test_new_falls_back_to_default_paths_when_opsync_yml_is_broken(repo: GitRepo, run: Run) -> None:
    repo.write("opsync.yml", "version: 1\nversion: 2\n")  # duplicate key
    code, out, err = run("new", "week", "--week", "2026-W48")
    assert code == 0, err
    assert "warning: opsync.yml could not be read" in err
    assert out.strip() == "opsync/weeks/2026-W48.md"


def test_new_week_defaults_to_this_week_and_prefills_the_north_star(
    repo: GitRepo,
    run: Run,
) -> None:
    repo.write("opsync/metrics.yml", "version: 1\nnorth_star: member-value-density\n")
    code, out, err = run("new", "week")
    assert code == 0, err
    doc = markdown_doc.parse((repo.path / out.strip()).read_bytes())
    assert doc.meta["week"] == Path(out.strip()).stem
    assert doc.meta["goal"] == {"statement": "", "metric": "member-value-density"}
    assert doc.meta["product_actions"] == [] and doc.meta["ops_support"] == []


def test_new_week_validates_the_week(repo: GitRepo, run: Run) -> None:
    # 2025 has 52 ISO weeks; 2020 and 2026 have 53.
    code, _out, err = run("new", "week", "--week", "2025-W53")
    assert code == 2, err
    assert "2025 has weeks W01 to W52" in err
    assert run("new", "week", "--week", "2026-W8")[0] == 2
    for week in ("2020-W53", "2026-W53"):
        code, _out, err = run("new", "week", "--week", week, "--lang", "zh")
        assert code == 0, err
        doc = markdown_doc.parse((repo.path / f"opsync/weeks/{week}.md").read_bytes())
        assert doc.meta["week"] == week


def test_new_week_twice_refuses(repo: GitRepo, run: Run) -> None:
    assert run("new", "week", "--week", "2026-W48")[0] == 0
    code, _, err = run("new", "week", "--week", "2026-W48")
    assert code == 2, err
    assert "edit it or choose another week" in err


def test_new_does_not_write_through_a_symlinked_folder(repo: GitRepo, run: Run) -> None:
    outside = repo.path.parent / "outside"
    outside.mkdir()
    repo.symlink("opsync", str(outside))
    code, _, err = run("new", "feature", "member-tiers")
    assert code == 2, err
    assert "opsync is a symlink" in err
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("paths", ["[a, b]", "{features: 3}", "{nonsense: x}"])
def test_odd_paths_in_opsync_yml_fall_back_to_defaults(paths: str, repo: GitRepo, run: Run) -> None:
    repo.write("opsync.yml", f"version: 1\npaths: {paths}\n")
    code, out, err = run("new", "feature", "member-tiers")
    assert code == 0, err
    assert "using the default paths" in err
    assert out.strip() == "opsync/features/member-tiers.md"
