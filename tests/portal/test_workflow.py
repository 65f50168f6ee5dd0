"""The workflow kernel (portal/workflow.py): one refusal type, the one check of a status move and its one
wording, and how a refusal reaches the form (portal/forms.py)."""

import pytest
from django import forms
from django.db import models

from portal.forms import RefusalMixin, add_refusal
from portal.workflow import InvalidTransition, Refused, allowed_moves, check_move, refusal_text, state_words


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    INVESTIGATING = "investigating", "Investigating"
    RESOLVED = "resolved", "Resolved"


TRANSITIONS = {
    Status.REPORTED: {Status.INVESTIGATING},
    Status.INVESTIGATING: {Status.RESOLVED},
    Status.RESOLVED: set(),
}
WORDS = state_words(Status, {Status.INVESTIGATING: ("being investigated", "be investigated")})


def test_a_refusal_carries_its_message_and_the_field_it_is_about():
    refused = Refused("Give the reason: the customer is told it.", field="reason")

    assert (refused.message, refused.field, str(refused)) == (
        "Give the reason: the customer is told it.",
        "reason",
        "Give the reason: the customer is told it.",
    )
    assert Refused("No.").field is None


def test_a_refused_move_is_a_refusal():
    assert issubclass(InvalidTransition, Refused)


def test_each_status_reads_from_its_label_unless_told_better():
    assert WORDS[Status.REPORTED] == ("reported", "become reported")
    assert WORDS[Status.RESOLVED] == ("resolved", "become resolved")
    assert WORDS[Status.INVESTIGATING] == ("being investigated", "be investigated")


def test_an_allowed_move_passes():
    check_move(TRANSITIONS, Status.REPORTED, Status.INVESTIGATING, what="A fault", words=WORDS)


def test_any_other_move_is_refused_in_the_one_wording():
    with pytest.raises(InvalidTransition) as refused:
        check_move(TRANSITIONS, Status.REPORTED, Status.RESOLVED, what="A fault", words=WORDS)

    assert refused.value.message == "A fault that is reported cannot become resolved."
    assert refusal_text("A fault", Status.RESOLVED, Status.INVESTIGATING, WORDS) == (
        "A fault that is resolved cannot be investigated."
    )


def test_a_move_to_a_status_that_does_not_exist_is_refused_by_name():
    with pytest.raises(InvalidTransition, match="A fault cannot move to an unknown status \\('closed'\\)."):
        check_move(TRANSITIONS, Status.REPORTED, "closed", what="A fault", words=WORDS)


def test_a_status_missing_from_the_table_can_move_nowhere():
    with pytest.raises(InvalidTransition):
        check_move({}, Status.REPORTED, Status.INVESTIGATING, what="A fault", words=WORDS)


def test_a_form_offers_only_the_moves_allowed_from_where_the_case_stands():
    assert allowed_moves(TRANSITIONS, Status.REPORTED) == {Status.INVESTIGATING}
    assert allowed_moves(TRANSITIONS, Status.RESOLVED) == set()


class ReasonForm(RefusalMixin, forms.Form):
    reason = forms.CharField()


def test_a_refusal_shows_on_the_field_it_names_and_what_was_typed_stays():
    form = ReasonForm({"reason": "Because."})
    assert form.is_valid()

    form.add_refusal(Refused("Say more: the customer reads it.", field="reason"))

    assert form.errors == {"reason": ["Say more: the customer reads it."]}
    assert form["reason"].value() == "Because."


def test_a_refusal_about_no_field_of_the_form_shows_on_the_whole_form():
    form = ReasonForm({"reason": "Because."})
    assert form.is_valid()

    add_refusal(form, Refused("An order that is placed cannot become completed.", field="status"))

    assert form.non_field_errors() == ["An order that is placed cannot become completed."]
