#!/usr/bin/env bash
# Sequential MNIST with the Phased LSTM, from a fresh checkout:
#   ./plstm-mnist/train.sh                       # train with the defaults (PLSTM, pixel layout, 2 epochs)
#   ./plstm-mnist/train.sh --layout row --epochs 5
#   ./plstm-mnist/train.sh compare --layout row  # or any command: fetch, train, compare, evaluate, events, --help
#   ./plstm-mnist/train.sh freq --sampling async  # the paper's experiments: freq [compare], event-mnist [compare]
# Builds plstm-mnist/target/plstm-mnist.jar with Maven when it is missing or older than the sources, then runs it
# on a JDK 25+ (found by scripts/find-jdk.sh) with the Vector API module
# (java --add-modules jdk.incubator.vector -jar ...). JVM options go in JAVA_OPTS, e.g. an instruction level:
#   JAVA_OPTS='-XX:UseAVX=2' ./plstm-mnist/train.sh train --epochs 1
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/plstm-mnist.jar"
# shellcheck source=../scripts/find-jdk.sh
source "$root/scripts/find-jdk.sh" # major_of, find_java

stale() { # true if the jar is missing or older than any source or pom
  [[ -f "$jar" ]] || return 0
  [[ -n "$(find "$root/pom.xml" "$root/plstm-reference" "$root/plstm-simd" "$root/plstm-mnist" \
           \( -path '*/target' -prune \) -o \( \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print \) \
           2>/dev/null | head -n 1)" ]]
}

java_bin="$(find_java train.sh)"
if stale; then
  echo "train.sh: building $jar ..." >&2
  (cd "$root" && mvn -q -B -pl plstm-mnist -am package -DskipTests)
fi

case "${1:-}" in
  fetch|train|compare|evaluate|events|freq|event-mnist|help|-h|--help|-V|--version) ;;
  ''|-*) set -- train "$@" ;; # options only: the default command
  *) ;; # a word that is no command: the jar says so, with a suggestion ("did you mean train?")
esac
read -r -a java_opts <<< "${JAVA_OPTS:-}"
# -Dplstm.command: the help and the usage errors name this script, as the user typed it
exec "$java_bin" "${java_opts[@]}" --add-modules jdk.incubator.vector "-Dplstm.command=$0" -jar "$jar" "$@"
