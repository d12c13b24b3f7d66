"""The citizen's phone pages' rows of the permission table (issue 17): "my complaints" and its
actions answer only a browser signed in with the phone's one-time SMS code, which no role of
the matrix holds. So every role, staff and administrators included, is refused every record
there (sent to the phone sign-in, or a 404), and a guessed tracking number changes nothing;
the sign-in page itself opens for everyone.

What a signed-in phone may reach, and that another phone's complaint is a 404 whatever number
is guessed, is tested in ``tests/portal/test_my_complaints.py``. The lost-code form is a
subpage of the Wagtail tracking page (not a resolver URL): its no-enumeration answer and its
limits are tested in ``tests/portal/test_code_recovery.py``.

Listed in ``all_rows.ROW_MODULES``; ``build`` adds nothing to the world.
"""

from tests.security.permission_table import LIST, NOBODY, ROLES, TRANSITION, VIEW, Row, opens

EVERYONE = opens(*ROLES)


def _status(complaint) -> tuple:
    return type(complaint).objects.filter(pk=complaint.pk).values_list("status", "satisfaction")[0]


ROWS = [
    Row("complaint", LIST, "my_complaints", NOBODY, args=lambda _obj: (), listing=True),
    Row(
        "complaint",
        TRANSITION,
        "my_complaint_rate",
        NOBODY,
        args=lambda c: (c.tracking_number,),
        method="post",
        data={"satisfaction": "satisfied", "comment": "matrix"},
        state=_status,
        shows_marker=False,
    ),
    Row(
        "complaint",
        VIEW,
        "my_complaint_open",
        NOBODY,
        args=lambda c: (c.tracking_number,),
        method="post",
        state=_status,
        shows_marker=False,
    ),
    Row(None, VIEW, "my_complaints_login", EVERYONE),
    # The code page without a code asked for first: back to the sign-in.
    Row(None, VIEW, "my_complaints_verify", NOBODY),
]
VIEWERS: dict = {}
NOT_OBJECT_SCOPED = {
    "my_complaints_sign_out": "forgets this browser's phone sign-in; no record is read",
}
NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """Nothing to add: the rows try the world's complaints."""
