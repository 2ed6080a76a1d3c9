#!/usr/bin/env bash
# Sequential MNIST with the Phased LSTM, from a fresh checkout:
#   ./plstm-mnist/train.sh                       # train with the defaults (PLSTM, pixel layout, 2 epochs)
#   ./plstm-mnist/train.sh --layout row --epochs 5
#   ./plstm-mnist/train.sh compare --layout row  # or any command: fetch, train, compare, evaluate, --help
# Builds plstm-mnist/target/plstm-mnist.jar with Maven when it is missing or older than the sources, then runs it
# on a JDK 25+ with the Vector API module (java --add-modules jdk.incubator.vector -jar ...).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/plstm-mnist.jar"

major_of() { # prints the major version of the JDK whose home is $1, or nothing
  local release="$1/release" v
  [[ -f "$release" ]] || return 0
  v="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1)"
  printf '%s' "$v"
}

find_java() { # prints the java executable of a JDK 25+, or fails
  local candidates=() home v
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -d "$home" ]] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    v="$(major_of "$home")"
    if [[ -n "$v" && "$v" -ge 25 && -x "$home/bin/java" ]]; then
      printf '%s' "$home/bin/java"
      return 0
    fi
  done
  echo "train.sh: no JDK 25 or newer found (JAVA_HOME, PATH, /usr/lib/jvm, ~/.sdkman, ~/.jdks); install one, e.g." \
       "'apt install temurin-25-jdk' or 'sdk install java 25-tem'" >&2
  return 1
}

stale() { # true if the jar is missing or older than any source or pom
  [[ -f "$jar" ]] || return 0
  [[ -n "$(find "$root/pom.xml" "$root/plstm-reference" "$root/plstm-simd" "$root/plstm-mnist" \
           \( -path '*/target' -prune \) -o \( \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print \) \
           2>/dev/null | head -n 1)" ]]
}

java_bin="$(find_java)"
if stale; then
  echo "train.sh: building $jar ..." >&2
  (cd "$root" && mvn -q -B -pl plstm-mnist -am package -DskipTests)
fi

case "${1:-}" in
  fetch|train|compare|evaluate|help|-h|--help|-V|--version) ;;
  *) set -- train "$@" ;;
esac
exec "$java_bin" --add-modules jdk.incubator.vector -jar "$jar" "$@"
