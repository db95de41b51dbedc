#!/usr/bin/env bash
# Regenerates ambari/stacks/*.json from git repositories of apache/ambari
# and of clemlabprojects/ambari:
#   tools/stackgen/generate.sh /path/to/apache-ambari.git /path/to/clemlab-ambari.git
# Each stack is read at the Ambari release (or commit) whose behaviour it
# follows. Apache Ambari never held the released HDP 3.x definitions (they
# shipped in Hortonworks' own stack package, for Ambari 2.7); Clemlab's
# Ambari fork holds a copy of that package's HDP 3.0, added as its DPH/3.0
# (commit 430d9ef621, before its own changes to the stack). HDP 3.1 extends
# HDP 3.0 in that package with the same services and components, and its
# own files are not public: HDP 3.1 is written from the same definitions.
set -euo pipefail
apache=${1:?usage: generate.sh APACHE_AMBARI_GIT_DIR CLEMLAB_AMBARI_GIT_DIR}
clemlab=${2:?usage: generate.sh APACHE_AMBARI_GIT_DIR CLEMLAB_AMBARI_GIT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/ambari/stacks
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# repository | ref | Ambari release followed | stacks (TREE=AS when renamed)
while read -r project ref release stacks; do
  case $project in
  apache/ambari) repo=$apache ;;
  clemlabprojects/ambari) repo=$clemlab ;;
  esac
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
    tree=${s%%=*} as=${s#*=}
    src="$project $ref ($(git --git-dir="$repo" rev-parse --short=10 "$ref^{commit}"))"
    [[ $tree == "$as" ]] || src="$src, its $tree"
    go run "$root/tools/stackgen" -resources "$dir/ambari-server/src/main/resources" -stack "$tree" -as "$as" -ambari "$release" \
      -source "$src" -out "$out/${as/\//-}.json"
  done
done <<'LIST'
apache/ambari release-2.6.2 2.6.2 HDP/2.0.6 HDP/2.1 HDP/2.2 HDP/2.3 HDP/2.4 HDP/2.5 HDP/2.6
clemlabprojects/ambari 430d9ef621 2.7 DPH/3.0=HDP/3.0 DPH/3.0=HDP/3.1
apache/ambari 8433094284 3.0 BIGTOP/3.2.0 BIGTOP/3.3.0
LIST
