"""One builder of dashboard and week-loop workspaces for tests: a small, realistic repo.

Metrics: the north star `member-value` = `spend-per-member * retention`, and
`spend-per-member` = `purchases * order-value`, so the north star is two formula levels
above its base inputs. `retention` has no value for 2026-W46: that week is a gap for the
north star but not for spend-per-member.
"""

from __future__ import annotations

from pathlib import Path

POLICY = """\
version: 1
roles: {product: [alice, bob], ops: [carol, dave], admins: [erin]}
enforcement: blocking
"""

REGISTRY = """\
version: 1
north_star: member-value
key_metrics: [member-value, first-order-conversion]
metrics:
  - {id: purchases, name: Purchases per member, unit: purchases/member,
     owners: {product: alice, ops: carol}}
  - {id: order-value, name: Average order value, unit: CNY/purchase,
     owners: {product: alice, ops: carol}}
  - {id: retention, name: Retention, unit: "1", owners: {product: alice, ops: carol}}
  - id: spend-per-member
    name: Spend per member
    unit: CNY/member
    formula: purchases * order-value
    owners: {product: alice, ops: carol}
  - id: member-value
    name: Member value
    unit: CNY/member
    formula: spend-per-member * retention
    owners: {product: alice, ops: carol}
    targets: [{period: 2026-Q4, baseline: 300, target: 350}]
  - id: first-order-conversion
    name: 首单转化率
    unit: percent
    owners: {product: bob, ops: dave}
    targets: [{period: 2026-Q4, baseline: 12.5, target: 15}]
"""

DATA = """\
period,metric,value
2026-W45,purchases,2.5
2026-W45,order-value,150
2026-W45,retention,0.8
2026-W45,first-order-conversion,12.5
2026-W46,purchases,2.6
2026-W46,order-value,151
2026-W46,first-order-conversion,13.1
2026-W47,purchases,2.75
2026-W47,order-value,152
2026-W47,retention,0.9
2026-W47,first-order-conversion,13.9
"""


def feature(
    fid: str,
    title: str,
    status: str = "research",
    body: str = "",
    metric: str = "member-value",
    materials: str = "[]",
    week: str = "2026-W47",
) -> str:
    return f"""\
---
id: {fid}
title: {title}
status: {status}
type: user-facing
owners: {{product: alice, ops: carol}}
week: {week}
metric: {metric}
launch_materials: {materials}
---
# {fid}

<!-- opsync:ops-insight -->
## Ops insight

Members care about perceived savings.

<!-- opsync:functional-validation -->
## Functional validation

- [x] claim flow tested on iOS
- [ ] refund path tested
- [ ] (later) history page

<!-- opsync:launch-plan -->
## Launch plan

Push to members who would move up a tier.
{body}
"""


XSS_TITLE = (
    "\"<script>document.title='PWNED'</script>"
    "<img src=x onerror=\\\"document.body.setAttribute('data-pwned','title')\\\">\""
)
XSS_BODY = """
<script>document.body.setAttribute('data-pwned', 'script')</script>

<img src=x onerror="document.body.setAttribute('data-pwned', 'img')">

[click](javascript:document.body.setAttribute('data-pwned','link'))
"""

WEEK_47 = """\
---
week: 2026-W47
goal: {statement: Lift member value with the tiers pilot, metric: member-value}
product_actions:
  - {feature: member-tiers, action: interview 20 members, owner: alice, done: true}
  - {feature: signup-revamp, action: ship the new sign-up form, owner: bob}
ops_support:
  - {for: member-tiers, action: recruit interviewees, owner: carol}
  - {for: signup-revamp, action: new-user coupon push, owner: dave}
---
## Notes
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_workspace(root: Path, xss: bool = False) -> Path:
    """The workspace above in `root` (no git): three features, one week doc, data."""
    write(root, "opsync.yml", POLICY)
    write(root, "opsync/metrics.yml", REGISTRY)
    write(root, "opsync/data/metrics.csv", DATA)
    write(root, "opsync/weeks/2026-W47.md", WEEK_47)
    write(
        root,
        "opsync/features/member-tiers.md",
        feature("member-tiers", "会员体系升级 Member tiers"),
    )
    write(root, "launch/signup-revamp/faq.md", "FAQ for the new sign-up\n")
    write(
        root,
        "opsync/features/signup-revamp.md",
        feature(
            "signup-revamp",
            "Sign-up revamp",
            status="validation",
            metric="first-order-conversion",
            materials="[{kind: cs-faq, path: launch/signup-revamp/faq.md},"
            " {kind: promo-copy, path: launch/signup-revamp/copy.md}]",
        ),
    )
    if xss:
        write(root, "opsync/features/xss.md", feature("xss", XSS_TITLE, body=XSS_BODY))
    return root
