#!/usr/bin/env bash
# Install and start a local PostgreSQL for the registry tests; print the admin URL they use.
# Used by .ci/run; safe to run again (it only installs and creates what is missing).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start >&2
fi
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='leaktrace'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE leaktrace LOGIN SUPERUSER PASSWORD 'leaktrace'\"" >&2
echo "postgresql+psycopg://leaktrace:leaktrace@127.0.0.1:5432/postgres"
