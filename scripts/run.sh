#!/usr/bin/env bash
# Command (1) of the README: install, build and start the service with the example config and
# the embedded SQLite store. With no credentials in the environment it starts in local mode
# (placeholder secrets, nothing reachable) so a newcomer can see it run and poke its endpoints.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ticketbridge

if [[ -z "${SLACK_SIGNING_SECRET:-}" ]]; then
  echo "run.sh: no SLACK_SIGNING_SECRET set: starting in local mode with placeholder credentials." >&2
  echo "run.sh: see README.md, 'Connecting Slack and Zendesk', for the real variables." >&2
  export SLACK_SIGNING_SECRET=local-signing-secret SLACK_BOT_TOKEN=xoxb-local-placeholder \
         ZENDESK_URL=http://127.0.0.1:9 ZENDESK_EMAIL=local@example.com \
         ZENDESK_API_TOKEN=local-placeholder ZENDESK_WEBHOOK_SECRET=local-webhook-secret
fi
export DATABASE_URL=${DATABASE_URL:-sqlite:ticketbridge.db}
exec build/release/adapters/cli/ticketbridge serve --config "${TB_CONFIG:-config/ticketbridge.yaml}" "$@"
