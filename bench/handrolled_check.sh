#!/usr/bin/env bash
# The "nearest peer" of `opsync check` for bench/bench_check.py: what a team would write
# in CI by hand. For every feature a PR touches (its spec or a file under launch/<id>/):
# the spec names a metric and an ops owner, its materials exist at the head, and there
# is an approval record by an ops member of the BASE roster whose SSH signature verifies
# against the BASE allowed_signers and whose digest matches the spec+materials at head.
# Not done (opsync does): schema, YAML safety, Markdown sections, checklists, metric
# alignment, week docs, status transitions, code globs, stale-approval explanations.
#
# usage: handrolled_check.sh BASE HEAD   (in the repo; exit 1 when a feature fails)
set -euo pipefail
base=$1
head=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

git show "$base:opsync/allowed_signers" >"$tmp/signers"
ops_roster=$(git show "$base:opsync.yml" | sed -n 's/^  ops: *\[\(.*\)\].*/\1/p' | tr -d ' ')

ids=$(git diff --name-only "$base...$head" |
  sed -n -e 's#^opsync/features/\([^/]*\)\.md$#\1#p' -e 's#^launch/\([^/]*\)/.*#\1#p' | sort -u)

for id in $ids; do
  spec="opsync/features/$id.md"
  git show "$head:$spec" >"$tmp/spec" || { echo "$id: spec deleted"; fail=1; continue; }
  grep -Eq '^metric: *[a-z0-9]' "$tmp/spec" || { echo "$id: no metric"; fail=1; }
  grep -Eq 'ops: *[A-Za-z@]' "$tmp/spec" || { echo "$id: no ops owner"; fail=1; }
  materials=$(sed -n 's/.*path: *\([^,}]*\).*/\1/p' "$tmp/spec")
  for m in $materials; do
    git cat-file -e "$head:$m" 2>/dev/null || { echo "$id: material $m missing"; fail=1; }
  done
  # bundle digest: sha256 over sorted "path blob-id" lines of the spec and materials
  digest="sha256:$(for p in $spec $materials; do
    echo "$p $(git rev-parse -q --verify "$head:$p" || echo -)"
  done | LC_ALL=C sort -u | sha256sum | cut -d' ' -f1)"
  approved=0
  for record in $(git ls-tree --name-only "$head" "opsync/approvals/$id/" 2>/dev/null); do
    git show "$head:$record" >"$tmp/record"
    field() { sed -n "s/^$1: *'\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$tmp/record" | head -1; }
    reviewer=$(field reviewer)
    [[ ",$ops_roster," == *",$reviewer,"* ]] || continue
    [[ "$(field digest)" == "$digest" ]] || { echo "$id: $reviewer's approval is stale"; continue; }
    printf 'opsync-approval v2\nrepo: %s\nfeature: %s\nreviewer: %s\nbase: %s\ndigest: %s\nsigned_at: %s\n' \
      "$(field repo)" "$(field feature)" "$reviewer" "$(field base)" "$(field digest)" \
      "$(field signed_at)" >"$tmp/payload"
    sed -n '/^signature:/,$p' "$tmp/record" | tail -n +2 | sed 's/^ *//' >"$tmp/sig"
    if ssh-keygen -q -Y verify -f "$tmp/signers" -I "$reviewer" -n opsync -s "$tmp/sig" \
      <"$tmp/payload" >/dev/null 2>&1; then
      approved=1
    fi
  done
  [[ $approved == 1 ]] || { echo "$id: no valid ops approval"; fail=1; }
done
[[ $fail == 0 ]] && echo "hand-rolled check: $(wc -w <<<"$ids") feature(s) pass"
exit $fail
