"""Roles and the data scope each one has (DOMAIN: users and scopes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    DIRECTOR = "director", _("Office director")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    MARKETING_VP = "marketing_vp", _("Marketing VP")
    GENERAL_MANAGER = "general_manager", _("General manager")
    SERVICE = "service", _("After-sales service")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Administrator")


class Scope(models.TextChoices):
    OWN = "own", _("Own customers")
    TEAM = "team", _("Office / team subtree")
    ALL = "all", _("Everything")


ROLE_SCOPE = {
    Role.SALESPERSON: Scope.OWN,
    Role.DIRECTOR: Scope.TEAM,
    Role.SALES_MANAGER: Scope.TEAM,
    Role.MARKETING_VP: Scope.ALL,
    Role.GENERAL_MANAGER: Scope.ALL,
    Role.SERVICE: Scope.ALL,
    Role.FINANCE: Scope.ALL,
    Role.ADMIN: Scope.ALL,
}

# Top of every chain of command (CUS-6): they see private notes of every customer.
TOP_OF_CHAIN = {Role.MARKETING_VP, Role.GENERAL_MANAGER}
