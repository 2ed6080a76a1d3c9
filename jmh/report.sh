#!/usr/bin/env bash
# The performance report in one command: runs the JMH suite at one or more instruction levels, saves JMH's JSON
# and the machine record of each level, and renders docs/PERFORMANCE.md and docs/performance.png.
#
#   jmh/report.sh quick [--peers] [--isa LIST]  # minutes per level: shapes (a) and (b), streaming at H=512,
#                                               # 1 fork, 1 × 1 s warm-up, 2 × 1 s measurement
#   jmh/report.sh targets [--peers] [--isa LIST] # about 8 minutes per level: the benchmarks' own warm-up and
#                                               # measurement on the shapes and H the targets are judged on ((a),
#                                               # (b), H=512), one fork instead of two
#   jmh/report.sh full  [--peers] [--isa LIST]  # the benchmarks' own settings, every shape and H (long: do not
#                                               # start it on a busy machine)
#   jmh/report.sh smoke [--peers] [--isa LIST]  # about a minute per level: shape (a) and H=128 only, one 200 ms
#                                               # iteration; proves the tooling
#   jmh/report.sh render                        # re-renders the report from the saved results, runs nothing
#
# Options:
#   --isa LIST       the instruction levels to run, comma-separated, in that order (default: native):
#                      native  no flags: the widest vectors and every instruction this CPU has
#                      avx2    -XX:UseAVX=2: AVX2, 256-bit vectors with FMA
#                      128     -XX:UseAVX=1 -XX:MaxVectorSize=16: AVX at 128-bit vectors
#                      nofma   -XX:UseAVX=0: SSE only, 128-bit vectors, no FMA
#                    The flags go to every JMH fork (-jvmArgsAppend) and to the machine probe. They are HotSpot's
#                    x86 flags: on other CPUs only native runs.
#   --peers          also run the peers (TensorFlow Java, ONNX Runtime, DL4J). Their native code ignores the JVM's
#                    flags: at native all three run as they would for a user; at avx2 and nofma TensorFlow Java
#                    runs again, held to the level by oneDNN's cap (ONEDNN_MAX_CPU_ISA=AVX2, =SSE41; its LSTM
#                    products are oneDNN sgemm); at avx2 ONNX Runtime's inference runs again too, held to AVX2 by
#                    a copy of its library whose MLAS never selects its AVX-512 kernels (PLSTM_ONNXRUNTIME_ISA=AVX2,
#                    see jmh/PEERS.md). Where a peer is not held, the level compares against its native results
#                    (saved ones if native is not in --isa); at 128 no peer runs.
#                    Builds benchmarks-peers.jar with -Ppeers (downloads about 420 MB into ~/.m2 the first time)
#   --results DIR    where the JSON goes (default docs/perf): one subdirectory per level, DIR/native, DIR/avx2,
#                    ...; a run replaces the files it writes in the subdirectories of the levels it ran
#   --report FILE    the Markdown report (default docs/PERFORMANCE.md; the chart goes next to it)
#   --no-build       use the existing jar even if it is older than the sources
#   --dry-run        print what would run, run nothing
#
# Builds jmh/target/benchmarks.jar (or benchmarks-peers.jar) with Maven when it is missing or older than the
# sources, and runs it on a JDK 25+ found like the build finds it (scripts/find-jdk.sh). Each level runs the groups
# peak, simd, reference, kernel and streaming (and peers with --peers, see above), each a separate JMH invocation
# with -rf json -prof gc. A level's results are collected in jmh/target/perf-run/LEVEL/ and only moved to
# DIR/LEVEL/ when every group of the level has run, so a failed or interrupted level leaves its previous results
# alone (levels that finished before it keep their new results; the levels after it do not run). If another JMH
# run holds JMH's lock (/tmp/jmh.lock), the script stops (exit 3) rather than benchmark alongside it.
# Exit codes: 0 done, 1 a build or benchmark failed, 2 a bad command line, 3 JMH's lock is held.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh" # major_of, find_java

usage() { # prints the comment at the top of this file
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}

usage_error() { # one line naming the problem, exit 2
  echo "report.sh: $* (see jmh/report.sh --help)" >&2
  exit 2
}

isa_flags() { # the JVM flags of an instruction level (kept in step with org.plstm.jmh.report.IsaLevel)
  case "$1" in
    native) echo '' ;;
    avx2) echo '-XX:UseAVX=2' ;;
    128) echo '-XX:UseAVX=1 -XX:MaxVectorSize=16' ;;
    nofma) echo '-XX:UseAVX=0' ;;
    *) return 1 ;;
  esac
}

