#!/usr/bin/env bash
# Inside tests/pg/start.sh: points the core's tests at the throw-away
# cluster (Store::open_in_memory then makes one database per test) and runs
# the given command.
#   bash tests/pg/start.sh bash tests/pg/env.sh cargo test -p beatdesk-core
set -euo pipefail
export PGPASSWORD="$BEATDESK_PG_TEST_PASSWORD"
export BEATDESK_TEST_PG="host=$BEATDESK_PG_TEST_HOST port=$BEATDESK_PG_TEST_PORT user=$BEATDESK_PG_TEST_USER dbname=postgres"
exec "$@"
