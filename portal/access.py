"""Who may open a customer's page: the logged-in customer, for their own things.

A visitor is sent to log in first. Staff work in the admin, so a member of staff who follows a customer
link is taken to the admin page for the same things instead (the complaints list for a complaint page).
Each app's selectors then filter by the logged-in customer: another customer's id answers 404.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def customer_only(staff_go_to="admin:index"):
    """A view decorator: customers only, staff redirected to the URL named `staff_go_to`."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.is_staff:
                return redirect(staff_go_to)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
