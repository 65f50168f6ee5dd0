"""The catalogue as the Code describes it; staff keep prices up to date in the admin afterwards.

Minimum contract periods are the Code's (Account Cancellations): "ADSL Internet: 1 Month, FTTC
Internet: 12 Months, PSTN Line Rental: 1 Month, ISDN 2 Line Rental: 12 Months, ISDN 30 Line Rental:
12 Months"; "Most of 121 Communication's services do not have a minimum contract period" (hosting, calls).
ADSL's cancellation needs an industry process ("Some services take a little time to cancel, as they
require us to work with special industry processes (such as ADSL)"). Prices exclude VAT.
"""

from decimal import Decimal

from django.db import migrations

PRODUCTS = [
    # code, name, family, position, monthly, set-up, term months, set-up days, industry process lead days, description
    ("adsl", "ADSL broadband", "broadband", 1, "17.50", "30.00", 1, 10, 10,
     "Up to 24 Mbps over your phone line, unlimited use."),
    ("fttc", "FTTC fibre broadband", "broadband", 2, "25.00", "50.00", 12, 10, 0,
     "Fibre to the cabinet, up to 80 Mbps down and 20 Mbps up, unlimited use."),
    ("leased-line", "Leased line", "broadband", 3, None, None, 0, 30, 0,
     "A dedicated, uncontended fibre connection for your business. Priced per site: ask for a quote."),
    ("pstn", "PSTN line rental", "telecoms", 1, "18.00", "40.00", 1, 10, 0,
     "A standard telephone line."),
    ("isdn2", "ISDN2 line rental", "telecoms", 2, "30.00", "99.00", 12, 15, 0,
     "Two digital channels for small business telephone systems."),
    ("isdn30", "ISDN30 line rental", "telecoms", 3, "180.00", "500.00", 12, 30, 0,
     "Up to 30 digital channels for larger telephone systems."),
    ("calls", "UK calls bundle", "telecoms", 4, "8.00", "0.00", 0, 2, 0,
     "Unlimited UK landline calls and 300 minutes to UK mobiles each month, on one of our lines."),
    ("shared-hosting", "Shared web hosting", "hosting", 1, "6.00", "0.00", 0, 1, 0,
     "Web and email hosting for one domain, with daily backups."),
    ("dedicated-server", "Dedicated server", "hosting", 2, "99.00", "75.00", 0, 5, 0,
     "A managed server of your own in our data centre."),
]


def add_products(apps, schema_editor):
    Product = apps.get_model("orders", "Product")
    for code, name, family, position, monthly, setup, term, days, lead, description in PRODUCTS:
        Product.objects.update_or_create(code=code, defaults=dict(
            name=name, family=family, position=position, description=description,
            price_on_request=monthly is None,
            monthly_price=Decimal(monthly) if monthly else None, setup_fee=Decimal(setup) if setup else None,
            minimum_term_months=term, setup_working_days=days,
            cancellation_needs_industry_process=bool(lead), cancellation_lead_working_days=lead,
        ))


def remove_products(apps, schema_editor):
    apps.get_model("orders", "Product").objects.filter(code__in=[p[0] for p in PRODUCTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]
    operations = [migrations.RunPython(add_products, remove_products)]
