"""Credit's template filters."""

from django import template

from kehu.credit.models import level_label

register = template.Library()
register.filter("level_label", level_label)