peer_isa() { # oneDNN's cap on TensorFlow Java at a level (kept in step with org.plstm.jmh.report.IsaLevel)
  case "$1" in
    native) echo '' ;; # no cap
    avx2) echo 'AVX2' ;;
    128) return 1 ;; # no peer: oneDNN's SSE41 has no FMA and its AVX is 256-bit
    nofma) echo 'SSE41' ;;
    *) return 1 ;;
  esac
}

onnx_isa() { # the level ONNX Runtime is held to (PLSTM_ONNXRUNTIME_ISA; kept in step with IsaLevel.onnxIsa)
  case "$1" in
    avx2) echo 'AVX2' ;;
    *) return 1 ;; # not held: runs at native only
  esac
}

mode="${1:-}"
[[ -n "$mode" ]] || usage_error "missing mode: expected smoke, quick, targets, full or render"
shift
case "$mode" in
  smoke|quick|targets|full|render) ;;
  -h|--help|help) usage 0 ;;
  -*) usage_error "the mode comes first: expected smoke, quick, targets, full or render before '$mode'" ;;
  *) usage_error "unknown mode '$mode': expected smoke, quick, targets, full or render" ;;
esac
original_args=("$mode" "$@")

peers=0 build=1 dry=0 isa=native isa_given=0
results="$root/docs/perf"
report="$root/docs/PERFORMANCE.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peers) peers=1 ;;
    --no-build) build=0 ;;
    --dry-run) dry=1 ;;
    --isa) [[ $# -ge 2 && "$2" != --* ]] \
             || usage_error "--isa needs a value: a comma-separated list of native, avx2, 128, nofma"
           [[ $isa_given -eq 0 ]] || usage_error "--isa is given twice: list the levels once, comma-separated"
           isa="$2"; isa_given=1; shift ;;
    --isa=*) [[ $isa_given -eq 0 ]] || usage_error "--isa is given twice: list the levels once, comma-separated"
             isa="${1#--isa=}"; isa_given=1 ;;
    --results) [[ $# -ge 2 && "$2" != --* ]] || usage_error "--results needs a value: a directory"
               results="$(realpath -m "$2")"; shift ;;
    --report) [[ $# -ge 2 && "$2" != --* ]] || usage_error "--report needs a value: a file"
              report="$(realpath -m "$2")"; shift ;;
    -h|--help) usage 0 ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

# The levels: known names, no repeats, and on a CPU other than x86-64 only native (the flags are HotSpot's x86
# flags: another JVM would refuse them or ignore them, and the "level" would be native under another name).
levels=()
if [[ "$mode" == render ]]; then
  [[ $isa_given -eq 0 ]] || usage_error "--isa: render runs nothing; it renders every level found in --results"
  [[ $peers -eq 0 ]] || usage_error "--peers: render runs nothing; it renders the peers' saved results"
else
  arch="$(uname -m)"
  [[ -n "$isa" && "$isa" != *, && "$isa" != ,* && "$isa" != *,,* ]] \
    || usage_error "--isa: expected a comma-separated list of native, avx2, 128, nofma, got '$isa'"
  IFS=',' read -r -a requested <<< "$isa"
  for level in "${requested[@]}"; do
    isa_flags "$level" >/dev/null \
      || usage_error "--isa: unknown level '$level': expected native, avx2, 128 or nofma"
    for seen in "${levels[@]}"; do
      [[ "$seen" != "$level" ]] || usage_error "--isa: level '$level' is listed twice"
    done
    if [[ "$level" != native && "$arch" != x86_64 && "$arch" != amd64 ]]; then
      usage_error "--isa: level '$level' needs x86-64 (its flags are HotSpot's x86 flags -XX:UseAVX and" \
                  "-XX:MaxVectorSize) and this CPU is $arch: only native runs here"
    fi
    levels+=("$level")
  done
fi

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

shell_words() { # the arguments as one line a shell splits back into them (single quotes where needed)
  local out=() x
  for x in "$@"; do
    if [[ "$x" =~ ^[A-Za-z0-9_./=:,@%+-]+$ ]]; then
      out+=("$x")
    else
      out+=("'${x//\'/\'\\\'\'}'")
    fi
  done
  printf '%s' "${out[*]}"
}

java_bin="$(find_java report.sh)"
if [[ $build -eq 1 ]] && stale; then
  echo "report.sh: $([[ $dry -eq 1 ]] && echo "would build" || echo building) $jar ..." >&2
  (cd "$root" && run mvn "${mvn_args[@]}")
fi
if [[ $dry -eq 0 && ! -f "$jar" ]]; then
  echo "report.sh: $jar is missing (drop --no-build to build it)" >&2
  exit 1
fi
java_cmd=("$java_bin" --add-modules jdk.incubator.vector)

render() { # the notes are the repository's, wherever the report goes
  run "${java_cmd[@]}" -cp "$jar" org.plstm.jmh.report.PerformanceReport --results "$results" --report "$report" \
    --notes "$root/docs/performance-notes.md"
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
  targets)
    timed=(-f 1)
    shots=()
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
all_groups=(peak simd reference kernel streaming peers) # every result file a level may hold

jmh_args() { # the JMH arguments of a group ($1) at a level ($3) with its JVM flags ($2, may be empty), one per line
  local g="$1" flags="$2" level="$3" a=()
  case "$g" in
    peak) a=('^org\.plstm\.jmh\.PeakFlopsBenchmark\.' "${timed[@]}") ;;
    simd) a=('^org\.plstm\.jmh\.SimdLayerBenchmark\.' "${timed[@]}" "${simd_shapes[@]}") ;;
    reference) a=('^org\.plstm\.jmh\.ReferenceLayerBenchmark\.' "${shots[@]}" "${ref_shapes[@]}") ;;
    kernel) a=('^org\.plstm\.jmh\.KernelBenchmark\.' "${timed[@]}" "${kernel_shapes[@]}") ;;
    streaming) a=('^org\.plstm\.jmh\.(StreamingBenchmark|BatchInferenceBenchmark)\.' "${timed[@]}" \
                  "${stream_params[@]}") ;;
    peers) if [[ -n "$(onnx_isa "$level")" ]]; then # held to the level: TensorFlow Java and ONNX Runtime
             a=('^org\.plstm\.jmh\.peers\.PeerLstmBenchmark\.((inference|training)Tf|inferenceOnnx)$' \
                "${timed[@]}" "${peer_shapes[@]}")
           elif [[ -n "$(peer_isa "$level")" ]]; then # held to the level: TensorFlow Java only (oneDNN's cap)
             a=('^org\.plstm\.jmh\.peers\.PeerLstmBenchmark\.(inference|training)Tf$' "${timed[@]}" \
                "${peer_shapes[@]}")
           else
             a=('^org\.plstm\.jmh\.peers\.PeerLstmBenchmark\.' "${timed[@]}" "${peer_shapes[@]}")
           fi ;;
  esac
  a+=("${common[@]}")
  # The peers never get the level's flags (their native code ignores them, and -jvmArgsAppend would replace their
  # own @Fork ones); a level holds them by the environment instead (peer_isa, onnx_isa).
  if [[ -n "$flags" && "$g" != peers ]]; then
    a+=(-jvmArgsAppend "$flags")
  fi
  printf '%s\n' "${a[@]}"
}

