#!/usr/bin/env bash
# Runs the example Flink job (org.plstm.flink.example.CsvPredictionJob) on this machine, on an embedded Flink mini
# cluster: CSV events key,t,x_1..x_I in, CSV predictions key,t,events,v_1.. out.
#   ./plstm-flink/run-example.sh --model checkpoint.safetensors --input events.csv              # to stdout/stderr
#   ./plstm-flink/run-example.sh --model checkpoint.safetensors --input events.csv --output out  # out/predictions/
#                                                       # then: wrote N predictions to out/predictions (M rejected ...)
#   ./plstm-flink/run-example.sh --help
#   ./plstm-flink/run-example.sh benchmark [--hidden 128,512 --keys 10000 ...]   # ThroughputBenchmark instead
# Builds plstm-flink/target/plstm-flink-job.jar (the jar to submit to a cluster) and target/flink-classpath.txt
# (Flink's own jars, which a cluster provides) with Maven when they are missing or older than the sources, then runs
# the job on a JDK 25+ (scripts/find-jdk.sh) with the Vector API module and the --add-opens Flink needs on Java 17+.
# JVM options go in JAVA_OPTS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/plstm-flink-job.jar"
classpath="$here/target/flink-classpath.txt"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh" # find_java

stale() { # true if the jar or the class path file is missing or older than any source or pom
  [[ -f "$jar" && -f "$classpath" ]] || return 0
  [[ -n "$(find "$root/pom.xml" "$root/plstm-reference" "$root/plstm-simd" "$root/plstm-flink" \
           \( -path '*/target' -prune \) -o \( \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print \) \
           2>/dev/null | head -n 1)" ]]
}

java_bin="$(find_java run-example.sh)"
if stale; then
  echo "run-example.sh: building $jar ..." >&2
  (cd "$root" && mvn -q -B -pl plstm-flink -am package -DskipTests)
fi

# What Flink needs opened on Java 17+ (Flink's own config.yaml: env.java.opts.all); the same list is in
# plstm-flink/pom.xml (flink.jvm.opens) for the tests.
opens=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow
)
main=org.plstm.flink.example.CsvPredictionJob
name="$0" # -Dplstm.command: the help and the errors name this script, as the user typed it
if [[ "${1:-}" == benchmark ]]; then
  main=org.plstm.flink.bench.ThroughputBenchmark
  name="$0 benchmark"
  shift
fi
read -r -a java_opts <<< "${JAVA_OPTS:-}"
exec "$java_bin" "${java_opts[@]}" --add-modules jdk.incubator.vector "${opens[@]}" \
  -Dlog4j.configurationFile="$here/log4j2-local.properties" "-Dplstm.command=$name" \
  -cp "$jar:$(cat "$classpath")" "$main" "$@"
