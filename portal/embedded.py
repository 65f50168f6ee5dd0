"""A page's related rows carried in the query of the record it shows, as JSON, instead of one query each.

A case's page shows the case and the rows beside it: its timeline with who wrote each step, the checks a
customer made before reporting a fault, the cancellation in progress on a service, the ADR scheme every
complaint page names. Fetched by the ORM each is a query of its own: a round trip and about half a
millisecond of query building, which on a detail page was as much as the rest of its Python. Here the
record's query carries them as scalar subqueries that return JSON (one row, or a list of rows), and the page
reads them back into model instances:

    from portal.embedded import OUTER, one_row, row_from, rows, rows_from

    complaint = Complaint.objects.annotate(scheme_row=one_row(AdrScheme, "is_current = %s", True)).get(...)
    scheme = row_from(AdrScheme, complaint.scheme_row)  # an AdrScheme, or None

    checks = rows(FaultCheck, f"fault_id = {OUTER}", outer=Fault)
    fault = Fault.objects.annotate(check_rows=checks).get(...)
    fault.check_list = rows_from(FaultCheck, fault.check_rows, order_by=("position",))

The SQL is written here from the models' own fields rather than built by the ORM for every request: an ORM
subquery naming every field of two models took longer to build than the queries it saved. As in
portal/figures.py, conditions are plain SQL on the row's own columns with the values as parameters; OUTER
stands for the outer record's primary key. Every concrete field comes back, converted as the ORM would
(aware datetimes, dates, Decimals to the digits stored, booleans), with the rows named in `related` (foreign
keys) in place as select_related leaves them. The SQL works on SQLite (the embedded default) and PostgreSQL.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

from django.db import connection, connections, models, router
from django.db.models.expressions import RawSQL

OUTER = "{outer}"  # in a condition: the outer record's primary key


class _DecimalDecoder(json.JSONDecoder):
    """Numbers with a fraction come back as Decimal, never through a float."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, parse_float=Decimal, **kwargs)


def _json_field():
    return models.JSONField(decoder=_DecimalDecoder)


def _fields(model):
    return model._meta.concrete_fields


def _paths(related):
    """{"service": ("product",)} of ("service__product",): each foreign key, and the paths beyond it."""
    paths = {}
    for path in related:
        first, _, rest = path.partition("__")
        paths.setdefault(first, [])
        if rest:
            paths[first].append(rest)
    return {first: tuple(rest) for first, rest in paths.items()}


@cache
def _object_sql(vendor, quote, model, related, table):
    """A JSON object of every field of `model`'s row in `table` (its name or alias, quoted), with each
    foreign key in `related` (a path such as "service__product" reaches further) as the object of the row
    it points to: a scalar subquery, NULL for none."""
    build = "JSONB_BUILD_OBJECT" if vendor == "postgresql" else "JSON_OBJECT"
    fields = _fields(model)
    if len(fields) > 50:  # PostgreSQL's functions take at most 100 arguments
        raise ValueError(f"{model.__name__} has too many fields to carry as one JSON object")
    parts = [f"'{field.attname}', {table}.{quote(field.column)}" for field in fields]
    for name, further in _paths(related).items():
        field = model._meta.get_field(name)
        target = field.related_model
        alias = quote(f"embedded_{name}")
        inner = _object_sql(vendor, quote, target, further, alias)
        parts.append(
            f"'{name}', (SELECT {inner} FROM {quote(target._meta.db_table)} {alias} "
            f"WHERE {alias}.{quote(target._meta.pk.column)} = {table}.{quote(field.column)})"
        )
    return f"{build}({', '.join(parts)})"


def _subquery(model, select, where, params, outer, tail=""):
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if outer is not None:
        where = where.replace(OUTER, f"{quote(outer._meta.db_table)}.{quote(outer._meta.pk.column)}")
    sql = f"(SELECT {select(connection.vendor, quote, table)} FROM {table} WHERE {where}{tail})"
    return RawSQL(sql, params, output_field=_json_field())


def one_row(model, where, *params, outer=None, order_by="", related=()):
    """The first row of `model` meeting `where` (in the order of `order_by`, SQL) as JSON, or NULL."""
    return _subquery(
        model,
        lambda vendor, quote, table: _object_sql(vendor, quote, model, tuple(related), table),
        where,
        params,
        outer,
        (f" ORDER BY {order_by}" if order_by else "") + " LIMIT 1",
    )


def rows(model, where, *params, outer=None, related=()):
    """Every row of `model` meeting `where` as a JSON list (NULL or an empty list when there are none)."""

    def select(vendor, quote, table):
        aggregate = "JSONB_AGG" if vendor == "postgresql" else "JSON_GROUP_ARRAY"
        return f"{aggregate}({_object_sql(vendor, quote, model, tuple(related), table)})"

    return _subquery(model, select, where, params, outer)


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


def _parsed(data):
    # SQLite hands a JSON object back from a subquery as text inside the outer object.
    return json.loads(data, parse_float=Decimal) if isinstance(data, str) else data


def row_from(model, data, *, related=()):
    """The model instance `data` (from `one_row` or `rows`) describes, as the ORM would have loaded it, with
    the related rows named in `related` in place (no query to reach them)."""
    data = _parsed(data)
    if data is None:
        return None
    fields = _fields(model)
    instance = model.from_db(
        router.db_for_read(model),
        [field.attname for field in fields],
        [_value(field, data[field.attname]) for field in fields],
    )
    for name, further in _paths(related).items():
        field = model._meta.get_field(name)
        field.set_cached_value(instance, row_from(field.related_model, data[name], related=further))
    return instance


def rows_from(model, data, *, order_by, related=(), newest_first=False):
    """The instances a `rows` list describes, sorted by the fields named in `order_by` (descending on all of
    them with `newest_first`)."""
    instances = [row_from(model, item, related=related) for item in _parsed(data) or []]
    key = lambda instance: tuple(getattr(instance, name) for name in order_by)  # noqa: E731
    return sorted(instances, key=key, reverse=newest_first)


def fetch(**carried):
    """Subqueries of `one_row` and `rows` that no record carries (a customer's lists on one page), asked for
    in a single SELECT: {name: the JSON each gave}."""
    names = list(carried)
    sql = "SELECT " + ", ".join(carried[name].sql for name in names)
    params = [param for name in names for param in carried[name].params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: _parsed(value) for name, value in zip(names, row, strict=True)}


def timeline_rows(model, case_field, outer):
    """The steps of a case's timeline its customer may see (the app's TimelineEvent model, its foreign key
    to the case, the case's model), with who made each, for `timeline_from`."""
    column = model._meta.get_field(case_field).column
    return rows(model, f"{column} = {OUTER} AND internal = %s", False, outer=outer, related=("by",))


def timeline_from(model, data):
    """The events `timeline_rows` carried, oldest first, each with its `by` in place."""
    return rows_from(model, data, order_by=("at", "id"), related=("by",))
