"""Which features a PR touches (gate/touched.py), from a list of changes.

Most tests hand `find_touched` `Change` objects; the head's specs are real Git objects
in a repo built once for the module, because code globs and materials outside
`launch/<id>/` are found with `git grep` over the head's specs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from gitrepo import GitRepo, make_repo
from opsync.gate.touched import Touched, find_touched
from opsync.git import Change, Repo, open_repo
from opsync.workspace.model import Workspace
from opsync.workspace.policy import Policy

TIERS = "opsync/features/tiers.md"
OTHER = "opsync/features/other.md"


def spec(feature_id: str, materials: str = "", code: str = "") -> str:
    listed = f"launch_materials:\n{materials}" if materials else ""
    return (
        f"---\nid: {feature_id}\ntitle: {feature_id}\nstatus: research\ntype: internal\n"
        f"owners: {{product: alice, ops: carol}}\nweek: 2026-W48\nmetric: value\n"
        f"{listed}{code}---\n# {feature_id}\n"
    )


FILES = {
    "opsync.yml": "version: 1\n",
    TIERS: spec(
        "tiers",
        "  - {kind: promo-copy, path: launch/tiers/push-copy.md}\n"
        "  - {kind: cs-faq, path: docs/faq.md}\n",
        'code: ["src/tiers/**", "api/*.proto"]\n',
    ),
    OTHER: spec("other", "  - {kind: training, path: docs/training.md}\n"),
    # Mentions `code:` and a material path but cannot be loaded: skipped, never fatal.
    "opsync/features/broken.md": "---\nid: broken\ncode: [src/**]\nmaterial: docs/faq.md\n",
    # Not a spec (specs live directly in the features folder), though it names both.
    "opsync/features/drafts/nested.md": spec("nested", code='code: ["src/**"]\n') + "docs/faq.md\n",
    "opsync/weeks/2026-W48.md": "---\nweek: 2026-W48\n---\n",
    "launch/tiers/push-copy.md": "copy\n",
    "launch/tiers/unlisted.md": "draft\n",
    "docs/faq.md": "faq\n",
    "docs/training.md": "training\n",
    "src/tiers/api.py": "print('tiers')\n",
    "src/other.py": "print('other')\n",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return make_repo(tmp_path_factory.mktemp("touched"), FILES)


@pytest.fixture
def repo(base: GitRepo) -> Iterator[Repo]:
    with open_repo(base.path) as opened:
        yield opened


def run(
    repo: Repo,
    changes: Sequence[Change],
    body: str = "",
    policy: dict[str, object] | None = None,
    head: str = "HEAD",
) -> Touched:
    sha = repo.resolve(head)
    ws = Workspace(repo.tree(sha, "head"), Policy.from_dict(policy or {}))
    return find_touched(changes, ws, repo, sha, body)


class NoGrep:
    """A repo that must not be searched: the change names its feature by path."""

    def grep_files(self, commit: str, needles: Sequence[str], folder: str) -> list[str]:
        raise AssertionError(f"unexpected git grep for {needles}")


def modified(*paths: str) -> list[Change]:
    return [Change("M", p) for p in paths]


# --- specs -----------------------------------------------------------------------------


def test_a_changed_spec_touches_its_feature(repo: Repo) -> None:
    out = run(repo, modified(TIERS))
    assert out.features == {"tiers": "spec changed"}
    assert out.spec_before == {"tiers": TIERS}
    assert out.changed == [TIERS]
    assert out.findings == []
    assert not out.policy_changed
    assert not out.registry_changed


def test_an_added_spec_has_no_spec_before(repo: Repo) -> None:
    out = run(repo, [Change("A", OTHER)])
    assert out.features == {"other": "spec changed"}
    assert out.spec_before == {"other": None}


def test_a_renamed_spec_is_judged_under_its_new_id_and_the_old_id_is_deleted(
    repo: Repo,
) -> None:
    """Renaming deletes the old feature (issue 14, item 8): a finding, never silence."""
    out = run(repo, [Change("R", TIERS, "opsync/features/member-tiers.md")])
    assert out.features == {"tiers": "spec renamed"}
    assert out.spec_before == {"tiers": "opsync/features/member-tiers.md"}
    assert out.changed == [TIERS, "opsync/features/member-tiers.md"]
    assert [(f.rule, f.path) for f in out.findings] == [
        ("feature-deleted", "opsync/features/member-tiers.md")
    ]


def test_a_spec_moved_in_from_elsewhere_is_a_changed_spec(repo: Repo) -> None:
    out = run(repo, [Change("R", TIERS, "drafts/tiers.md")])
    assert out.features == {"tiers": "spec changed"}
    assert out.spec_before == {"tiers": "drafts/tiers.md"}


def test_a_deleted_spec_is_a_finding_not_a_touched_feature(repo: Repo) -> None:
    out = run(repo, [Change("D", "opsync/features/gone.md")])
    assert out.features == {}
    assert len(out.findings) == 1
    finding = out.findings[0]
    assert (finding.rule, finding.path) == ("feature-deleted", "opsync/features/gone.md")
    assert finding.message == "feature 'gone' spec was deleted"
    assert "status: dropped" in finding.hint


def test_a_spec_moved_out_of_the_features_folder_is_a_deletion(repo: Repo) -> None:
    out = run(repo, [Change("R", "archive/gone.md", "opsync/features/gone.md")])
    assert [(f.rule, f.path, f.message) for f in out.findings] == [
        (
            "feature-deleted",
            "opsync/features/gone.md",
            "feature 'gone' spec was moved out of opsync/features/ to archive/gone.md",
        )
    ]
    assert out.features == {}


def test_a_file_below_the_features_folder_is_not_a_spec(repo: Repo) -> None:
    out = run(repo, modified("opsync/features/drafts/nested.md", "opsync/features/notes.txt"))
    assert out.features == {}
    assert out.findings == []
    assert out.spec_before == {}


def test_specs_follow_the_policy_features_folder(repo: Repo) -> None:
    policy: dict[str, object] = {"paths": {"features": "specs"}}
    out = run(repo, modified("specs/tiers.md", TIERS), policy=policy)
    assert out.features == {"tiers": "spec changed"}
    assert out.spec_before == {"tiers": "specs/tiers.md"}


# --- launch materials ------------------------------------------------------------------


def test_a_listed_material_under_launch_id_names_its_feature_without_a_search(
    repo: Repo,
) -> None:
    ws = Workspace(repo.tree(repo.resolve("HEAD")), Policy())
    out = find_touched(modified("launch/tiers/push-copy.md"), ws, NoGrep(), "HEAD", "")  # type: ignore[arg-type]
    assert out.features == {"tiers": "launch material changed: launch/tiers/push-copy.md"}


def test_an_unlisted_file_under_launch_id_touches_nothing(repo: Repo) -> None:
    ws = Workspace(repo.tree(repo.resolve("HEAD")), Policy())
    changes = modified("launch/tiers/unlisted.md", "launch/ghost/copy.md")
    out = find_touched(changes, ws, NoGrep(), "HEAD", "")  # type: ignore[arg-type]
    assert out.features == {}
    assert out.findings == []


def test_a_material_elsewhere_is_found_by_searching_the_specs(repo: Repo) -> None:
    out = run(repo, modified("docs/faq.md"))
    assert out.features == {"tiers": "launch material changed: docs/faq.md"}


def test_each_spec_listing_a_changed_material_is_touched(repo: Repo) -> None:
    out = run(repo, modified("docs/training.md", "docs/faq.md"))
    assert out.features == {
        "tiers": "launch material changed: docs/faq.md",
        "other": "launch material changed: docs/training.md",
    }


def test_a_deleted_material_still_touches_its_feature(repo: Repo) -> None:
    out = run(repo, [Change("D", "docs/training.md")])
    assert out.features == {"other": "launch material changed: docs/training.md"}


def test_a_material_renamed_away_touches_its_feature_by_the_old_path(repo: Repo) -> None:
    out = run(repo, [Change("R", "docs/faq-v2.md", "docs/faq.md")])
    assert out.features == {"tiers": "launch material changed: docs/faq.md"}
    assert out.changed == ["docs/faq-v2.md", "docs/faq.md"]


# --- code globs ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["src/tiers/api.py", "src/tiers/deep/er/x.ts", "api/v1.proto"])
def test_code_under_a_features_globs_touches_it(repo: Repo, path: str) -> None:
    out = run(repo, modified(path))
    assert out.features == {"tiers": f"governs changed code: {path}"}


@pytest.mark.parametrize("path", ["src/other.py", "api/v1/deep.proto", "README.md"])
def test_code_outside_every_glob_touches_nothing(repo: Repo, path: str) -> None:
    out = run(repo, modified(path))
    assert out.features == {}
    assert out.findings == []


def test_the_first_reason_found_for_a_feature_is_kept(repo: Repo) -> None:
    out = run(repo, modified("src/tiers/api.py", TIERS), body="Feature: tiers")
    assert out.features == {"tiers": "spec changed"}


@pytest.mark.parametrize("key", ['"code":', "code :", "'code':"])
def test_code_globs_count_however_the_key_is_spelled(tmp_path: Path, key: str) -> None:
    files = {"opsync/features/quoted.md": spec("quoted", code=f'{key} ["lib/**"]\n')}
    made = make_repo(tmp_path, {**files, "lib/core.py": "x = 1\n"})
    with open_repo(made.path) as repo:
        ws = Workspace(repo.tree(repo.resolve("HEAD")), Policy())
        quoted = ws.feature("quoted")
        assert quoted is not None
        assert quoted.code == ["lib/**"]  # YAML reads the same key
        out = find_touched(modified("lib/core.py"), ws, repo, repo.resolve("HEAD"), "")
    assert out.features == {"quoted": "governs changed code: lib/core.py"}


# --- approval records, weeks, policy and registry ---------------------------------------


def test_an_approval_record_change_touches_its_feature(repo: Repo) -> None:
    out = run(repo, [Change("A", "opsync/approvals/tiers/carol.yml")])
    assert out.features == {"tiers": "approval record changed"}


def test_policy_and_registry_records_and_stray_files_touch_no_feature(repo: Repo) -> None:
    changes = modified(
        "opsync/approvals/@policy/erin.yml",
        "opsync/approvals/@metrics/alice.yml",
        "opsync/approvals/tiers/sub/carol.yml",
        "opsync/approvals/README.md",
    )
    out = run(repo, changes)
    assert out.features == {}
    assert out.findings == []


def test_changed_week_docs_are_listed_unless_deleted(repo: Repo) -> None:
    changes = [
        Change("M", "opsync/weeks/2026-W48.md"),
        Change("A", "opsync/weeks/2026-W49.md"),
        Change("D", "opsync/weeks/2026-W40.md"),
        Change("M", "opsync/weeks/old/2025-W01.md"),
    ]
    out = run(repo, changes)
    assert out.weeks == ["opsync/weeks/2026-W48.md", "opsync/weeks/2026-W49.md"]
    assert out.features == {}


@pytest.mark.parametrize("path", ["opsync.yml", "opsync/allowed_signers"])
def test_the_policy_and_signers_are_policy_changes(repo: Repo, path: str) -> None:
    out = run(repo, modified(path))
    assert out.policy_changed
    assert not out.registry_changed
    assert out.features == {}


def test_the_registry_is_a_registry_change(repo: Repo) -> None:
    out = run(repo, modified("opsync/metrics.yml"))
    assert out.registry_changed
    assert not out.policy_changed


def test_special_files_follow_the_policy_paths(repo: Repo) -> None:
    paths = {"metrics": "kpi/registry.yml", "allowed_signers": "keys/signers"}
    out = run(repo, modified("kpi/registry.yml", "keys/signers"), policy={"paths": paths})
    assert out.registry_changed
    assert out.policy_changed
    moved = run(repo, modified("opsync/metrics.yml"), policy={"paths": paths})
    assert not moved.registry_changed


def test_a_renamed_policy_counts_by_either_end(repo: Repo) -> None:
    out = run(repo, [Change("R", "old-opsync.yml", "opsync.yml")])
    assert out.policy_changed


# --- the PR body -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Feature: tiers",
        "Adds tiers.\n\nfeature: `tiers`  \n",
        "> Feature: TIERS",
        "- Feature:tiers\n",
        "* Feature: tiers\t",
    ],
)
def test_a_feature_line_in_the_body_touches_an_existing_feature(repo: Repo, body: str) -> None:
    out = run(repo, [], body=body)
    assert out.features == {"tiers": "named in the PR body"}
    assert out.findings == []


@pytest.mark.parametrize(
    "body",
    ["see Feature: tiers", "Feature: tiers, other", "Feature: tiers.", "", "Features: tiers"],
)
def test_only_a_whole_feature_line_counts(repo: Repo, body: str) -> None:
    out = run(repo, [], body=body)
    assert out.features == {}


def test_several_feature_lines_touch_each_feature(repo: Repo) -> None:
    out = run(repo, [], body="Feature: tiers\nFeature: other\n")
    assert out.features == {"tiers": "named in the PR body", "other": "named in the PR body"}


def test_a_feature_line_naming_a_missing_spec_is_a_finding(repo: Repo) -> None:
    out = run(repo, [], body="Feature: ghost\nFeature: tiers\n")
    assert out.features == {"tiers": "named in the PR body"}
    assert [(f.rule, f.path) for f in out.findings] == [("no-feature", "(PR body)")]
    assert out.findings[0].message == (
        "the PR body names feature 'ghost', which does not exist at head"
    )
    assert out.findings[0].hint == "fix the `Feature:` line or create opsync/features/ghost.md"


def test_a_feature_line_naming_an_unreadable_spec_still_touches_it(repo: Repo) -> None:
    # The spec file exists: the engine reports why it cannot be read.
    out = run(repo, [], body="Feature: broken")
    assert out.features == {"broken": "named in the PR body"}
    assert out.findings == []


def test_a_feature_line_in_a_crlf_body_counts(repo: Repo) -> None:
    out = run(repo, [], body="Adds tiers.\r\n\r\nFeature: tiers\r\nThanks\r\n")
    assert out.features == {"tiers": "named in the PR body"}


# --- require_feature_for ---------------------------------------------------------------

REQUIRE = {"require_feature_for": ["src/**", "api/*.proto"]}


def test_required_code_with_no_feature_is_a_no_feature_finding(repo: Repo) -> None:
    out = run(repo, modified("src/other.py", "src/more.py", "README.md"), policy=REQUIRE)
    assert out.features == {}
    assert len(out.findings) == 1
    finding = out.findings[0]
    assert (finding.rule, finding.path) == ("no-feature", "src/other.py")
    assert finding.message == (
        "no aligned metric: this PR changes src/other.py and 1 more "
        "(require_feature_for) but touches no feature"
    )
    assert "`Feature: <id>`" in finding.hint


def test_one_required_file_is_named_alone(repo: Repo) -> None:
    out = run(repo, modified("README.md", "src/other.py"), policy=REQUIRE)
    assert out.findings[0].message == (
        "no aligned metric: this PR changes src/other.py "
        "(require_feature_for) but touches no feature"
    )


def test_required_code_is_fine_once_any_feature_is_touched(repo: Repo) -> None:
    assert run(repo, modified("src/other.py", TIERS), policy=REQUIRE).findings == []
    named = run(repo, modified("src/other.py"), body="Feature: other", policy=REQUIRE)
    assert named.findings == []
    assert named.features == {"other": "named in the PR body"}
    governed = run(repo, modified("src/tiers/api.py", "src/other.py"), policy=REQUIRE)
    assert governed.findings == []


def test_unrequired_changes_with_no_feature_are_fine(repo: Repo) -> None:
    out = run(repo, modified("README.md", "docs/other.md"), policy=REQUIRE)
    assert out.findings == []
    assert run(repo, modified("src/other.py")).findings == []  # no require_feature_for


def test_a_deleted_spec_and_required_code_report_both(repo: Repo) -> None:
    out = run(repo, [Change("D", "opsync/features/gone.md"), *modified("src/x.py")], policy=REQUIRE)
    assert [f.rule for f in out.findings] == ["feature-deleted", "no-feature"]


# --- with a real diff ------------------------------------------------------------------


def test_a_real_diff_touches_by_rename_material_and_code(tmp_path: Path) -> None:
    made = make_repo(tmp_path, FILES)
    made.git("checkout", "-q", "-b", "pr")
    made.move(OTHER, "opsync/features/training.md")
    made.write("docs/faq.md", "faq, updated\n")
    made.write("src/tiers/new.py", "print('new')\n")
    made.commit("rename, material, code")
    with open_repo(made.path) as repo:
        changes = repo.diff("main", "pr")
        assert Change("R", "opsync/features/training.md", OTHER) in changes
        out = run(repo, changes, head="pr")
    assert out.features == {
        "training": "spec renamed",
        "tiers": "launch material changed: docs/faq.md",
    }
    assert out.spec_before == {"training": OTHER}
    assert sorted(out.changed) == sorted(
        ["docs/faq.md", "opsync/features/training.md", OTHER, "src/tiers/new.py"]
    )
