"""`opsync week notify` against a local HTTP server standing in for each platform's webhook.

Every test posts over real HTTP to 127.0.0.1 and reads back what the "platform" got:
the documented body shape, the signature recomputed here, the size limit, the Chinese
text, and that no URL or secret leaks into stdout, stderr or the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request

from conftest import CliRunner
from dashboard_workspace import make_workspace, write
from opsync.errors import ExitCode
from opsync.notify.channels import infer_kind
from opsync.notify.run import NotifyOptions, Pacer, run

TUESDAY = "2026-11-24"
SECRET = "SEC-test-signing-secret-0123456789"
W48 = """\
---
week: 2026-W48
goal: {statement: 通过会员等级试点提升会员价值, metric: member-value}
product_actions:
  - {feature: member-tiers, action: 访谈 20 位会员, owner: alice}
ops_support:
  - {for: member-tiers, action: 招募访谈对象, owner: carol}
---
"""


def workspace(root: Path, channels: str, lang: str = "zh", week: str = W48) -> Path:
    make_workspace(root)
    policy = (root / "opsync.yml").read_text("utf-8")
    extra = f"lang: {lang}\ndashboard_url: https://acme.example/dash/\nnotify:\n{channels}"
    write(root, "opsync.yml", policy + extra)
    if week:
        write(root, "opsync/weeks/2026-W48.md", week)
    return root


def notify(run_cli: CliRunner, root: Path, *extra: str) -> Any:
    return run_cli(
        "week", "notify", "--repo", str(root), "--week", "2026-W48", "--today", TUESDAY, *extra
    )


def no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text


def body_of(server: Any, index: int = 0) -> tuple[Request, dict[str, Any]]:
    request, _ = server.log[index]
    return request, json.loads(request.get_data().decode("utf-8"))


# --- one test per platform: body shape, signature, limit, Chinese intact ------------------


def test_feishu_signed_card(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = local_api.url_for("/open-apis/bot/v2/hook/feishu-token-0123456789")
    local_api.expect_request("/open-apis/bot/v2/hook/feishu-token-0123456789", method="POST")\
        .respond_with_json({"code": 0, "msg": "success", "data": {}})  # fmt: skip
    monkeypatch.setenv("FEISHU_URL", url)
    monkeypatch.setenv("FEISHU_SECRET", SECRET)
    channels = "  - {name: team, url_env: FEISHU_URL, secret_env: FEISHU_SECRET, kind: feishu}\n"
    root = workspace(tmp_path / "ws", channels)
    result = notify(run_cli, root)
    assert result.code == 0, result
    request, body = body_of(local_api)
    assert request.headers["Content-Type"].startswith("application/json")
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == "2026-W48 周：产品与运营对齐"
    text = body["card"]["elements"][0]["content"]
    assert body["card"]["elements"][0]["tag"] == "markdown"
    assert "本周目标" in text and "通过会员等级试点提升会员价值" in text
    assert "[看板](https://acme.example/dash/)" in text
    # sign = base64(HMAC-SHA256(key="{timestamp}\n{secret}", msg=b"")), timestamp in seconds
    timestamp = body["timestamp"]
    key = f"{timestamp}\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert len(timestamp) == 10
    assert len(request.get_data()) < 20 * 1024
    no_secret(result.out + result.err, url, SECRET, "feishu-token-0123456789")


def test_dingtalk_signed_markdown(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/robot/send", method="POST")\
        .respond_with_json({"errcode": 0, "errmsg": "ok"})  # fmt: skip
    url = local_api.url_for("/robot/send") + "?access_token=ding-token-0123456789"
    monkeypatch.setenv("DING_URL", url)
    monkeypatch.setenv("DING_SECRET", SECRET)
    channels = "  - {name: ding, url_env: DING_URL, secret_env: DING_SECRET, kind: dingtalk}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == 0, result
    request, body = body_of(local_api)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "2026-W48 周：产品与运营对齐"
    assert "产品关键动作" in body["markdown"]["text"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.url).query)
    assert query["access_token"] == ["ding-token-0123456789"]
    timestamp = query["timestamp"][0]
    assert len(timestamp) == 13  # milliseconds
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    assert query["sign"][0] == base64.b64encode(digest.digest()).decode()  # after url-decoding
    assert len(body["markdown"]["text"].encode()) < 20_000
    no_secret(result.out + result.err, url, SECRET, "ding-token-0123456789")


def test_wecom_markdown_under_4096_bytes_even_when_long(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/cgi-bin/webhook/send", method="POST")\
        .respond_with_json({"errcode": 0, "errmsg": "ok"})  # fmt: skip
    url = local_api.url_for("/cgi-bin/webhook/send") + "?key=wecom-key-0123456789"
    monkeypatch.setenv("WECOM_URL", url)
    long = "联系高价值会员并记录反馈意见" * 8
    rows = "".join(
        f"  - {{feature: member-tiers, action: 第{i}项{long}, owner: alice}}\n" for i in range(30)
    )
    long_week = W48.replace(
        "product_actions:\n  - {feature: member-tiers, action: 访谈 20 位会员, owner: alice}\n",
        "product_actions:\n" + rows,
    )
    channels = "  - {name: wx, url_env: WECOM_URL, kind: wecom}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels, week=long_week))
    assert result.code == 0, result
    _, body = body_of(local_api)
    content = body["markdown"]["content"]
    assert body["msgtype"] == "markdown"
    assert len(content.encode("utf-8")) <= 4096
    assert "已截断" in content.splitlines()[-1]  # the note says it was shortened
    assert "联系高价值会员" in content  # Chinese cut on whole lines, never mid-character
    assert "第0项" in content and "第29项" not in content


def test_slack_mrkdwn_and_english(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/services/T0/B0/slack-token-0123", method="POST")\
        .respond_with_data("ok")  # fmt: skip
    url = local_api.url_for("/services/T0/B0/slack-token-0123")
    monkeypatch.setenv("SLACK_URL", url)
    channels = "  - {name: eng, url_env: SLACK_URL, kind: slack}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels, lang="en"))
    assert result.code == 0, result
    _, body = body_of(local_api)
    assert body["text"].startswith("*Week 2026-W48: product and ops alignment*")
    assert "*This week's goal*" in body["text"]
    assert "<https://acme.example/dash/|Dashboard>" in body["text"]
    assert "通过会员等级试点提升会员价值" in body["text"]  # repo text kept as written
    assert len(body["text"]) < 40_000


def test_teams_workflows_adaptive_card(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/workflows/abc/triggers/manual/paths/invoke", method="POST")\
        .respond_with_data("", status=202)  # fmt: skip
    url = local_api.url_for("/workflows/abc/triggers/manual/paths/invoke") + "?sig=teams-sig-0123"
    monkeypatch.setenv("TEAMS_URL", url)
    channels = "  - {name: ms, url_env: TEAMS_URL, kind: teams}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == 0, result
    request, body = body_of(local_api)
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"]
    assert card["body"][0]["text"] == "2026-W48 周：产品与运营对齐"
    assert "进行中的功能" in card["body"][1]["text"] and card["body"][1]["wrap"] is True
    assert len(request.get_data()) < 28 * 1024


def test_apprise_url_for_anything_else(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("apprise")  # the `notify` extra, installed by the test extra
    local_api.expect_request("/apprise-hook", method="POST").respond_with_data("ok")
    host = local_api.url_for("/apprise-hook").removeprefix("http://")
    monkeypatch.setenv("OTHER_URL", f"json://{host}")
    channels = "  - {name: other, url_env: OTHER_URL}\n"  # kind inferred: not http(s)
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == 0, result
    _, body = body_of(local_api)
    assert body["title"] == "2026-W48 周：产品与运营对齐"
    assert "本周目标" in body["message"]


# --- failures, secrets, dry run --------------------------------------------------------


def test_a_failed_post_is_exit_3_after_the_others_were_sent(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/broken").respond_with_data("upstream down", status=500)
    local_api.expect_request("/ok1").respond_with_data("ok")
    local_api.expect_request("/ok2").respond_with_json({"errcode": 0, "errmsg": "ok"})
    urls = {
        "BROKEN_URL": local_api.url_for("/broken") + "?token=broken-token-0123456789",
        "OK1_URL": local_api.url_for("/ok1"),
        "OK2_URL": local_api.url_for("/ok2") + "?key=ok2-key-0123456789",
    }
    for name, value in urls.items():
        monkeypatch.setenv(name, value)
    channels = (
        "  - {name: first, url_env: BROKEN_URL, kind: slack}\n"
        "  - {name: second, url_env: OK1_URL, kind: slack}\n"
        "  - {name: third, url_env: OK2_URL, kind: wecom}\n"
    )
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == ExitCode.UNVERIFIED, result
    assert [r.path for r, _ in local_api.log] == ["/broken", "/ok1", "/ok2"]
    assert "first: Slack answered HTTP 500" in result.err
    assert "sent the 2026-W48 digest to second (slack)" in result.err
    assert "sent the 2026-W48 digest to third (wecom)" in result.err
    no_secret(result.out + result.err, *urls.values(), "broken-token", "ok2-key")


def test_unreachable_webhook_is_exit_3_without_the_url(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "http://127.0.0.1:9/hook/unreachable-token-0123456789"  # discard port: refused
    monkeypatch.setenv("GONE_URL", url)
    channels = "  - {name: gone, url_env: GONE_URL, kind: slack}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == ExitCode.UNVERIFIED, result
    assert "gone: could not reach the webhook" in result.err
    no_secret(result.out + result.err, url, "unreachable-token")


def test_dry_run_prints_each_message_and_no_secret(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/dry-token-0123456789"
    monkeypatch.setenv("FEISHU_URL", url)
    monkeypatch.setenv("FEISHU_SECRET", SECRET)
    monkeypatch.delenv("UNSET_URL", raising=False)
    channels = (
        "  - {name: team, url_env: FEISHU_URL, secret_env: FEISHU_SECRET}\n"
        "  - {name: later, url_env: UNSET_URL}\n"
    )
    result = notify(run_cli, workspace(tmp_path / "ws", channels), "--dry-run")
    assert result.code == 0, result
    assert "── team (feishu) ──" in result.out  # kind inferred from the host
    assert "── later (kind unknown) ──" in result.out
    assert "UNSET_URL is not set" in result.out
    assert result.out.count("2026-W48 周：产品与运营对齐") == 2
    no_secret(result.out + result.err, url, SECRET, "dry-token")


def test_missing_doc_says_so_with_the_command(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_URL", "https://hooks.slack.com/services/T/B/x")
    channels = "  - {name: eng, url_env: SLACK_URL}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels, lang="en", week=""), "--dry-run")
    assert result.code == 0, result
    assert "opsync/weeks/2026-W48.md is missing" in result.out
    assert "`opsync week new`" in result.out
    assert "Features in flight" in result.out


def test_configuration_errors_are_exit_2(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_workspace(tmp_path / "none")
    result = notify(run_cli, root)
    assert result.code == ExitCode.USAGE and "no `notify:` channels" in result.err, result
    monkeypatch.delenv("NOPE_URL", raising=False)
    root = workspace(tmp_path / "ws", "  - {name: team, url_env: NOPE_URL, kind: slack}\n")
    result = notify(run_cli, root, "--channel", "other")
    assert result.code == ExitCode.USAGE and "opsync.yml lists: team" in result.err, result
    result = notify(run_cli, root)
    assert result.code == ExitCode.USAGE and "NOPE_URL is not set" in result.err, result


def test_reminder_only_when_the_doc_is_incomplete(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/hook").respond_with_data("ok")
    monkeypatch.setenv("SLACK_URL", local_api.url_for("/hook"))
    channels = "  - {name: eng, url_env: SLACK_URL, kind: slack}\n"
    root = workspace(tmp_path / "ws", channels)
    result = notify(run_cli, root, "--if-incomplete")
    assert result.code == 0 and "no reminder sent" in result.err, result
    assert local_api.log == []
    (root / "opsync/weeks/2026-W48.md").unlink()
    result = notify(run_cli, root, "--if-incomplete")
    assert result.code == 0, result
    assert len(local_api.log) == 1


def test_dingtalk_too_fast_is_explained(
    tmp_path: Path, run_cli: CliRunner, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_api.expect_request("/robot/send").respond_with_json(
        {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
    )
    monkeypatch.setenv("DING_URL", local_api.url_for("/robot/send") + "?access_token=t0123456789")
    channels = "  - {name: ding, url_env: DING_URL, kind: dingtalk}\n"
    result = notify(run_cli, workspace(tmp_path / "ws", channels))
    assert result.code == ExitCode.UNVERIFIED, result
    assert "more than 20 messages a minute" in result.err


def test_posts_to_one_rate_limited_robot_are_spaced(
    tmp_path: Path, local_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two channels on one WeCom robot: the second post waits (a fake clock, no timing)."""
    local_api.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0})
    monkeypatch.setenv("WX", local_api.url_for("/cgi-bin/webhook/send") + "?key=k0123456789")
    channels = "  - {name: a, url_env: WX, kind: wecom}\n  - {name: b, url_env: WX, kind: wecom}\n"
    root = workspace(tmp_path / "ws", channels)
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append, clock=lambda: 100.0)
    options = NotifyOptions(root, "2026-W48", date(2026, 11, 24))
    assert run(options, pacer=pacer) is ExitCode.OK
    assert slept == [3.0] and len(local_api.log) == 2


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://open.feishu.cn/open-apis/bot/v2/hook/x", "feishu"),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/x", "lark"),
        ("https://oapi.dingtalk.com/robot/send?access_token=x", "dingtalk"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "wecom"),
        ("https://hooks.slack.com/services/T/B/x", "slack"),
        (
            "https://prod-01.westus.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke",
            "teams",
        ),
        ("https://default0.environment.api.powerplatform.com/powerautomate/x", "teams"),
        ("https://acme.webhook.office.com/webhookb2/x", "teams"),
        ("tgram://bot/chat", "apprise"),
        ("https://example.com/hook", None),
    ],
)
def test_kind_from_the_webhook_host(url: str, kind: str | None) -> None:
    assert infer_kind(url) == kind


def test_plain_http_to_a_remote_host_is_refused(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK", "http://hooks.slack.com/services/T/B/plain-0123456789")
    root = workspace(tmp_path / "ws", "  - {name: eng, url_env: HOOK}\n")
    result = notify(run_cli, root)
    assert result.code == ExitCode.USAGE and "not an https:// webhook URL" in result.err, result
    assert "plain-0123456789" not in result.err
