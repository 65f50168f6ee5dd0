from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    """Customers log in with their account username or their email address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        identifier = username.strip()
        User = get_user_model()
        match = Q(username=identifier.lower())
        if "@" in identifier:
            match |= Q(email__iexact=identifier)
        user = User.objects.filter(match).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal who has an account.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials):
    """The account a login attempt is for, however it was typed, so lockouts count per account.

    "ALICE", " alice" and alice's email address are all the account "alice"; an unknown identifier
    counts under its own lower-cased self.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username", "")
    identifier = (typed or "").strip().lower()
    if not identifier:
        return identifier
    User = get_user_model()
    match = Q(username=identifier)
    if "@" in identifier:
        match |= Q(email__iexact=identifier)
    username = User.objects.filter(match).values_list("username", flat=True).first()
    return username or identifier
