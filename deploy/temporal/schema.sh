#!/bin/sh
# Temporal's databases and schema on PostgreSQL, with the SQL tool of
# Temporal's admin-tools image (its embedded, versioned schema). Run by the
# temporal-schema service; idempotent. The same steps, with the tool built
# from go.temporal.io/server, are what `make production` runs.
set -eu
for db in temporal temporal_visibility; do
  schema="postgresql/v12/${db#temporal_}" # temporal, visibility
  temporal-sql-tool --db "$db" create-database 2>/dev/null || true
  temporal-sql-tool --db "$db" setup-schema -v 0.0 2>/dev/null || true
  temporal-sql-tool --db "$db" update-schema -s "$schema"
done
