"""COPY with the model's defaults: the columns a seeder does not name get what the model
would write, so a new field with a Python-side default does not break the benchmarks."""

from django.db import connection


def columns_with_defaults(model, named: str) -> tuple[str, tuple]:
    """``named`` plus every other concrete column that has a default or may not be NULL, and
    their values as the database stores them (evaluated once: the same value in every row)."""
    listed = {name.strip() for name in named.split(",")}
    extra_names, extra_values = [], []
    for field in model._meta.concrete_fields:
        if field.column in listed or field.primary_key:
            continue
        if not field.has_default() and field.null:
            continue  # NULL, as an INSERT through the model leaves it
        extra_names.append(field.column)
        extra_values.append(field.get_db_prep_save(field.get_default(), connection))
    return ", ".join([named, *extra_names]), tuple(extra_values)
