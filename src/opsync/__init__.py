"""opsync: product/ops alignment as code, checked on every pull request."""

__version__ = "0.1.0"

# The composite action that ships with this package (action.yml at that repository's
# root). `opsync init --ci github` writes `uses: ACTION_REPO@ACTION_COMMIT` into the
# workflows; `--action-ref` overrides it. ACTION_COMMIT is empty in a source tree: the
# release workflow stamps the tagged commit here before it builds, so a released opsync
# pins the very commit it was built from.
ACTION_REPO = "opsync/opsync"
ACTION_COMMIT = ""
