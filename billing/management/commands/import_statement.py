"""Import a bank statement file from the command line: `manage.py import_statement FILE [--bank NAME]`.

The same service as the admin's upload (billing/services/statements.py): a malformed file or one imported
before is refused with the reason and records nothing (exit status 1).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from billing.models import StatementState
from billing.services.statements import StatementError, statement_import
from billing.statements import LAYOUTS
from portal.workflow import Refused


class Command(BaseCommand):
    help = "Import a bank statement (CSV export of Lloyds, HSBC, NatWest, Barclays or Starling)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file the bank exported.")
        parser.add_argument("--bank", choices=sorted(LAYOUTS), help="The bank, when the header does not say.")
        parser.add_argument("--by", metavar="USERNAME", help="The staff member importing it (recorded on it).")

    def handle(self, *args, file, bank=None, by=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        staff = None
        if by:
            staff = get_user_model().objects.filter(username=by, is_staff=True).first()
            if staff is None:
                raise CommandError(f"No staff member has the username {by}.")
        try:
            statement = statement_import(file_bytes=path.read_bytes(), filename=path.name, bank=bank, by=staff)
        except StatementError as error:
            raise CommandError(f"{path.name}: nothing imported. {error}") from None
        except Refused as refused:
            raise CommandError(f"{path.name}: {refused.message}") from None
        if statement.state != StatementState.IMPORTED:
            later = "the worker tries it again" if statement.state == StatementState.QUEUED else "it may be sent again"
            raise CommandError(
                f"{path.name}: the import did not finish and recorded nothing ({statement.failure}); {later}."
            )
        self.stdout.write(
            f"{statement.filename} ({LAYOUTS[statement.bank].label}): {statement.lines_total} lines, "
            f"{statement.lines_matched} matched, {statement.lines_for_review} for review, "
            f"{statement.lines_ignored} ignored."
        )
        for line in statement.lines.exclude(outcome="matched").order_by("line_number"):
            self.stdout.write(f"  line {line.line_number}: {line.get_outcome_display().lower()}: {line.why}")
