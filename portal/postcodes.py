"""UK postcodes as the portal stores them: upper case, with the space ("ME17 4NN")."""

import re

from django.core.exceptions import ValidationError

# A UK postcode, spaced or not, any case ("ME17 4NN", "me174nn").
UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value):
    match = UK_POSTCODE.match(value.strip().upper())
    if not match:
        raise ValidationError("Enter a UK postcode, for example ME17 4NN.")
    return f"{match.group(1)} {match.group(2)}"
