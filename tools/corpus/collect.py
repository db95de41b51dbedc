#!/usr/bin/env python3
"""Collects real Ambari blueprints published in public repositories into
blueprints/testdata/corpus/, each as the blueprint Ambari is sent, with its
source (repository, path, commit) in SOURCES.tsv.

  tools/corpus/collect.py MIRRORS_DIR

MIRRORS_DIR holds git repositories as OWNER+NAME/repo (bare clones of the
projects below). Cloudbreak wraps its blueprints ({"blueprint": {...}});
PNDA keeps them in Python templates (BLUEPRINT = r'''...''').
"""
import json, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "blueprints", "testdata", "corpus")

# project, ref ("" = the last commit that had the file), path
FILES = [
    ("apache/ambari", "release-2.6.2", "ambari-server/src/main/resources/stacks/HDP/2.1/blueprints/multinode-default.json"),
    ("apache/ambari", "release-2.6.2", "ambari-server/src/main/resources/stacks/HDP/2.1/blueprints/singlenode-default.json"),
    ("apache/ambari", "HEAD", "ambari-server/src/main/resources/stacks/BIGTOP/3.2.0/blueprints/multinode-default.json"),
    ("apache/ambari", "HEAD", "ambari-server/src/main/resources/stacks/BIGTOP/3.2.0/blueprints/singlenode-default.json"),
    ("apache/ambari", "HEAD", "ambari-server/src/main/resources/stacks/BIGTOP/3.3.0/blueprints/multinode-default.json"),
    ("apache/ambari", "HEAD", "ambari-server/src/main/resources/stacks/BIGTOP/3.3.0/blueprints/singlenode-default.json"),
    ("apache/ambari", "HEAD", "dev-support/docker/docker/blueprints/single-node-HDP-2.1-blueprint1.json"),
    ("apache/bigtop", "", "bigtop-packages/src/common/bigtop-ambari-mpack/bgtp-ambari-mpack/src/main/resources/stacks/BGTP/1.0/blueprints/multinode-default.json"),
    ("apache/bigtop", "", "bigtop-packages/src/common/bigtop-ambari-mpack/bgtp-ambari-mpack/src/main/resources/stacks/BGTP/1.0/blueprints/singlenode-default.json"),
] + [("hortonworks/cloudbreak", "", "core/src/main/resources/defaults/blueprints/%s.bp" % n) for n in [
    "hdp-small-default", "hdp-multinode-default", "hdp-spark-cluster", "hdp-streaming-cluster", "hdp-etl-edw",
    "hdp24-etl-edw", "hdp25-data-science", "hdp25-edw-analytics", "hdp25-etl-edw", "hdp25-etl-edw-spark2",
    "hdp26-data-science-spark2", "hdp26-druid-bi", "hdp26-edw-analytics", "hdp26-etl-edw-spark2",
    "hdp26-shared-services", "hdp26-dlm",
    "hdp30-data-science-spark2", "hdp30-edw-analytics", "hdp30-shared-services",
    "hdp31-data-science-spark2", "hdp31-edw-analytics", "hdp31-shared-services",
]] + [("seanorama/ambari-bootstrap", "", p) for p in [
    "api-examples/blueprint_hdp22-single-node-all-services.json",
    "api-examples/blueprint_hdp22-single-node-simple.json",
    "api-examples/blueprint_hdp22_multinode-simple.blueprint.json",
    "api-examples/blueprints/blueprint-hdfs-ha.json",
    "api-examples/blueprints/blueprint-yarn-ha.json",
    "api-examples/blueprints/hdp-201503_blueprint.json",
    "api-examples/blueprints/single-node/blueprint.json",
    "deploy/examples/201503-ambari2-hdp22/blueprint.json",
]] + [("pndaproject/platform-salt", "HEAD", "salt/hdp/templates/cfg_%s.py.tpl" % n) for n in ["pico", "standard", "production"]]


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo] + list(args), check=True, capture_output=True, text=True).stdout


def blueprint(project, path, text):
    if path.endswith(".bp"):
        d = json.loads(text)
        return d.get("blueprint", d)
    if path.endswith(".py.tpl"):
        body = re.search(r"BLUEPRINT = r'''(.*?)'''", text, re.S).group(1)
        body = "\n".join(l for l in body.splitlines() if l.strip() not in ("{% raw %}", "{% endraw %}"))
        return json.loads(body)
    return json.loads(text)


def file_name(path):
    """A corpus file's name: the source file's, with its folder when that
    name alone says little (blueprint.json, multinode-default.json)."""
    parts = path.split("/")
    base = re.sub(r"(\.blueprint)?\.(json|bp|py\.tpl)$", "", parts[-1])
    if base == "blueprint":
        return parts[-2] + "-" + base
    if base in ("multinode-default", "singlenode-default"):
        return "%s-%s-%s" % (parts[-4].lower(), parts[-3], base)
    return base


def main(mirrors):
    os.makedirs(OUT, exist_ok=True)
    rows = ["file\tproject\tpath\tcommit"]
    for project, ref, path in FILES:
        repo = os.path.join(mirrors, project.replace("/", "+"), "repo")
        if not ref:  # the last commit that touched it, or its parent when that one deleted it
            ref = git(repo, "log", "--all", "-1", "--format=%H", "--", path).strip()
            if subprocess.run(["git", "--git-dir", repo, "cat-file", "-e", ref + ":" + path], stderr=subprocess.DEVNULL).returncode != 0:
                ref += "^"
        commit = git(repo, "rev-parse", ref + "^{commit}").strip()
        bp = blueprint(project, path, git(repo, "show", "%s:%s" % (commit, path)))
        name = "%s--%s" % (project.split("/")[1], file_name(path))
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(bp, f, indent=1, sort_keys=True)
            f.write("\n")
        rows.append("%s.json\t%s\t%s\t%s" % (name, project, path, commit))
    with open(os.path.join(OUT, "SOURCES.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
