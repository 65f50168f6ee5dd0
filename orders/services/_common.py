"""What every orders service shares: the refusal exceptions and the check of a status move."""


class Refused(Exception):
    """A request the rules do not allow. `field` names the form field the message belongs to, if any."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(Refused):
    """A status move that the workflow's transition mapping (orders/models.py) does not allow."""


def check_move(transitions, choices, current, new, *, what):
    """Refuse any move that is not in `transitions` (a mapping of status -> allowed next statuses)."""
    if new not in transitions.get(current, ()):
        raise InvalidTransition(
            f"{what} is {choices(current).label.lower()}; it cannot move to {choices(new).label.lower()}."
        )


def day_text(day):
    """'Tuesday 12 January 2027', as dates read in events, emails and letters."""
    return f"{day:%A} {day.day} {day:%B %Y}"