stage_root="$here/target/perf-run"
command_line="jmh/report.sh${original_args[*]:+ }${original_args[*]}"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || true)"
if [[ -n "$commit" && -n "$(git -C "$root" status --porcelain --untracked-files=no -- plstm-reference plstm-simd jmh \
      pom.xml 2>/dev/null)" ]]; then
  commit="$commit+dirty"
fi

if [[ $dry -eq 0 ]]; then
  rm -rf "$stage_root"
  mkdir -p "$stage_root"
fi

# Results of the layout before the levels (JSON directly in DIR) are the native level's: moved to DIR/native/
# once, before the first level lands, unless DIR/native/ exists already (the report then ignores them).
migrate_flat() {
  local f moved=0
  [[ -d "$results" && ! -e "$results/native" ]] || return 0
  for f in machine "${all_groups[@]}"; do
    if [[ -f "$results/$f.json" ]]; then
      if [[ $moved -eq 0 ]]; then
        echo "report.sh: moving the results of the layout before --isa from $results/ to $results/native/" >&2
        run mkdir -p "$results/native"
        moved=1
      fi
      run mv "$results/$f.json" "$results/native/$f.json"
    fi
  done
}

finished=() partial=() failed=""
for level in "${levels[@]}"; do
  flags="$(isa_flags "$level")"
  read -r -a flag_args <<< "$flags" # empty for native
  stage="$stage_root/$level"
  groups=(peak simd reference kernel streaming)
  peer_env=() # the peers' environment at this level (empty at native: no cap)
  peers_here=0
  if [[ $peers -eq 1 ]] && cap="$(peer_isa "$level")"; then
    groups+=(peers)
    peers_here=1
    [[ -z "$cap" ]] || peer_env=("ONEDNN_MAX_CPU_ISA=$cap")
    if onnx="$(onnx_isa "$level")"; then
      peer_env+=("PLSTM_ONNXRUNTIME_ISA=$onnx")
    fi
  fi
  echo "report.sh: level $level (JVM flags: ${flags:-none}; results: $results/$level)" >&2

  probe_args=(start --out "$stage/machine.json" --mode "$mode" --level "$level" --jvm-flags="$flags"
              --command "$command_line" --commit "$commit")
  [[ $peers_here -eq 0 ]] || probe_args+=(--peer-env="${peer_env[*]}")
  for g in "${groups[@]}"; do
    mapfile -t a < <(jmh_args "$g" "$flags" "$level")
    probe_args+=(--run "$g=$(shell_words "${a[@]}") -rf json -rff $g.json")
  done
  [[ $dry -eq 1 ]] || mkdir -p "$stage"
  run "${java_cmd[@]}" "${flag_args[@]}" -cp "$jar" org.plstm.jmh.report.MachineProbe "${probe_args[@]}"

  for g in "${groups[@]}"; do
    mapfile -t a < <(jmh_args "$g" "$flags" "$level")
    env_args=()
    [[ "$g" != peers || ${#peer_env[@]} -eq 0 ]] || env_args=(env "${peer_env[@]}")
    echo "report.sh: $level: $g (log: $stage/$g.log)" >&2
    if [[ $dry -eq 1 ]]; then
      run "${env_args[@]}" "${java_cmd[@]}" -jar "$jar" "${a[@]}" -rf json -rff "$stage/$g.json"
      continue
    fi
    status=0
    run "${env_args[@]}" "${java_cmd[@]}" -jar "$jar" "${a[@]}" -rf json -rff "$stage/$g.json" 2>&1 \
      | tee "$stage/$g.log" || status=$?
    if grep -q 'Unable to acquire the JMH lock' "$stage/$g.log"; then
      echo "report.sh: another JMH run holds JMH's lock (/tmp/jmh.lock): the machine is busy benchmarking." \
           "Nothing was changed in $results/$level; run again when it is done." >&2
      exit 3
    fi
    if [[ $status -ne 0 || ! -s "$stage/$g.json" ]]; then
      echo "report.sh: JMH failed on $level: $g (exit $status; see $stage/$g.log). Nothing was changed in" \
           "$results/$level." >&2
      failed="$level"
      break
    fi
    if grep -q '<failure>' "$stage/$g.log"; then
      partial+=("$level: $g") # some benchmarks of the group failed (JMH goes on): their rows will be missing
    fi
  done
  [[ -z "$failed" ]] || break

  run "${java_cmd[@]}" -cp "$jar" org.plstm.jmh.report.MachineProbe finish --out "$stage/machine.json"

  # Every group of the level ran: its results replace the level's previous ones.
  [[ ${#finished[@]} -gt 0 ]] || migrate_flat
  if [[ $dry -eq 0 ]]; then
    mkdir -p "$results/$level"
    for f in machine "${all_groups[@]}"; do
      rm -f "$results/$level/$f.json"
    done
    cp "$stage"/*.json "$results/$level/"
  fi
  finished+=("$level")
done

if [[ -n "$failed" ]]; then
  if [[ ${#finished[@]} -gt 0 ]]; then
    echo "report.sh: levels finished before the failure: ${finished[*]}; rendering the report with them" >&2
    render
  fi
  remaining=()
  seen_failed=0
  for level in "${levels[@]}"; do
    [[ "$level" == "$failed" ]] && seen_failed=1 && continue
    [[ $seen_failed -eq 1 ]] && remaining+=("$level")
  done
  [[ ${#remaining[@]} -eq 0 ]] || echo "report.sh: not run: ${remaining[*]}" >&2
  exit 1
fi
render

if [[ ${#partial[@]} -gt 0 ]]; then
  echo "report.sh: some benchmarks failed in: ${partial[*]} (see the logs in $stage_root); the report shows the" \
       "rest" >&2
  exit 1
fi
