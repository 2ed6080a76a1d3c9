#!/usr/bin/env bash
# Runs the example job on a real Flink session cluster on this machine and checks its predictions:
#   ./plstm-flink/cluster-check.sh --model checkpoint.safetensors --input events.csv [--parallelism 2]
# 1. Starts a JobManager and a TaskManager, each in its own JVM (Flink's StandaloneSessionClusterEntrypoint and
#    TaskManagerRunner from Flink's Maven jars, target/flink-classpath.txt: Flink 2.x publishes no distribution on
#    Maven Central, so this is what bin/start-cluster.sh starts, without the scripts), the TaskManager with
#    --add-modules jdk.incubator.vector as the README's config.yaml line gives it.
# 2. Submits target/plstm-flink-job.jar with Flink's own command line (CliFrontend run, what `flink run` calls): the
#    jar is uploaded to the cluster and runs in its user-code class loader, in another process than the client.
# 3. Runs the same input through run-example.sh (a mini cluster in one JVM) and compares the two prediction sets,
#    which must be equal line for line (sorted). Exit 0 if they are; the cluster is stopped either way.
# Needs curl, ports 6123 and 8082 free (PLSTM_FLINK_RPC_PORT, PLSTM_FLINK_REST_PORT to change them), about 3 GB of
# memory. Keeps its files in a temporary directory (printed; kept on failure). About a minute for 20k events.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh"
java_bin="$(find_java cluster-check.sh)"

model="" input="" parallelism=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --input) input="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "cluster-check.sh: unknown argument '$1' (expected --model, --input, --parallelism)" >&2; exit 2 ;;
  esac
done
[[ -f "$model" ]] || { echo "cluster-check.sh: --model: expected a checkpoint file, got '$model'" >&2; exit 2; }
[[ -f "$input" ]] || { echo "cluster-check.sh: --input: expected a CSV file, got '$input'" >&2; exit 2; }
command -v curl > /dev/null || { echo "cluster-check.sh: needs curl (to ask the cluster's REST API)" >&2; exit 2; }
model="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
input="$(cd "$(dirname "$input")" && pwd)/$(basename "$input")"

"$here/run-example.sh" --help > /dev/null # builds the job jar and the classpath file when stale
jar="$here/target/plstm-flink-job.jar"
classpath="$(cat "$here/target/flink-classpath.txt")"
rpc_port="${PLSTM_FLINK_RPC_PORT:-6123}"
rest_port="${PLSTM_FLINK_REST_PORT:-8082}"
work="$(mktemp -d "${TMPDIR:-/tmp}/plstm-cluster-check.XXXXXX")"
echo "cluster-check.sh: files in $work" >&2
mkdir -p "$work/conf" "$work/log"

cat > "$work/conf/config.yaml" <<EOF
jobmanager:
  rpc: {address: localhost, port: $rpc_port}
  bind-host: localhost
  memory: {process: {size: 1024m}}
taskmanager:
  host: localhost
  bind-host: localhost
  numberOfTaskSlots: $parallelism
  cpu: {cores: $parallelism}
  memory:
    framework: {heap: {size: 128m}, off-heap: {size: 128m}}
    task: {heap: {size: 768m}, off-heap: {size: 0m}}
    managed: {size: 128m}
    network: {min: 64m, max: 64m}
    jvm-metaspace: {size: 256m}
    jvm-overhead: {min: 192m, max: 192m}
rest: {address: localhost, bind-address: localhost, port: $rest_port}
EOF
cat > "$work/conf/log4j.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.name = File
appender.file.type = File
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
EOF

# The --add-opens Flink needs on Java 17+, as run-example.sh passes them.
read -r -a opens <<< "$(sed -n '/^opens=(/,/^)/p' "$here/run-example.sh" | grep -v 'opens=(\|^)' | tr '\n' ' ')"
log_opts=(-Dlog4j.configurationFile="$work/conf/log4j.properties")

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT

"$java_bin" "${opens[@]}" "${log_opts[@]}" -Dlog.file="$work/log/jobmanager.log" -cp "$classpath" \
  org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$work/conf" \
  > "$work/log/jobmanager.out" 2>&1 &
pids+=($!)
"$java_bin" -Xms900m -Xmx900m -XX:MaxDirectMemorySize=200m --add-modules jdk.incubator.vector "${opens[@]}" \
  "${log_opts[@]}" -Dlog.file="$work/log/taskmanager.log" -cp "$classpath" \
  org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$work/conf" \
  > "$work/log/taskmanager.out" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do # the TaskManager registered: the REST API lists it
  if curl -sf "http://localhost:$rest_port/taskmanagers" 2> /dev/null | grep -q '"id"'; then
    break
  fi
  sleep 0.5
done
curl -sf "http://localhost:$rest_port/taskmanagers" | grep -q '"id"' || {
  echo "cluster-check.sh: the cluster did not come up in 60 s; logs in $work/log" >&2; exit 1; }
echo "cluster-check.sh: cluster up (JobManager and TaskManager in their own JVMs); submitting $jar" >&2

FLINK_CONF_DIR="$work/conf" "$java_bin" "${opens[@]}" "${log_opts[@]}" -Dlog.file="$work/log/client.log" \
  -cp "$classpath" org.apache.flink.client.cli.CliFrontend run -p "$parallelism" "$jar" \
  --model "$model" --input "$input" --output "$work/cluster" 2>&1 | grep -v '^WARNING' >&2

"$here/run-example.sh" --model "$model" --input "$input" --output "$work/local" --parallelism "$parallelism" \
  > /dev/null 2>&1
sort "$work"/cluster/predictions/* > "$work/cluster.txt"
sort "$work"/local/predictions/* > "$work/local.txt"
if [[ -s "$work/cluster.txt" ]] && cmp -s "$work/cluster.txt" "$work/local.txt"; then
  echo "cluster-check.sh: OK: $(wc -l < "$work/cluster.txt") predictions from the cluster, equal to the mini" \
    "cluster's line for line" >&2
  rm -rf "$work"
else
  echo "cluster-check.sh: FAILED: the cluster's predictions ($(wc -l < "$work/cluster.txt") lines) differ from" \
    "the mini cluster's ($(wc -l < "$work/local.txt")); files and logs in $work" >&2
  exit 1
fi
