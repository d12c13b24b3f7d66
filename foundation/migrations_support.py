"""Helpers for migrations that move a model between apps without touching its table.

Why: the foundation split (issue 15) moved districts, notifications, the audit log and staff
profiles out of the portal app. Their tables keep their names and rows; only Django's state
and the content types move, so groups' permissions, guardian's object permissions and
Wagtail's history entries (all keyed by content type) follow the model.
"""

from django.db import migrations


def state_only(*operations) -> migrations.SeparateDatabaseAndState:
    """The operations change Django's picture of the schema, never the database."""
    return migrations.SeparateDatabaseAndState(state_operations=list(operations))


def relabel_content_types(models: list[str], *, old: str, new: str) -> migrations.RunPython:
    """Move the content types (and with them every permission row pointing at them) of
    ``models`` from app label ``old`` to ``new``; reversible."""

    def move(apps, schema_editor, source, target):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in models:
            if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
                continue  # already there (e.g. created by a post_migrate of a partial run)
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target
            )

    return migrations.RunPython(
        lambda apps, editor: move(apps, editor, old, new),
        lambda apps, editor: move(apps, editor, new, old),
    )
