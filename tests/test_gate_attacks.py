"""The gate under attack (issue 14): each test is one way a hostile PR author (or an
unlucky user) tried to get an unapproved change merged, in a real repo with real keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import CliResult, CliRunner
from gateflow import FEATURE, SIGNERS, SPEC, Flow, signer_line

POLICY = "opsync.yml"
ADMIN_RECORD = "opsync/approvals/@policy/erin.yml"
CAROL_RECORD = f"opsync/approvals/{FEATURE}/carol.yml"


def report(result: CliResult) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(result.out)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"stdout is not JSON ({exc})\n{result}") from exc
    return data


def rules(result: CliResult) -> set[str]:
    return {f["rule"] for f in report(result)["findings"]}


def signoff(result: CliResult, feature: str = FEATURE) -> dict[str, str]:
    for item in report(result)["features"]:
        if item["feature"] == feature:
            return next(g for g in item["gates"] if g["gate"] == "ops-signoff")
    raise AssertionError(f"feature {feature} not in the report\n{result}")


def merge(flow: Flow) -> str:
    """Merge `pr` into main (as the forge would once the gate passed); restart `pr`."""
    flow.repo.git("checkout", "-q", "main")
    flow.repo.git("merge", "-q", "--no-ff", "-m", "merge pr", "pr")
    flow.repo.git("checkout", "-q", "-B", "pr", "main")
    return flow.repo.git("rev-parse", "main").strip()


# --- item 1: an approval counts only for the change it approved -----------------------


def test_a_revoked_policy_approval_cannot_be_replayed(flow: Flow) -> None:
    flow.replace(POLICY, "ops: [carol, dave]", "ops: [carol, dave, mallory]")
    flow.append(SIGNERS, signer_line("mallory", flow.keys["mallory"]))
    flow.repo.commit("mallory joins ops")
    flow.approve("erin", "@policy")
    assert flow.check().code == 0
    with_mallory = merge(flow)

    flow.replace(POLICY, "ops: [carol, dave, mallory]", "ops: [carol, dave]")
    flow.repo.write(
        SIGNERS, flow.read(SIGNERS).replace(signer_line("mallory", flow.keys["mallory"]), "")
    )
    flow.repo.commit("mallory leaves ops")
    flow.approve("erin", "@policy")
    assert flow.check().code == 0
    merge(flow)

    # Re-adding her by hand is blocked...
    flow.replace(POLICY, "ops: [carol, dave]", "ops: [carol, dave, mallory]")
    flow.repo.commit("mallory is back")
    assert "policy-approval" in rules(flow.check("--format", "json"))
    flow.repo.git("reset", "-q", "--hard", "main")
    # ... and so is restoring the old files together with the old approval.
    flow.repo.git("checkout", with_mallory, "--", POLICY, SIGNERS, ADMIN_RECORD)
    flow.repo.commit("restore the policy of last month")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "policy-approval" in rules(result), result
    finding = next(f for f in report(result)["findings"] if f["rule"] == "policy-approval")
    # Here the base content is the same as before mallory joined, so what gives the
    # replay away is that main replaced the record.
    assert "withdrawn or replaced" in finding["message"], finding


def test_a_withdrawn_feature_approval_restored_from_history_does_not_count(
    flow: Flow,
) -> None:
    # carol approves the content as it stands on main (base == digest), so only the
    # history of the record tells a restored approval from a fresh one.
    flow.approve("carol")
    assert signoff(flow.check("--format", "json"))["state"] == "pass"
    approved = merge(flow)
    flow.repo.remove(CAROL_RECORD)
    flow.repo.commit("carol withdraws her approval")
    merge(flow)

    flow.repo.git("checkout", approved, "--", CAROL_RECORD)
    flow.repo.commit("restore carol's approval")
    result = flow.check("--format", "json")
    gate = signoff(result)
    assert gate["state"] != "pass", result
    assert "withdrawn or replaced" in gate["message"], gate


def test_a_standing_approval_keeps_counting_and_a_fresh_one_counts(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    merge(flow)
    # A later PR naming the feature (no change to its content) keeps carol's approval.
    body = flow.repo.write("../body.md", f"Feature: {FEATURE}\n")
    result = flow.check("--format", "json", "--pr-body-file", str(body))
    assert signoff(result)["state"] == "pass", result


def test_a_dropped_status_and_its_approval_cannot_be_restored(flow: Flow) -> None:
    flow.set_field("status", "dropped")
    flow.repo.commit("drop member tiers")
    flow.approve("carol")
    assert signoff(flow.check("--format", "json"))["state"] == "pass"
    dropped = merge(flow)
    flow.set_field("status", "research")
    flow.repo.commit("revive member tiers")
    flow.approve("carol")
    merge(flow)

    flow.repo.git("checkout", dropped, "--", SPEC, CAROL_RECORD)
    flow.repo.commit("drop it again, with the old approval")
    result = flow.check("--format", "json")
    assert signoff(result)["state"] != "pass", result
    assert result.code == 1, result


def test_a_replayed_registry_approval_does_not_count(flow: Flow) -> None:
    registry = "opsync/metrics.yml"
    original = flow.read(registry)
    flow.append(registry, "# a harmless comment\n")
    flow.repo.commit("comment the registry")
    flow.approve("alice", "@metrics")
    flow.approve("carol", "@metrics")
    assert "registry-approval" not in rules(flow.check("--format", "json"))
    old = merge(flow)
    flow.repo.write(registry, original)
    flow.repo.commit("remove the comment")
    flow.approve("alice", "@metrics")
    flow.approve("carol", "@metrics")
    merge(flow)

    flow.repo.git(
        "checkout", old, "--", registry, "opsync/approvals/@metrics/alice.yml",
        "opsync/approvals/@metrics/carol.yml",
    )  # fmt: skip
    flow.repo.commit("back to the commented registry")
    result = flow.check("--format", "json")
    assert "registry-approval" in rules(result), result


# --- item 4: records are bound to the repository ----------------------------------------


def test_a_record_made_in_another_repository_does_not_count(
    flow: Flow, tmp_path: Path, gate_keys: dict[str, Path], run_cli: CliRunner
) -> None:
    other = Flow(tmp_path / "other", gate_keys, run_cli)  # its own `opsync init --example`
    for repo in (flow, other):
        repo.set_field("title", "Member tiers v2")
        repo.repo.commit("retitle")
    other.approve("carol")
    flow.repo.write(CAROL_RECORD, other.read(CAROL_RECORD))
    flow.repo.commit("carol's approval, from the other repository")
    result = flow.check("--format", "json")
    gate = signoff(result)
    assert gate["state"] == "fail", result
    assert "signed for repository" in gate["message"], gate


def test_without_a_repo_id_the_root_commit_is_the_identity(
    flow: Flow, tmp_path: Path, gate_keys: dict[str, Path], run_cli: CliRunner
) -> None:
    from opsync.gate.identity import repo_identity
    from opsync.git import open_repo
    from opsync.workspace.policy import Policy

    other = Flow(tmp_path / "other", gate_keys, run_cli)
    ids = set()
    for repo in (flow, other):
        with open_repo(repo.repo.path) as git:
            ids.add(repo_identity(git, "main", Policy()))
            root = git.root_commits("main")[0]
    assert len(ids) == 2 and all(i.startswith("root:") for i in ids), ids
    assert f"root:{root}" in ids


# --- item 2: every file that decides who may approve is in the policy bundle ------------


def test_a_key_added_to_a_moved_allowed_signers_makes_the_policy_approval_stale(
    flow: Flow,
) -> None:
    moved = "opsync/signers"
    flow.repo.write(moved, flow.read(SIGNERS))
    flow.append(POLICY, "paths:\n  allowed_signers: opsync/signers\n")
    flow.repo.commit("move allowed_signers")
    flow.approve("erin", "@policy")
    assert flow.check().code == 0
    # A later push adds mallory's key as carol's, in the new file only.
    flow.append(moved, signer_line("carol", flow.keys["mallory"]))
    flow.repo.commit("one more key")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "policy-approval" in rules(result), result
    finding = next(f for f in report(result)["findings"] if f["rule"] == "policy-approval")
    assert "stale" in finding["message"] and moved in finding["message"], finding


def test_a_moved_registry_needs_the_registry_approval(flow: Flow) -> None:
    moved = "opsync/registry.yml"
    flow.repo.write(moved, flow.read("opsync/metrics.yml"))
    flow.append(POLICY, "paths:\n  metrics: opsync/registry.yml\n")
    flow.repo.commit("move the registry")
    flow.approve("erin", "@policy")
    result = flow.check("--format", "json")
    assert "registry-approval" in rules(result), result


# --- item 5: submodules are changes like any other ---------------------------------------


def gitlink(flow: Flow, path: str, commit: str) -> None:
    flow.repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},{path}")


def test_a_gitlink_hidden_by_submodule_ignore_all_is_a_change(flow: Flow) -> None:
    flow.repo.write(
        ".gitmodules",
        '[submodule "lib"]\n\tpath = src/lib\n\turl = https://example.invalid/lib.git\n'
        "\tignore = all\n",
    )
    flow.repo.commit("a submodule nobody should look at")
    gitlink(flow, "src/lib", "1" * 40)
    flow.repo.git("commit", "-q", "-m", "add the gitlink")
    flow.repo.git("config", "diff.ignoreSubmodules", "all")  # even the runner's config
    flow.repo.git("config", "diff.relative", "true")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    found = [f for f in report(result)["findings"] if f["rule"] == "no-feature"]
    assert found and found[0]["path"] == "src/lib", result


def test_bumping_a_gitlink_is_a_change(flow: Flow) -> None:
    flow.repo.write(".gitmodules", '[submodule "lib"]\n\tpath = src/lib\n\tignore = all\n')
    gitlink(flow, "src/lib", "1" * 40)
    flow.repo.git("add", ".gitmodules")
    flow.repo.git("commit", "-q", "-m", "a submodule")
    merge(flow)
    gitlink(flow, "src/lib", "2" * 40)
    flow.repo.git("commit", "-q", "-m", "bump it")
    result = flow.check("--format", "json")
    assert "no-feature" in rules(result), result


# --- item 6: control characters in paths match like any character ------------------------


def test_a_newline_in_a_path_does_not_escape_require_feature_for(flow: Flow) -> None:
    flow.repo.write("src/pkg\nx/payload.py", "evil = True\n")
    flow.repo.commit("code in a folder with a newline in its name")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "no-feature" in rules(result), result


def test_a_newline_in_a_path_is_governed_by_code_globs(flow: Flow) -> None:
    flow.replace(SPEC, "\nmetric:", '\ncode: ["src/**"]\nmetric:')
    flow.repo.commit("member-tiers governs src")
    merge(flow)
    flow.repo.write("src/pkg\nx/payload.py", "evil = True\n")
    flow.repo.commit("code with a newline in its path")
    result = flow.check("--format", "json")
    assert any(f["feature"] == FEATURE for f in report(result)["features"]), result


def test_glob_matching_treats_control_characters_as_characters() -> None:
    from opsync.globs import matches

    assert matches("src/pkg\nx/payload.py", ["src/**"])
    assert matches("src/a\r\n/b.py", ["src/*/b.py"])
    assert matches("src/\x00x/\u202eb.py", ["src/**/*.py"])
    assert not matches("src/a\n/b.py", ["src/*.py"])


# --- item 7: the grep pre-filter is never the only truth ---------------------------------


@pytest.mark.parametrize(
    "key", ['"code"', "'code'", "code ", '"\\x63ode"', '"co\\u0064e"'], ids=repr
)
def test_a_quoted_or_escaped_code_key_still_governs_the_code(flow: Flow, key: str) -> None:
    flow.replace(SPEC, "# code:", "# governed:")  # the example's comment says `code:`
    flow.replace(SPEC, "\nmetric:", f'\n{key}: ["src/membership/**"]\nmetric:')
    flow.repo.commit("member-tiers governs src/membership")
    merge(flow)
    flow.repo.write("src/membership/tiers.py", "TIERS = ()\n")
    flow.repo.commit("change the governed code")
    result = flow.check("--format", "json")
    assert any(f["feature"] == FEATURE for f in report(result)["features"]), result
    assert "no-feature" not in rules(result), result


def test_a_material_spelled_with_double_slashes_is_still_found(flow: Flow) -> None:
    flow.repo.write("docs/tiers-faq.md", "# FAQ\n")
    flow.replace(SPEC, "# code:", "# governed:")
    flow.replace(SPEC, "na: no new support flow", "path: docs//tiers-faq.md")
    flow.repo.commit("a material outside launch/")
    merge(flow)
    flow.repo.write("docs/tiers-faq.md", "# FAQ, changed\n")
    flow.repo.commit("change the material")
    result = flow.check("--format", "json")
    assert any(f["feature"] == FEATURE for f in report(result)["features"]), result


# --- item 8: a renamed spec is a deleted feature -----------------------------------------


def test_renaming_a_spec_is_a_feature_deleted(flow: Flow) -> None:
    flow.repo.move(SPEC, "opsync/features/member-tiers-v2.md")
    flow.replace("opsync/features/member-tiers-v2.md", "id: member-tiers", "id: member-tiers-v2")
    flow.repo.commit("rename the feature")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    deleted = [f for f in report(result)["findings"] if f["rule"] == "feature-deleted"]
    assert deleted and deleted[0]["path"] == SPEC, result
    assert "renamed to member-tiers-v2" in deleted[0]["message"], result


# --- item 9: trees are read as git reads them ---------------------------------------------


def git_input(flow: Flow, data: str, *args: str) -> str:
    """Run git with `data` on stdin."""
    done = subprocess.run(
        ["git", *args], input=data, cwd=flow.repo.path, env=flow.repo.env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def mktree(flow: Flow, lines: list[str]) -> str:
    """`git mktree`, which (unlike fsck) does not refuse a duplicate name."""
    return git_input(flow, "".join(f"{line}\n" for line in lines), "mktree")


def with_entries(flow: Flow, tree: str, folder: list[str], change: Any) -> str:
    """`tree` with the entry lines of `folder` passed through `change`."""
    lines = flow.repo.git("ls-tree", tree).splitlines()
    if not folder:
        return mktree(flow, change(lines))
    out = []
    for line in lines:
        meta, name = line.split("\t", 1)
        if name == folder[0]:
            line = f"040000 tree {with_entries(flow, meta.split()[2], folder[1:], change)}\t{name}"
        out.append(line)
    return mktree(flow, out)


def test_a_tree_with_duplicate_entries_is_refused(flow: Flow) -> None:
    flow.set_field("status", "launched")
    launched = flow.repo.git("hash-object", "-w", SPEC).strip()
    flow.repo.git("checkout", "-q", "--", SPEC)

    def duplicate(lines: list[str]) -> list[str]:
        # git (cat-file, checkout, a server-side merge) reads the FIRST entry: the
        # launched spec; a reader keeping the last one sees the unchanged spec.
        out = []
        for line in lines:
            if line.endswith("\tmember-tiers.md"):
                out.append(f"100644 blob {launched}\tmember-tiers.md")
            out.append(line)
        return out

    tree = with_entries(flow, "HEAD", ["opsync", "features"], duplicate)
    commit = flow.repo.git("commit-tree", tree, "-p", "HEAD", "-m", "two specs, one name")
    flow.repo.git("update-ref", "refs/heads/pr", commit.strip())
    result = flow.check("--format", "json")
    assert result.code == 3, result
    assert "duplicate entry" in result.err, result


def test_trees_are_read_as_git_reads_them() -> None:
    from opsync.git_tree import parse_tree

    one, two = b"\x01" * 20, b"\x02" * 20
    assert parse_tree(b"100644 a\0" + one + b"100644 b\0" + two) == {
        "a": (0o100644, one),
        "b": (0o100644, two),
    }
    for bad, why in [
        (b"100644 a\0" + one + b"100644 a\0" + two, "duplicate entry"),
        (b"100644 b\0" + one + b"100644 a\0" + two, "not sorted"),
        (b"100644 .git\0" + one, "forbidden name"),
        (b"100644 ..\0" + one, "forbidden name"),
        (b"100644 \0" + one, "forbidden name"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_tree(bad)


# --- item 10: a glob that can never match is an error, not a fail-open ---------------------


@pytest.mark.parametrize(
    "glob", ["src/{a,b}/**", "src/[ab]/**", "./src/**", "src/", "!src/**", "src/../x/**"]
)
def test_a_never_matching_glob_is_a_validate_error(flow: Flow, glob: str) -> None:
    flow.replace(SPEC, "\nmetric:", f"\ncode: [{json.dumps(glob)}]\nmetric:")
    flow.replace(
        POLICY, 'require_feature_for: ["src/**"]', f"require_feature_for: [{json.dumps(glob)}]"
    )
    result = flow.run("validate", "--format", "json")
    assert result.code == 1, result
    found = {f["rule"]: f for f in report(result)["findings"]}
    assert found["feature-code-glob"]["path"] == SPEC, result
    assert found["feature-code-glob"]["line"] > 1, result
    assert found["policy-glob"]["path"] == POLICY, result
    assert found["policy-glob"]["line"] > 1, result
    assert "never matches" in found["policy-glob"]["message"], result


def test_plain_globs_are_fine(flow: Flow) -> None:
    from opsync.globs import glob_problem

    for glob in ("src/**", "/src/**", "src/*.py", "**/test_?.py", "src/a b/**"):
        assert glob_problem(glob) is None, glob


# --- item 11: the reviewer's machine: nothing written or read through a symlink -----------


def test_approve_never_writes_through_a_symlinked_approvals_folder(
    flow: Flow, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    flow.repo.symlink(f"opsync/approvals/{FEATURE}", str(outside))
    flow.repo.commit("approvals of member-tiers live elsewhere")
    result = flow.run("approve", FEATURE, "--key", str(flow.keys["carol"]))
    assert result.code == 2, result
    assert "symlink" in result.err, result
    assert list(outside.iterdir()) == [], "a record was written outside the repo"


def test_approve_never_reads_a_material_through_a_symlinked_folder(
    flow: Flow, tmp_path: Path
) -> None:
    secret = tmp_path / "etc"
    secret.mkdir()
    (secret / "push-copy.md").write_text("root:x:0:0\n")
    flow.repo.write("launch/member-tiers/push-copy.md", "the copy\n")
    flow.repo.commit("the material")
    # The working tree (not the commit) has the folder swapped for a link.
    material = flow.repo.path / "launch/member-tiers"
    (material / "push-copy.md").unlink()
    material.rmdir()
    material.symlink_to(secret)
    result = flow.run("approve", FEATURE, "--key", str(flow.keys["carol"]))
    assert result.code == 0, result
    assert "uncommitted" not in result.err, "the file behind the link was read and compared"


def test_week_new_never_writes_through_a_symlinked_weeks_folder(flow: Flow, tmp_path: Path) -> None:
    outside = tmp_path / "weeks"
    outside.mkdir()
    weeks = flow.repo.path / "opsync/weeks"
    for doc in weeks.iterdir():
        doc.unlink()
    weeks.rmdir()
    weeks.symlink_to(outside)
    result = flow.run("week", "new", "--week", "2030-W02")
    assert result.code == 2, result
    assert list(outside.iterdir()) == [], result


def test_worktree_reads_refuse_a_symlinked_folder(tmp_path: Path) -> None:
    from opsync.fsutil import inside
    from opsync.workspace.source import WorktreeSource

    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "launch").symlink_to(tmp_path / "etc")
    with pytest.raises(OSError):
        WorktreeSource(repo).read("launch/passwd")
    with pytest.raises(OSError):
        inside(repo, "launch/passwd")
    with pytest.raises(OSError):
        inside(repo, "../etc/passwd")
    assert inside(repo, "opsync/new/file.yml") == repo / "opsync/new/file.yml"


# --- items 12 and 13: output never forges a workflow command ------------------------------


def no_workflow_command(text: str) -> bool:
    """The Actions runner trims a line, then reads `::` at its start as a command."""
    return not any(line.strip().startswith("::") for line in text.splitlines())


def test_a_record_file_name_cannot_forge_a_workflow_command_in_text_output(flow: Flow) -> None:
    # Notes on @policy records are lines of their own, starting with the login.
    forged = "opsync/approvals/@policy/::error title=Approved::all good.yml"
    flow.repo.write(forged, "not: a record\n")
    flow.replace(POLICY, "ops: [carol, dave]", "ops: [carol, dave, mallory]")
    flow.set_field("title", "Member tiers \u202eevil\u202c")
    flow.repo.commit("a record with a forged name")
    for fmt in ("text", "github"):
        result = flow.check("--format", fmt)
        assert result.code == 1, result
        if fmt == "text":
            assert no_workflow_command(result.out), result
            assert "\\x3a:error title=Approved" in result.out, result
            assert "\u202e" not in result.out and "\\u202e" in result.out, result
        else:  # annotations are the only workflow commands, and carry the name as data
            commands = [ln for ln in result.out.splitlines() if ln.startswith("::")]
            assert all(ln.startswith(("::error ", "::warning ", "::notice ")) for ln in commands)
            titles = [ln.split("::")[1] for ln in commands]  # `error file=...,title=RULE`
            assert not any("Approved" in t for t in titles), result
        assert no_workflow_command(result.err), result


def test_a_git_failure_names_what_failed_briefly_and_escaped() -> None:
    from opsync.git import _failure

    paths = tuple(f"src/{'x' * 200}\n::error title=forged::{i}" for i in range(20_000))
    error = _failure(("grep", *paths), "fatal: bad\n::error title=forged::x " + "y" * 5_000)
    text = f"{error.message} {error.hint}"
    assert len(text) < 400, len(text)
    assert "\n" not in text and "src/xxx" not in text
    assert error.message.startswith("`git grep` failed: fatal: bad")


def test_a_15000_file_pr_gets_a_verdict(flow: Flow) -> None:
    blob = git_input(flow, "x = 1\n", "hash-object", "-w", "--stdin")
    folder = "src/" + "deeply-nested-module-name/" * 6
    entries = "".join(f"100644 {blob}\t{folder}file_{i:05d}_{'n' * 40}.py\0" for i in range(15_000))
    entries += f"100644 {blob}\tsrc/evil\n::error title=forged::x.py\0"
    git_input(flow, entries, "update-index", "-z", "--index-info")
    flow.repo.git("commit", "-q", "-m", "a very big PR")
    result = flow.check("--format", "text")
    assert result.code == 1, result
    assert "no aligned metric" in result.out, result
    assert no_workflow_command(result.out + result.err), result


# --- item 14: matching and parsing are linear in the input ---------------------------------

GLOBS = [
    "**",
    "*",
    "a*b",
    "**/a",
    "a/**",
    "**a**b",
    "a?b",
    "*/*",
    "**/*b",
    "a**/b",
    "*a*a*b",
    "**/**",
    "a/**/b",
    "?*?",
    "***",
    "**/",
    "a**",
]


@pytest.mark.parametrize("glob", GLOBS)
def test_the_glob_automaton_agrees_with_the_regex_on_every_short_path(glob: str) -> None:
    import itertools

    from opsync.globs import _Automaton, _regex, _tokens

    tokens = _tokens(glob)
    regex, automaton = _regex(tokens), _Automaton.of(tokens)
    for size in range(7):
        for chars in itertools.product("ab/\n", repeat=size):
            path = "".join(chars)
            assert (regex.match(path) is not None) == automaton.match(path), (glob, path)


def test_a_glob_with_many_wildcards_takes_one_pass_over_the_path() -> None:
    from opsync.globs import _Automaton, _compile, _tokens

    class Counting(_Automaton):
        steps = 0

        def _closure(self, states: int) -> int:
            Counting.steps += 1
            return super()._closure(states)

    glob = "**a**a**a**a**b"
    assert isinstance(getattr(_compile(glob), "__self__", None), _Automaton)
    path = "a" * 100_000
    assert not Counting.of(_tokens(glob)).match(path)
    assert Counting.steps == len(path) + 1


def test_comment_stripping_looks_at_each_character_a_bounded_number_of_times() -> None:
    from opsync.documents.markdown_doc import strip_comments

    class Counting(str):
        scanned = 0

        def find(self, sub: str, start: Any = None, end: Any = None) -> int:
            found = str.find(self, sub, start)
            Counting.scanned += (found if found >= 0 else len(self)) - (start or 0)
            return found

    text = Counting("<!-- unclosed\n" * 32_000 + "text")
    assert strip_comments(text) == text
    assert Counting.scanned <= 2 * len(text)  # the regex scanned 32,000 times as much
    for sample in ("a<!--b-->c<!--d", "<!---->x", "<!-->x-->y", "<!--a<!--b-->c-->d", "-->"):
        import re

        assert strip_comments(sample) == re.sub(r"<!--.*?-->", "", sample, flags=re.S)


def test_a_spec_at_the_size_cap_built_to_backtrack_gets_a_verdict(flow: Flow) -> None:
    flow.set_field("status", "design")
    flow.replace(SPEC, "# code:", "# governed:")
    flow.replace(SPEC, "\nmetric:", '\ncode: ["**a**a**a**a**b"]\nmetric:')
    flow.replace(SPEC, "## Ops insight\n", "## Ops insight\n" + "<!-- x\n" * 100_000)
    assert 700_000 < len(flow.read(SPEC).encode()) < 1_000_000  # the cap is 1 MB
    flow.repo.write("src/" + "a" * 200 + "/" + "a" * 200 + ".py", "x = 1\n")
    flow.repo.commit("a spec and a path built to backtrack")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert any(f["feature"] == FEATURE for f in report(result)["features"]), result


# --- item 15: a week the calendar does not have is a finding, never a traceback -------------


@pytest.mark.parametrize("week", ["2025-W53", "0000-W01"])
def test_a_week_the_calendar_lacks_is_a_finding(flow: Flow, week: str) -> None:
    docs = sorted((flow.repo.path / "opsync/weeks").glob("*.md"))
    flow.repo.write(f"opsync/weeks/{week}.md", docs[-1].read_text(encoding="utf-8"))
    flow.set_field("week", week)
    flow.repo.commit(f"planned in {week}")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    gate = next(g for g in report(result)["features"][0]["gates"] if g["gate"] == "week-alignment")
    assert gate["state"] == "fail" and week in gate["message"], gate
    for command, rule in (("status", "week-alignment"), ("validate", "feature-week")):
        done = flow.run(command, "--format", "json")
        assert done.code == 1, done
        assert "Traceback" not in done.err, done
        assert rule in rules(done), done


def test_moving_past_the_calendar_is_a_value_error() -> None:
    from opsync.isoweek import next_week, previous_week

    with pytest.raises(ValueError, match="no ISO week before"):
        previous_week("0001-W01")
    with pytest.raises(ValueError, match="no ISO week after"):
        next_week("9999-W52")


# --- item 16: deep JSON and unexpected failures ---------------------------------------------


def test_deep_json_is_a_located_value_error() -> None:
    from opsync.jsonload import TooDeep, loads

    assert loads('{"a": [1, {"b": "[[["}]}') == {"a": [1, {"b": "[[["}]}
    text = '{\n  "x": "[{",\n  "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(TooDeep) as caught:
        loads(text.encode())
    # `{` is level 1, so the 500th `[` (column 11 + 499) is level 501
    assert (caught.value.line, caught.value.col) == (3, 11 + 499)


def test_an_unexpected_failure_is_exit_3_without_a_traceback(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsync.commands import check

    def crash(_args: object, _planned: object) -> int:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(check, "_run", crash)
    result = flow.check()
    assert result.code == 3, result
    assert "Traceback" not in result.err, result
    assert "unexpected RecursionError" in result.err, result


# --- Also: Markdown never links repo text; text neutralises bidi overrides ----------------


def test_markdown_never_turns_repo_text_into_links() -> None:
    from opsync.report.markdown_format import escape

    for text in ("see www.evil.example", "WWW.evil.example/x", "go to https://evil.example/"):
        out = escape(text)
        assert "www." not in out.lower() and "://" not in out, out
        assert out.replace("\u2060", "").replace("\\", "") == text


def test_the_job_summary_of_a_hostile_title_has_no_link(flow: Flow) -> None:
    flow.set_field("title", "Tiers, see www.evil.example and https://evil.example/login")
    flow.repo.commit("a title with links")
    result = flow.check("--format", "markdown")
    assert "Tiers, see www\u2060.evil" in result.out, result
    assert "https\\:\u2060//evil" in result.out, result


def test_a_hostile_link_header_is_read_in_linear_time() -> None:
    """A sibling of item 14: the API's Link header is parsed by a regex too."""
    from opsync.github.client import _LINK_NEXT

    assert _LINK_NEXT.search("<" * 100_000) is None  # quadratic before: about a minute
    header = '<https://api.github.com/x?page=2>; rel="next", <https://h/x?page=9>; rel="last"'
    found = _LINK_NEXT.search(header)
    assert found is not None and found.group(1) == "https://api.github.com/x?page=2"
