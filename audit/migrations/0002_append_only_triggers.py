"""Database-level protection of the audit trail: UPDATE (and on PostgreSQL, DELETE) of an audit
row is refused by a trigger, so not even a bug or a stray SQL console in the application's
database role can rewrite history silently. (SQLite's test flush uses DELETE, so there only
UPDATE is blocked; the hash chain detects deletions on every database.) Production should also
deny the application role TRUNCATE on this table."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent
BEGIN
  SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_append_only;"


def forward(apps, schema_editor):
    sql = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, None)


def reverse(apps, schema_editor):
    sql = {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
