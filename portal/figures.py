"""A customer's figures (counts, sums, dates) from several tables in one query.

The account overview shows a dozen figures from six apps. Asked of the ORM one aggregate at a time they cost
a round trip and about half a millisecond of query building each, which was most of the page's time. Here each
app names the figures it needs as scalar subqueries on the customer's own rows (every table has an index on
its customer), and `fetch` asks for all of them in a single SELECT:

    from portal.figures import CUSTOMER, Figure, fetch

    FIGURES = {
        "open": Figure.count(Complaint, "status <> %s", Status.CLOSED),
        "owed": Figure.total(Invoice, "outstanding", "status = %s", InvoiceStatus.OPEN),
    }
    fetch(customer, FIGURES)  # {"open": 1, "owed": Decimal("12.50")}

Values go in as parameters, never into the SQL text; CUSTOMER stands where the customer's id goes. The SQL is
plain enough for SQLite (the embedded default) and PostgreSQL alike, and `fetch` turns what each returns into
the same Python values (SQLite hands back sums as floats and dates as text).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import connection

from portal.money import PENNY

CUSTOMER = object()  # in a Figure's params: the customer's id

COUNT, MONEY, DATE, FLAG = "count", "money", "date", "flag"


def placeholders(values):
    """`(%s, %s, %s)` for an IN list of `values`, which go in the params."""
    return "(" + ", ".join(["%s"] * len(values)) + ")"


@dataclass(frozen=True)
class Figure:
    sql: str  # a scalar subquery: one row of one column
    params: tuple = ()
    kind: str = COUNT  # count (0 when nothing), money (Decimal, 0.00 when nothing), date or flag (None when nothing)

    @classmethod
    def count(cls, model, where="", *params):
        """How many of the customer's rows of `model` match `where` (all of them without one)."""
        return cls(f"SELECT COUNT(*) FROM {_rows(model, where)}", (CUSTOMER, *params), COUNT)

    @classmethod
    def total(cls, model, column, where="", *params):
        """The sum of a money `column` over the customer's rows of `model` that match `where`."""
        return cls(f"SELECT SUM({column}) FROM {_rows(model, where)}", (CUSTOMER, *params), MONEY)

    def value(self, raw):
        if self.kind == COUNT:
            return int(raw or 0)
        if self.kind == MONEY:
            if raw is None:
                return Decimal("0.00")
            # SQLite sums decimals as floats: repr gives the shortest exact decimal form, then to the penny.
            return (raw if isinstance(raw, Decimal) else Decimal(repr(raw))).quantize(PENNY)
        if raw is None:
            return None
        if self.kind == DATE:
            if isinstance(raw, datetime):
                return raw.date()
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
        if self.kind == FLAG:
            return bool(raw)
        raise ValueError(f"Unknown kind of figure: {self.kind!r}")


def _rows(model, where):
    table = connection.ops.quote_name(model._meta.db_table)
    return f"{table} WHERE customer_id = %s" + (f" AND ({where})" if where else "")


def fetch(customer, figures):
    """The values of `figures` (a dict of name to Figure) for `customer`, in one query."""
    if not figures:
        return {}
    names = list(figures)
    sql = "SELECT " + ", ".join(f"({figures[name].sql})" for name in names)
    params = [customer.pk if p is CUSTOMER else p for name in names for p in figures[name].params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: figures[name].value(raw) for name, raw in zip(names, row, strict=True)}
