#!/usr/bin/env bash
# The performance report in one command: runs the JMH suite, saves JMH's JSON and the machine record, and renders
# docs/PERFORMANCE.md and docs/performance.png.
#
#   jmh/report.sh quick [--peers]   # minutes: shapes (a) and (b), streaming at H=512, 1 fork, 1 × 1 s warm-up,
#                                   # 2 × 1 s measurement
#   jmh/report.sh full  [--peers]   # the benchmarks' own settings, every shape and H (long: do not start it on a
#                                   # busy machine)
#   jmh/report.sh smoke [--peers]   # about a minute: shape (a) and H=128 only, one 200 ms iteration; proves the
#                                   # tooling
#   jmh/report.sh render            # re-renders the report from the saved results, runs nothing
#
# Options:
#   --peers          also run the peers (TensorFlow Java, ONNX Runtime, DL4J): builds benchmarks-peers.jar with
#                    -Ppeers (downloads about 420 MB into ~/.m2 the first time)
#   --results DIR    where the JSON goes (default docs/perf); a run replaces the files it writes there
#   --report FILE    the Markdown report (default docs/PERFORMANCE.md; the chart goes next to it)
#   --no-build       use the existing jar even if it is older than the sources
#   --dry-run        print what would run, run nothing
#
# Builds jmh/target/benchmarks.jar (or benchmarks-peers.jar) with Maven when it is missing or older than the
# sources, and runs it on a JDK 25+ found like the build finds it (scripts/find-jdk.sh). Each group of benchmarks
# (peak, simd, reference, kernel, streaming, peers) is a separate JMH invocation with -rf json -prof gc; the
# results are collected in jmh/target/perf-run/ and only moved to --results when every group has run, so a failed
# or interrupted run leaves the previous results alone. If another JMH run holds JMH's lock (/tmp/jmh.lock), the
# script stops (exit 3) rather than benchmark alongside it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh" # major_of, find_java

usage() {
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

mode="${1:-}"
[[ -n "$mode" ]] || usage
shift
case "$mode" in
  smoke|quick|full|render) ;;
  -h|--help|help) usage 0 ;;
  *) echo "report.sh: unknown mode '$mode'" >&2; usage ;;
esac
original_args=("$mode" "$@")

peers=0 build=1 dry=0
results="$root/docs/perf"
report="$root/docs/PERFORMANCE.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers=1 ;;
    --no-build) build=0 ;;
    --dry-run) dry=1 ;;
    --results) [[ $# -ge 2 ]] || usage; results="$(realpath -m "$2")"; shift ;;
    --report) [[ $# -ge 2 ]] || usage; report="$(realpath -m "$2")"; shift ;;
    -h|--help) usage 0 ;;
    *) echo "report.sh: unknown option '$1'" >&2; usage ;;
  esac
  shift
done

if [[ $peers -eq 1 ]]; then
  jar="$here/target/benchmarks-peers.jar"
  mvn_args=(-q -B -Ppeers -Djavacpp.platform=linux-x86_64 -pl jmh -am package -DskipTests)
else
  jar="$here/target/benchmarks.jar"
  mvn_args=(-q -B -pl jmh -am package -DskipTests)
fi

stale() { # true if the jar is missing or older than any source or pom it is built from
  [[ -f "$jar" ]] || return 0
  local dirs=("$root/plstm-reference/src" "$root/plstm-simd/src" "$here/src/main")
  [[ $peers -eq 1 ]] && dirs+=("$here/src/peers")
  [[ -n "$(find "$root/pom.xml" "$root/plstm-reference/pom.xml" "$root/plstm-simd/pom.xml" "$here/pom.xml" \
           "${dirs[@]}" \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$jar" \
           -print 2>/dev/null | head -n 1)" ]]
}

run() { # prints the command; runs it unless --dry-run
  printf '+'; printf ' %q' "$@"; printf '\n'
  [[ $dry -eq 1 ]] || "$@"
}

java_bin="$(find_java report.sh)"
if [[ $build -eq 1 ]] && stale; then
  echo "report.sh: building $jar ..." >&2
  (cd "$root" && run mvn "${mvn_args[@]}")
fi
if [[ $dry -eq 0 && ! -f "$jar" ]]; then
  echo "report.sh: $jar is missing (drop --no-build to build it)" >&2
  exit 1
fi
java_cmd=("$java_bin" --add-modules jdk.incubator.vector)

render() {
  run "${java_cmd[@]}" -cp "$jar" org.plstm.jmh.report.PerformanceReport --results "$results" --report "$report"
}

if [[ "$mode" == render ]]; then
  render
  exit 0
fi

# Per mode: JMH settings (the SIMD, kernel and streaming benchmarks are timed, the reference is single-shot) and
# shapes. Shapes: (a) 128x784x1x32, (b) 64x100x64x256; the reference runs smaller batches of the same T, I, H.
# Streaming (StreamingBenchmark, BatchInferenceBenchmark): hidden sizes, both paths (event-driven and dense).
case "$mode" in
  smoke)
    timed=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
    shots=(-f 1 -wi 0 -i 1)
    simd_shapes=(-p shape=128x784x1x32)
    ref_shapes=(-p shape=8x784x1x32)
    kernel_shapes=(-p shape=128x784x1x32)
    peer_shapes=(-p shape=128x784x1x32)
    stream_params=(-p hidden=128)
    ;;
  quick)
    timed=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
    shots=(-f 1 -wi 1 -i 2)
    simd_shapes=(-p shape=128x784x1x32,64x100x64x256)
    ref_shapes=(-p shape=8x784x1x32,4x100x64x256)
    kernel_shapes=(-p shape=128x784x1x32,64x100x64x256)
    peer_shapes=(-p shape=128x784x1x32,64x100x64x256)
    stream_params=(-p hidden=512)
    ;;
  full)
    timed=() shots=() simd_shapes=() ref_shapes=() kernel_shapes=() peer_shapes=() stream_params=()
    ;;
