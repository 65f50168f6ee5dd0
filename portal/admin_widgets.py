"""The admin's autocomplete boxes, made safe against a value that is not an id.

Django's AutocompleteSelect looks the submitted value up again to show it when the form comes back with
an error, and that lookup fails ("Field 'id' expected a number") for a value such as "abc": a 500 where
the field already says "Select a valid choice". This widget shows only the values its model could hold;
any ModelAdmin with autocomplete_fields takes it by inheriting AutocompleteAdminMixin.
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
        return super().optgroups(name, [v for v in value if _holds(key, v)], attr)


def _holds(field, value):
    try:
        field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


class AutocompleteAdminMixin:
    """Use SafeAutocompleteSelect for every field in autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
