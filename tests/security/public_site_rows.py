"""The public site's frame (issue 24): ``/favicon.ico`` holds no record of anyone."""

ROWS: list = []
VIEWERS: dict = {}
NOT_OBJECT_SCOPED = {"favicon": "a redirect to the site's icon among the static files"}
NOT_YET_COVERED: dict[str, str] = {}


def build(world, district, estates) -> None:
    """Nothing to add to the world: the icon is the same for everyone."""
