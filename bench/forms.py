"""What drawing a form costs, against the anchor page, on the dataset of bench/dataset.py.

    .venv/bin/python bench/forms.py [--database bench_scale] [--rounds 400]

In one process with production settings (DEBUG off, the cached template loader), logged in as the bench
customer, the cases taking turns in blocks (--block runs of one, then the next, for --rounds rounds: the
machine's drift falls on every figure alike, and no case pays for the caches another one left cold), the
median of:
- the anchor page and the details page, whole requests through Django's test client;
- the details form drawn alone, three ways: by crispy (as the page draws it), by Django's own `as_div`, and
  its bare widgets with no label, help or error markup at all.

It then prints the best ratio to the anchor the details page could reach if its form were drawn each of those
ways: what is left of the page without its form plus the form's cost. The page benchmark (bench/pages.py)
measures the same page under wrk; this one shows where its time goes.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import environment, loadavg  # noqa: E402

FORM_TEMPLATES = {
    "crispy": "{% load crispy_forms_tags %}{% crispy form %}",
    "as_div": "{{ form.as_div }}",
    "widgets": "{% for field in form %}{{ field }}{% endfor %}",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="bench_scale")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=int, default=40, help="runs of one case in a row, each round")
    args = parser.parse_args()

    os.environ.update(environment(args.database))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.template import engines
    from django.test import Client, RequestFactory

    from accounts.forms import DetailsForm
    from accounts.models import User

    call_command("collectstatic", interactive=False, verbosity=0)
    customer = User.objects.get(username="bench-customer")
    client = Client()
    client.force_login(customer)
    request = RequestFactory().get("/account/details/")
    request.user = customer
    engine = engines["django"]
    drawn = {name: engine.from_string(source) for name, source in FORM_TEMPLATES.items()}

    def page(path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return get

    def form(name):
        template = drawn[name]
        return lambda: template.render({"form": DetailsForm(instance=customer)}, request)

    cases = {
        "anchor page": page("/bench/anchor/"),
        "details page": page("/account/details/"),
        "details form by crispy": form("crispy"),
        "details form by Django's as_div": form("as_div"),
        "details form, bare widgets": form("widgets"),
    }
    for run in cases.values():  # warm: templates compiled, connections open
        for _ in range(20):
            run()
    times = {name: [] for name in cases}
    print(f"load average before: {loadavg()}")
    for _ in range(args.rounds):
        for name, run in cases.items():
            for _ in range(args.block):
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    print(f"load average after: {loadavg()}")
    ms = {name: statistics.median(values) * 1000 for name, values in times.items()}
    fields = len(DetailsForm.base_fields)
    for name, value in ms.items():
        print(f"{name:34} {value:6.2f} ms")
    print(f"the details form has {fields} fields: {ms['details form by crispy'] / fields:.2f} ms a field by crispy")
    without_form = ms["details page"] - ms["details form by crispy"]
    print(f"details page without its form       {without_form:6.2f} ms: ratio {ms['anchor page'] / without_form:.2f}")
    for label, name in (
        ("as the page draws it (crispy)", "details form by crispy"),
        ("by Django's as_div", "details form by Django's as_div"),
        ("as bare widgets", "details form, bare widgets"),
    ):
        ratio = ms["anchor page"] / (without_form + ms[name])
        print(f"best ratio with the form drawn {label}: {ratio:.2f}")


if __name__ == "__main__":
    main()
