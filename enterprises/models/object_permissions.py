"""django-guardian object permissions with direct foreign keys (faster than generic ones):
a company's staff hold rights on their company, committee members on their estate."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class CompanyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("enterprises.Company", on_delete=models.CASCADE)


class CompanyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("enterprises.Company", on_delete=models.CASCADE)


class EstateUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("enterprises.Estate", on_delete=models.CASCADE)


class EstateGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("enterprises.Estate", on_delete=models.CASCADE)
