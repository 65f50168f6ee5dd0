"""The workflow kernel every app shares: one refusal type, and one check of a status move.

Each app keeps its own transitions table, as data next to its models (status -> the statuses it may move
to), and its own map of which timestamp a status stamps. Services refuse what the rules do not allow by
raising Refused, whose message is for the person who asked (a customer on a form, staff in the admin);
views and the admin show it on the form, on the field it names, and change nothing.

    from portal.workflow import Refused, check_move

    check_move(TRANSITIONS, complaint.status, to, what="A complaint", words=COMPLAINT_WORDS)
"""


class Refused(Exception):
    """A request the rules do not allow. `field` names the form field the message belongs to, if any."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return self.message


class InvalidTransition(Refused):
    """A status move that the workflow's transitions table does not allow."""


def required_text(value, refusal, *, field=None):
    """What someone wrote (a message, a note, a reason the customer is told), without the blanks around it;
    Refused with `refusal` on `field` when nothing is left."""
    text = (value or "").strip()
    if not text:
        raise Refused(refusal, field=field)
    return text


def state_words(choices, overrides=None):
    """How each status reads in a refusal: (what it is, what becoming it is), from the choices' labels
    unless `overrides` says better: {Status.INVESTIGATING: ("being investigated", "be investigated")}."""
    words = {status: (status.label.lower(), f"become {status.label.lower()}") for status in choices}
    words.update(overrides or {})
    return words


def refusal_text(what, current, to, words):
    """The one wording of a refused move: "A fault that is reported cannot become resolved."."""
    return f"{what} that is {words[current][0]} cannot {words[to][1]}."


def check_move(transitions, current, to, *, what, words):
    """Refuse any move that is not in `transitions` (a mapping of status -> allowed next statuses).

    `what` names the thing for the sentence ("A complaint", "An order"); `words` comes from state_words."""
    if to not in words:
        raise InvalidTransition(f"{what} cannot move to an unknown status ({to!r}).")
    if to not in transitions.get(current, ()):
        raise InvalidTransition(refusal_text(what, current, to, words))


def allowed_moves(transitions, current):
    """The statuses `current` may move to, for forms that offer only what can be done."""
    return set(transitions.get(current, ()))
