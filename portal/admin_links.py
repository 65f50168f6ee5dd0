"""Read-only links to related records, only for staff who may open them.

The admin shows a read-only foreign key as a link to the related record's page whoever is reading
(django.contrib.admin.helpers.AdminReadonlyField checks no permission): an engineer reading a fault
would be offered "Alice Archer (alice)" as a link to a customer record that answers 403. With this
mixin on a ModelAdmin, a read-only foreign key to a model the reader may not view is shown as its
name, without the link, on the page itself and in every inline of the page.

Only what is displayed changes (the page's form is built before), so it is safe on admins that
override get_fields or get_readonly_fields.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst


class _AsText:
    """A read-only row showing a related record's name: a callable, as the admin accepts in readonly_fields."""

    def __init__(self, model, name):
        self.name = self.__name__ = name  # the admin names the row's CSS class after it: field-customer
        self.short_description = capfirst(model._meta.get_field(name).verbose_name)

    def __call__(self, obj):
        value = getattr(obj, self.name, None)
        return "-" if value is None else str(value)

    def __str__(self):
        return self.name  # the inline table's column class: column-customer


class LinksOnlyWhereAllowed:
    def _may_follow(self, request, model, name):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return True  # a method or property: not a link the admin makes
        if not (field.many_to_one or field.one_to_one):
            return True
        related_admin = self.admin_site._registry.get(field.related_model)
        # No admin page: the admin shows the name anyway.
        return related_admin is None or related_admin.has_view_permission(request)

    def _without_forbidden_links(self, request, model, fieldsets, readonly_fields):
        plain = {
            name: _AsText(model, name)
            for name in readonly_fields
            if isinstance(name, str) and not self._may_follow(request, model, name)
        }

        def swap(name):
            if isinstance(name, (list, tuple)):  # several fields on one line
                return type(name)(swap(n) for n in name)
            return plain.get(name, name) if isinstance(name, str) else name

        fieldsets = [
            (title, {**options, "fields": [swap(f) for f in options.get("fields", ())]}) for title, options in fieldsets
        ]
        return fieldsets, [swap(name) for name in readonly_fields]

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None:
            adminform.fieldsets, adminform.readonly_fields = self._without_forbidden_links(
                request, self.model, adminform.fieldsets, adminform.readonly_fields
            )
        for inline in context.get("inline_admin_formsets", []):
            inline.fieldsets, inline.readonly_fields = self._without_forbidden_links(
                request, inline.opts.model, inline.fieldsets, inline.readonly_fields
            )
        return super().render_change_form(request, context, *args, **kwargs)
