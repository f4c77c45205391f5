#!/bin/sh
# Starts Command Center from this folder: checks Node, installs dependencies and builds the
# UI when they are missing, stops the server that already holds the same data directory
# (by the pid in its .lock file, never by process name), then serves until Ctrl-C.
# The logic lives in the TypeScript entry (src/cli.ts); this script only calls it.
#
#   ./run-command-center.sh --host 127.0.0.1 --port 8787 --data-dir ./data
set -eu
cd "$(dirname "$0")"

HOST=127.0.0.1
PORT=8787
DATA_DIR=./data
while [ $# -gt 0 ]; do
  case "$1" in
    --host|-Host) HOST="$2"; shift 2 ;;
    --port|-Port) PORT="$2"; shift 2 ;;
    --data-dir|-DataDir) DATA_DIR="$2"; shift 2 ;;
    *) echo "usage: $0 [--host HOST] [--port PORT] [--data-dir DIR]" >&2; exit 2 ;;
  esac
done

if [ -t 1 ]; then GREEN='\033[32m'; RED='\033[31m'; YELLOW='\033[33m'; RESET='\033[0m'; else GREEN=''; RED=''; YELLOW=''; RESET=''; fi
status() { printf '%b[command-center] %s%b\n' "$1" "$2" "$RESET"; }

if ! command -v node >/dev/null 2>&1; then
  status "$RED" "Node.js was not found. Install Node 20 or newer, then run this again."
  exit 1
fi
VERSION=$(node --version | sed 's/^v//')
if [ "${VERSION%%.*}" -lt 20 ]; then
  status "$RED" "Node $VERSION is too old; Command Center needs Node 20 or newer."
  exit 1
fi
status "$GREEN" "Node $VERSION"

node scripts/ensure-deps.js || { status "$RED" "Installing dependencies failed."; exit 1; }
node bin/command-center.js stop --data-dir "$DATA_DIR" || { status "$RED" "Could not stop the server that holds $DATA_DIR."; exit 1; }
node scripts/ensure-build.js || { status "$RED" "Building the UI failed."; exit 1; }

status "$GREEN" "Starting on http://$HOST:$PORT (data: $DATA_DIR); Ctrl-C stops it."
set +e
node bin/command-center.js serve --host "$HOST" --port "$PORT" --data-dir "$DATA_DIR"
CODE=$?
if [ "$CODE" -eq 0 ]; then status "$YELLOW" "Stopped."; else status "$RED" "Exited with code $CODE."; fi
exit "$CODE"
