"""`python manage.py billing_run --period 2027-01 [--customer USERNAME]`: the month's invoices, as the periodic
job and the admin make them (billing/services/runs.py), issued here, one account at a time; the workers then
render, store and send each invoice's PDF."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from billing.models import BillingRun
from billing.services import runs
from portal.workflow import Refused


class Command(BaseCommand):
    help = "Issue the invoices of a month (YYYY-MM) for every account, or for one with --customer."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month billed in advance, YYYY-MM.")
        parser.add_argument("--customer", help="Only this account username.")

    def handle(self, *args, period, customer=None, **options):
        try:
            first = runs.parse_period(period)
            account = None
            if customer:
                account = get_user_model().objects.filter(username=customer.strip().lower(), is_staff=False).first()
                if account is None:
                    raise Refused(f"No customer has the account username “{customer}”.")
            run = runs.run_create(period=first, customer=account, queue=False)
        except Refused as refused:
            raise CommandError(refused.message) from None
        # The run is done here rather than by the workers, so the command ends when its invoices are issued.
        for customer_id in runs.run_start(run_id=run.pk, queue=False):
            runs.run_account(run_id=run.pk, customer_id=customer_id)
        run = BillingRun.objects.get(pk=run.pk)
        self.stdout.write(
            f"{run}: {run.accounts_done} of {run.accounts_total} accounts done, {run.invoices_issued} invoices "
            f"issued, {run.failures} failed ({run.get_status_display().lower()})."
        )
        for failure in run.failure_rows.select_related("customer"):
            self.stdout.write(f"  {failure.customer.username}: {failure.error}")
