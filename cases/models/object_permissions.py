"""django-guardian object permissions on cases with direct foreign keys: assignment grants
the assignee the case (see cases.dispatch)."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class ComplaintUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("cases.Complaint", on_delete=models.CASCADE)


class ComplaintGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("cases.Complaint", on_delete=models.CASCADE)
