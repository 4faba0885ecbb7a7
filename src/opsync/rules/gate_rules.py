"""Rule ids raised by the PR gate (`opsync check`, `opsync status`), declared so the
docs and SARIF rule metadata name them. The checks live in `opsync.gate`."""

from __future__ import annotations

from opsync.rules.registry import declare

TARGET = "gate"

declare("shared-metric", TARGET, "The feature names an aligned metric of the registry.")
declare(
    "ops-involvement",
    TARGET,
    "An ops owner from the roster; from `design` on, a non-empty ops-insight section.",
)
declare(
    "week-alignment",
    TARGET,
    "The feature's week names an existing week doc (a warning when over 4 weeks old).",
)
declare(
    "launch-materials",
    TARGET,
    "Each material is a non-empty regular file in the repo, or `na` with a reason; "
    "user-facing features have at least one file.",
)
declare(
    "co-validation",
    TARGET,
    "Every core functional-validation item is checked and every launch material is present.",
)
declare(
    "ops-signoff", TARGET, "Enough distinct ops reviewers approved the feature's current content."
)
declare(
    "expected-effect",
    TARGET,
    "From `build` on, the spec states its promise: `expected: {direction, change, within}`.",
)
declare(
    "policy-approval",
    TARGET,
    "A change to opsync.yml or allowed_signers is approved by an admin of the base policy.",
)
declare(
    "registry-approval",
    TARGET,
    "A change to the metric registry is approved by a product and an ops roster member.",
)
declare(
    "no-feature",
    TARGET,
    "A PR changing `require_feature_for` paths touches or names a feature (no aligned "
    "metric otherwise).",
)
declare(
    "feature-deleted",
    TARGET,
    "Specs are not deleted or moved out of the features folder; set `status: dropped`.",
)
declare("status-transition", TARGET, "A status moving backwards is reported (warning).")
declare("record-format", TARGET, "An approval record is well formed (written by `opsync approve`).")
