#!/usr/bin/env bash
# Command (1) of the README: install, build, then run. With no Slack credentials in the
# environment it runs `ticketbridge demo`: the service against built-in fake Slack and Zendesk on
# 127.0.0.1, narrating a request, so a newcomer sees it work without accounts. With credentials
# it starts the service (`serve`) with the example config and the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ticketbridge
binary=build/release/adapters/cli/ticketbridge

if [[ -z "${SLACK_SIGNING_SECRET:-}" ]]; then
  echo "run.sh: no SLACK_SIGNING_SECRET set: running the demo against built-in fakes." >&2
  echo "run.sh: see README.md, 'Connecting Slack and Zendesk', for the real variables." >&2
  exec "$binary" demo "$@"
fi
export DATABASE_URL=${DATABASE_URL:-sqlite:ticketbridge.db}
exec "$binary" serve --config "${TB_CONFIG:-config/ticketbridge.yaml}" "$@"
