"""The database itself refuses to change or delete an audit event (PostgreSQL trigger).

``AuditEvent`` already refuses in Python; this closes raw SQL, a future ``on_delete`` that
would null the actor, and anyone with the application's database login. TRUNCATE (the test
suite's flush) is a different statement and is not refused. The SQLite demo has no trigger:
its flushes are DELETEs.
"""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_append_only
    BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS portal_auditevent_append_only ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_append_only();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_statistics_page"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORBID), _on_postgresql(ALLOW), elidable=False),
    ]
