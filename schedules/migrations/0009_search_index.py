"""A substring index for the schedules table's search (`schedules.search`).

PostgreSQL: the pg_trgm extension and a trigram GIN index over the upper-cased
columns Django's `icontains` compares. SQLite: an FTS5 table with the trigram
tokenizer over the same columns, kept in step by triggers, filled once here.
Each vendor's part is a no-op on the other.
"""

from django.db import migrations

POSTGRES = [
    # Kept on the way back: other objects may use it (trusted since PostgreSQL 13).
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX schedule_search_trgm ON schedules_schedule USING gin ("
    "UPPER(name) gin_trgm_ops, UPPER(target_name) gin_trgm_ops, "
    "UPPER(owner_name) gin_trgm_ops, UPPER(owner_email) gin_trgm_ops)",
]
POSTGRES_BACK = ["DROP INDEX IF EXISTS schedule_search_trgm"]

SQLITE = [
    "CREATE VIRTUAL TABLE schedule_search USING fts5("
    "name, target_name, owner_name, owner_email, "
    "content='schedules_schedule', content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER schedule_search_insert AFTER INSERT ON schedules_schedule BEGIN
        INSERT INTO schedule_search(rowid, name, target_name, owner_name, owner_email)
        VALUES (new.id, new.name, new.target_name, new.owner_name, new.owner_email);
    END""",
    """CREATE TRIGGER schedule_search_delete AFTER DELETE ON schedules_schedule BEGIN
        INSERT INTO schedule_search(
            schedule_search, rowid, name, target_name, owner_name, owner_email
        ) VALUES (
            'delete', old.id, old.name, old.target_name, old.owner_name, old.owner_email
        );
    END""",
    """CREATE TRIGGER schedule_search_update
    AFTER UPDATE OF name, target_name, owner_name, owner_email ON schedules_schedule
    BEGIN
        INSERT INTO schedule_search(
            schedule_search, rowid, name, target_name, owner_name, owner_email
        ) VALUES (
            'delete', old.id, old.name, old.target_name, old.owner_name, old.owner_email
        );
        INSERT INTO schedule_search(rowid, name, target_name, owner_name, owner_email)
        VALUES (new.id, new.name, new.target_name, new.owner_name, new.owner_email);
    END""",
    "INSERT INTO schedule_search(schedule_search) VALUES ('rebuild')",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS schedule_search_insert",
    "DROP TRIGGER IF EXISTS schedule_search_delete",
    "DROP TRIGGER IF EXISTS schedule_search_update",
    "DROP TABLE IF EXISTS schedule_search",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("schedules", "0008_unparsed_flag")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK}),
        ),
    ]
