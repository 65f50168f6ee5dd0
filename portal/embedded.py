"""A page's related rows carried in the query of the record it shows, as JSON, instead of one query each.

A case's page shows the case and a few rows beside it: the ADR scheme every complaint page names, the
cancellation in progress on a service, the checks a customer made before reporting a fault. Fetched by the
ORM each is a query of its own: a round trip and about half a millisecond of query building, which on a
detail page is as much as the rest of its Python. Here the record's query carries them as subqueries that
return JSON (one row, or a list of rows), and the page reads them back into model instances:

    from portal.embedded import one_row, row_from, rows, rows_from

    complaint = Complaint.objects.annotate(scheme_row=one_row(AdrScheme.objects.filter(is_current=True))).get(...)
    scheme = row_from(AdrScheme, complaint.scheme_row)  # an AdrScheme, or None

    fault = Fault.objects.annotate(check_rows=rows(FaultCheck.objects.filter(fault=OuterRef("pk")))).get(...)
    checks = rows_from(FaultCheck, fault.check_rows, order_by=("position",))

Every concrete field of the model comes back, converted as the ORM would (aware datetimes, dates, Decimals to
the digits stored, booleans), so what the page gets is what a query of its own would have given. The SQL
works on SQLite (the embedded default) and PostgreSQL alike.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal

from django.db import models, router
from django.db.models import Aggregate, Subquery
from django.db.models.functions import JSONObject


class _DecimalDecoder(json.JSONDecoder):
    """Numbers with a fraction come back as Decimal, never through a float."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parse_float=Decimal, **kwargs)


def _json_field():
    return models.JSONField(decoder=_DecimalDecoder)


def _fields(model):
    return model._meta.concrete_fields


def _object(model):
    return JSONObject(**{field.attname: field.attname for field in _fields(model)})


class _JSONList(Aggregate):
    """The rows of a group as a JSON list: jsonb_agg on PostgreSQL, json_group_array on SQLite."""

    function = "JSONB_AGG"
    output_field = _json_field()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def one_row(queryset):
    """The first row of `queryset` (in its order) as JSON, or NULL when it has none."""
    return Subquery(queryset.values(row=_object(queryset.model))[:1], output_field=_json_field())


def rows(queryset, *, group_by):
    """Every row of `queryset` as a JSON list, or NULL when it has none. `queryset` is filtered on the outer
    record through `group_by`, its foreign key to it (for instance `fault` with `fault=OuterRef("pk")`)."""
    grouped = queryset.order_by().values(group_by).annotate(rows=_JSONList(_object(queryset.model)))
    return Subquery(grouped.values("rows"), output_field=_json_field())


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        # PostgreSQL gives ISO 8601 with the offset; SQLite gives the stored UTC text without one.
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(field, models.DecimalField):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def row_from(model, data):
    """The model instance `data` (from `one_row` or `rows`) describes, as the ORM would have loaded it."""
    if data is None:
        return None
    if isinstance(data, str):  # SQLite's json_group_array nests objects as JSON text in some versions
        data = json.loads(data, parse_float=Decimal)
    fields = _fields(model)
    return model.from_db(
        router.db_for_read(model),
        [field.attname for field in fields],
        [_value(field, data[field.attname]) for field in fields],
    )


def rows_from(model, data, *, order_by):
    """The instances a `rows` list describes, sorted by the fields named in `order_by`."""
    instances = [row_from(model, item) for item in data or []]
    return sorted(instances, key=lambda instance: tuple(getattr(instance, name) for name in order_by))
