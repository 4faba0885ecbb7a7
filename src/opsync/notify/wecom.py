"""WeCom (企业微信) group robots: a Markdown message.

Documented (developer.work.weixin.qq.com, 群机器人配置说明): POST JSON
`{"msgtype": "markdown", "markdown": {"content"}}`, content at most 4096 UTF-8 bytes;
20 messages a minute per robot. The key in the webhook URL is the only credential.
"""

from __future__ import annotations

from opsync.notify.base import Platform, Request, json_code_problem
from opsync.notify.http import Answer
from opsync.notify.text import MARKDOWN

LIMIT = 3_996  # of 4096 bytes: 100 left for the title line added below
FREQ_OUT = 45009  # "api freq out of limit"


def build(url: str, secret: str, title: str, text: str, now: float) -> Request:
    return Request(url, {"msgtype": "markdown", "markdown": {"content": f"### {title}\n{text}"}})


def problem(answer: Answer) -> str | None:
    if answer.json().get("errcode") == FREQ_OUT:
        return "WeCom refused: more than 20 messages a minute to this robot; run again later"
    return json_code_problem(answer, "errcode", "WeCom")


WECOM = Platform("wecom", "WeCom", LIMIT, MARKDOWN, build, problem, rate_limited=True)
