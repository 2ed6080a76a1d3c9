#!/usr/bin/env bash
# Finds a JDK 25 or newer the way the build does: JAVA_HOME, the java on PATH, then the usual install roots
# (/usr/lib/jvm, /usr/java, /opt/java, SDKMAN, ~/.jdks, asdf, macOS). Sourced by plstm-mnist/train.sh and
# jmh/report.sh:
#
#   source "$root/scripts/find-jdk.sh"
#   java_bin="$(find_java train.sh)"   # the java executable; on failure a message naming what to install
#
# Run directly, it prints the java executable it finds (or the message, exit 1): scripts/find-jdk.sh
# The functions change no shell options and define no other names.

major_of() { # prints the major version of the JDK whose home is $1 (from its release file), or nothing
  local release="$1/release" v
  [[ -f "$release" ]] || return 0
  v="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1)"
  printf '%s' "$v"
}

find_java() { # prints the java executable of a JDK 25+, or fails with a message that starts with $1 (the caller)
  local who="${1:-find-jdk.sh}" candidates=() home v
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
              "$HOME"/.asdf/installs/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -d "$home" ]] && candidates+=("$home")
  done
  for home in "${candidates[@]}"; do
    v="$(major_of "$home")"
    if [[ -n "$v" && "$v" -ge 25 && -x "$home/bin/java" ]]; then
      printf '%s' "$home/bin/java"
      return 0
    fi
  done
  echo "$who: no JDK 25 or newer found (JAVA_HOME, PATH, /usr/lib/jvm, ~/.sdkman, ~/.jdks); install one, e.g." \
       "'apt install temurin-25-jdk' or 'sdk install java 25-tem', or point JAVA_HOME at it" >&2
  return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then # run, not sourced
  set -euo pipefail
  find_java find-jdk.sh
  echo
fi
