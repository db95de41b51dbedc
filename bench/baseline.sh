#!/usr/bin/env bash
# The 2014 way, by hand: docker run the server, docker run the agents with
# SERF_JOIN_IP, poll `serf members` until all are alive, post the blueprint
# and the cluster, poll the request. Same node image as herd; only the
# server's ports are published (the only ones a person needs to reach).
# Usage: baseline.sh NAME NODES IMAGE BLUEPRINT_JSON. Prints "phase seconds" lines.
set -euo pipefail
name=$1 nodes=$2 image=$3 blueprint=$4
for tool in docker serf curl; do # a missing one would have a wait below poll forever
  command -v $tool >/dev/null || { echo "baseline.sh: $tool is not installed (apt-get install $tool)" >&2; exit 2; }
done
domain=herd.local net=herd-$name pass=baseline auth=baseline-token
now() { date +%s.%N; }
# cleanup removes the containers, then the network, trying again while the
# engine still detaches removed containers (at 100 nodes it can take
# seconds): a network left behind would fail the next run.
# Ten at a time: Docker 20.10 was seen to deadlock removing 100 at once
# (its network sandboxes' deletion), hanging every later call.
cleanup() {
  docker ps -aq --filter label=io.herd.cluster=$name | xargs -r -n 10 docker rm -f >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    docker network inspect $net >/dev/null 2>&1 || return 0
    docker network rm $net >/dev/null 2>&1 && return 0
    sleep 0.5
  done
}
cleanup # what an interrupted run left
t0=$(now)
trap cleanup EXIT
docker network create --label io.herd.cluster=$name $net >/dev/null
run() { # idx role [join]
  docker run -d --name herd-$name-$1 --label io.herd.cluster=$name --network $net --dns 127.0.0.1 \
    -h $name-$1 --domainname $domain -e HERD_DOMAIN=$domain -e AMBARI_ROLE=$2 -e HERD_CLUSTER=$name \
    -e HERD_HOST_GROUP=$([ "$1" = 1 ] && echo master || echo slaves) -e AMBARI_PASSWORD=$pass \
    -e SERF_RPC_AUTH=$auth -e EMU_TASK_DURATION=0s ${3:+-e SERF_JOIN_IP=$3} \
    $([ "$1" = 1 ] && echo "-p 127.0.0.1::8080 -p 127.0.0.1::7373") $image >/dev/null
}
run 1 server
ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" herd-$name-1)
for i in $(seq 2 "$nodes"); do run "$i" agent "$ip" & done
wait
t1=$(now)
rpc=$(docker port herd-$name-1 7373/tcp | head -1)
until [ "$(serf members -rpc-addr="$rpc" -rpc-auth=$auth -status=alive 2>/dev/null | wc -l)" -ge "$nodes" ]; do sleep 0.2; done
t2=$(now)
api="http://$(docker port herd-$name-1 8080/tcp | head -1)/api/v1"
c() { curl -sf -u admin:$pass -H 'X-Requested-By: baseline' "$@"; }
until [ "$(c "$api/hosts" | grep -c '"host_name"')" -ge "$nodes" ]; do sleep 0.2; done
c -X POST -d @"$blueprint" "$api/blueprints/bp" >/dev/null
hosts=$(for i in $(seq 2 "$nodes"); do printf '{"fqdn":"%s-%s.%s"},' "$name" "$i" "$domain"; done)
tmpl="{\"blueprint\":\"bp\",\"host_groups\":[{\"name\":\"master\",\"hosts\":[{\"fqdn\":\"$name-1.$domain\"}]},{\"name\":\"slaves\",\"hosts\":[${hosts%,}]}]}"
c -X POST -d "$tmpl" "$api/clusters/$name" >/dev/null
# grep reads the whole answer (no -q): with pipefail, curl cut off by an
# early grep exit would fail the test and poll forever.
until c "$api/clusters/$name/requests/1" | grep '"request_status": "COMPLETED"' >/dev/null; do sleep 0.2; done
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { print "containers", b-a; print "quorum", c-b; print "ambari", d-c; print "total", d-a }'
