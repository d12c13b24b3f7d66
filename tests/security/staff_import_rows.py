"""The staff import's rows of the permission table (issue 16): the upload screen and its
template download open to those who manage people, administrators and official_d1; every
other role is refused (403, Wagtail's sign-in for anonymous visitors). Which rows an official
may import (their district's inspectors only) is the import's own check, and the world holds
no company administrator: both are in tests/enterprises/test_staff_import.py.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds nothing to the world.
"""

from tests.security.permission_table import CHANGE, EXPORT, Row, opens

IMPORTERS = opens("official_d1", "admin")


def build(world, district, estates) -> None:
    """The screens hold no record of a side."""


ROWS = [
    Row(None, CHANGE, "people:import", IMPORTERS, args=lambda o: ()),
    # A POST without a file: the form answers those who may import, everyone else is refused.
    Row(
        None,
        CHANGE,
        "people:import",
        IMPORTERS,
        args=lambda o: (),
        method="post",
        data={},
        label="screen-change-people:import-post",
    ),
    Row(None, EXPORT, "people:import_template", IMPORTERS, args=lambda o: ()),
]

VIEWERS: dict = {}
NOT_OBJECT_SCOPED: dict = {}
NOT_YET_COVERED: dict = {}
