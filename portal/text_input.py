"""What the customer forms say about text no field can hold.

Django's CharField refuses a NUL byte (PostgreSQL cannot store one) with "Null characters are not
allowed.", which means little to a customer; the forms of the customer pages say it in plain words
instead, on the field that held it, and nothing is saved.
"""

NUL_REFUSED = (
    "This contains a character that cannot be part of any text (a NUL byte), so nothing was saved. Please retype it."
)


class PlainNulRefusal:
    """Form mixin: every field that refuses a NUL byte says so in NUL_REFUSED's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["null_characters_not_allowed"] = NUL_REFUSED