esac
common=(-prof gc)
groups=(peak simd reference kernel streaming)
[[ $peers -eq 1 ]] && groups+=(peers)

jmh_args() { # the JMH arguments of a group, one per line
  local g="$1" a=()
  case "$g" in
    peak) a=('^org\.plstm\.jmh\.PeakFlopsBenchmark\.' "${timed[@]}") ;;
    simd) a=('^org\.plstm\.jmh\.SimdLayerBenchmark\.' "${timed[@]}" "${simd_shapes[@]}") ;;
    reference) a=('^org\.plstm\.jmh\.ReferenceLayerBenchmark\.' "${shots[@]}" "${ref_shapes[@]}") ;;
    kernel) a=('^org\.plstm\.jmh\.KernelBenchmark\.' "${timed[@]}" "${kernel_shapes[@]}") ;;
    streaming) a=('^org\.plstm\.jmh\.(StreamingBenchmark|BatchInferenceBenchmark)\.' "${timed[@]}" \
                  "${stream_params[@]}") ;;
    peers) a=('^org\.plstm\.jmh\.peers\.PeerLstmBenchmark\.' "${timed[@]}" "${peer_shapes[@]}") ;;
  esac
  a+=("${common[@]}")
  printf '%s\n' "${a[@]}"
}

stage="$here/target/perf-run"
command_line="jmh/report.sh${original_args[*]:+ }${original_args[*]}"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || true)"
if [[ -n "$commit" && -n "$(git -C "$root" status --porcelain --untracked-files=no -- plstm-reference plstm-simd jmh \
      pom.xml 2>/dev/null)" ]]; then
  commit="$commit+dirty"
fi

probe_args=(start --out "$stage/machine.json" --mode "$mode" --command "$command_line" --commit "$commit")
for g in "${groups[@]}"; do
  mapfile -t a < <(jmh_args "$g")
  probe_args+=(--run "$g=${a[*]} -rf json -rff $g.json")
done

if [[ $dry -eq 0 ]]; then
  rm -rf "$stage"
  mkdir -p "$stage"
fi
run "${java_cmd[@]}" -cp "$jar" org.plstm.jmh.report.MachineProbe "${probe_args[@]}"

partial=()
for g in "${groups[@]}"; do
  mapfile -t a < <(jmh_args "$g")
  echo "report.sh: $g (log: $stage/$g.log)" >&2
  if [[ $dry -eq 1 ]]; then
    run "${java_cmd[@]}" -jar "$jar" "${a[@]}" -rf json -rff "$stage/$g.json"
    continue
  fi
  status=0
  run "${java_cmd[@]}" -jar "$jar" "${a[@]}" -rf json -rff "$stage/$g.json" 2>&1 | tee "$stage/$g.log" || status=$?
  if grep -q 'Unable to acquire the JMH lock' "$stage/$g.log"; then
    echo "report.sh: another JMH run holds JMH's lock (/tmp/jmh.lock): the machine is busy benchmarking." \
         "Nothing was changed in $results; run again when it is done." >&2
    exit 3
  fi
  if [[ $status -ne 0 || ! -s "$stage/$g.json" ]]; then
    echo "report.sh: JMH failed on $g (exit $status; see $stage/$g.log). Nothing was changed in $results." >&2
    exit 1
  fi
  if grep -q '<failure>' "$stage/$g.log"; then
    partial+=("$g") # some benchmarks of the group failed (JMH goes on): their rows will be missing
  fi
done

run "${java_cmd[@]}" -cp "$jar" org.plstm.jmh.report.MachineProbe finish --out "$stage/machine.json"

if [[ $dry -eq 0 ]]; then
  mkdir -p "$results"
  for f in machine peak simd reference kernel streaming peers; do
    rm -f "$results/$f.json"
  done
  cp "$stage"/*.json "$results/"
fi
render

if [[ ${#partial[@]} -gt 0 ]]; then
  echo "report.sh: some benchmarks failed in: ${partial[*]} (see the logs in $stage); the report shows the rest" >&2
  exit 1
fi
