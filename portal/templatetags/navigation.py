"""{% load navigation %}{% main_menu as items %}: the main menu's items (portal/navigation.py)."""

from django import template

from portal import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context.get("request")
    return navigation.menu_for(request, user=context.get("user")) if request is not None else []
