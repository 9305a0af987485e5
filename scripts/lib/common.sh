# Shell helpers shared by scripts/setup, scripts/kafka, scripts/test and .ci/run.
# Source this file from bash. It sets SKYSTREAM_ROOT to the repository that contains it,
# so every script works from any checkout and any working directory.

SKYSTREAM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SKYSTREAM_SCRIPT="$(basename "$0")"

# Paths of the git-ignored folders that scripts/setup fills.
SKYSTREAM_DEPS="$SKYSTREAM_ROOT/.deps"
SKYSTREAM_RDKAFKA_PREFIX="$SKYSTREAM_DEPS/librdkafka"
SKYSTREAM_KAFKA_LIBS="$SKYSTREAM_DEPS/kafka/libs"
SKYSTREAM_VENV="$SKYSTREAM_ROOT/.venv"

# Local broker addresses. The environment may move both ports, for example to run a second
# checkout next to a broker that already uses the default ports.
SKYSTREAM_KAFKA_HOST=127.0.0.1
SKYSTREAM_KAFKA_PORT="${SKYSTREAM_KAFKA_PORT:-9092}"
SKYSTREAM_KAFKA_CONTROLLER_PORT="${SKYSTREAM_KAFKA_CONTROLLER_PORT:-$((SKYSTREAM_KAFKA_PORT + 1))}"
SKYSTREAM_BOOTSTRAP_SERVERS="$SKYSTREAM_KAFKA_HOST:$SKYSTREAM_KAFKA_PORT"

log() {
  printf '%s: %s\n' "$SKYSTREAM_SCRIPT" "$*"
}

warn() {
  printf '%s: warning: %s\n' "$SKYSTREAM_SCRIPT" "$*" >&2
}

die() {
  printf '%s: error: %s\n' "$SKYSTREAM_SCRIPT" "$*" >&2
  exit 1
}

# Succeeds when TCP port $2 on host $1 accepts a connection within one second.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# Succeeds when a Kafka broker at $1 (host:port) returns cluster metadata within $2 seconds.
# kcat sends a real Metadata request, which a plain open port does not prove.
kafka_answers() {
  local bootstrap="$1" timeout_s="${2:-5}"
  timeout "$((timeout_s + 2))" kcat -L -b "$bootstrap" -m "$timeout_s" -q >/dev/null 2>&1
}

# Prints the names of the setup parts that are missing. Each READY file is written by
# scripts/setup only after its part has been installed and checked.
missing_setup_parts() {
  local part
  for part in librdkafka venv kafka; do
    [[ -f "$SKYSTREAM_DEPS/READY-$part" ]] || echo "$part"
  done
  [[ -x "$SKYSTREAM_VENV/bin/python" ]] || echo "venv-python"
  for part in cmake ninja java kcat clang-format; do
    command -v "$part" >/dev/null || echo "command-$part"
  done
}
