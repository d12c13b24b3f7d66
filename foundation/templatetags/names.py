"""``{{ user|display_name }}``: a person's name in templates, by ``foundation.names``."""

from django import template

from foundation.names import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return _display_name(user)
