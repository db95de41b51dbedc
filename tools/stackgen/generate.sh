#!/usr/bin/env bash
# Regenerates ambari/stacks/*.json from an apache/ambari git repository:
#   tools/stackgen/generate.sh /path/to/ambari.git
# Each stack is read at the Ambari release (or commit) whose behaviour it
# follows. Apache Ambari never held HDP 3.1's definitions (they shipped in
# Hortonworks' own stack package), so HDP 3.x is HDP 3.0 as Ambari's tree
# last held it, before its removal for Ambari 2.7.
set -euo pipefail
repo=${1:?usage: generate.sh AMBARI_GIT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/ambari/stacks
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ref | Ambari release followed | stacks
while read -r ref release stacks; do
  dir=$tmp/$ref
  mkdir -p "$dir"
  # the metainfo.xml files, and the names of the configuration files
  # (a service's configuration types): all stackgen reads
  files=$(git --git-dir="$repo" ls-tree -r --name-only "$ref" -- ambari-server/src/main/resources/stacks ambari-server/src/main/resources/common-services)
  grep '/metainfo\.xml$' <<<"$files" | while read -r f; do
    mkdir -p "$dir/$(dirname "$f")"
    git --git-dir="$repo" show "$ref:$f" >"$dir/$f"
  done
  grep -E '/services/[^/]+/configuration[^/]*/[^/]+\.xml$|common-services/[^/]+/[^/]+/configuration[^/]*/[^/]+\.xml$' <<<"$files" | while read -r f; do
    mkdir -p "$dir/$(dirname "$f")"
    : >"$dir/$f"
  done
  # the content of those that ask the user for input (required passwords)
  git --git-dir="$repo" grep -l 'require-input="true"' "$ref" -- ':(glob)ambari-server/src/main/resources/**/configuration*/*.xml' |
    sed "s|^$ref:||" | while read -r f; do
      mkdir -p "$dir/$(dirname "$f")"
      git --git-dir="$repo" show "$ref:$f" >"$dir/$f"
    done
  for s in $stacks; do
    go run "$root/tools/stackgen" -resources "$dir/ambari-server/src/main/resources" -stack "$s" -ambari "$release" \
      -source "apache/ambari $ref ($(git --git-dir="$repo" rev-parse --short=10 "$ref^{commit}"))" -out "$out/${s/\//-}.json"
  done
done <<'LIST'
release-2.6.2 2.6.2 HDP/2.0.6 HDP/2.1 HDP/2.2 HDP/2.3 HDP/2.4 HDP/2.5 HDP/2.6
8b5cf83842 2.7 HDP/3.0
8433094284 3.0 BIGTOP/3.2.0 BIGTOP/3.3.0
LIST
