"""The settings of the fault-injection rig (tests/integration/rig.py): production's (DEBUG off, every
variable set), with two differences that only save time and are not what these tests are about:
static files are not collected (their compression takes a minute and no page here is read for them),
and passwords are hashed quickly (customers log in once, before the faults)."""

from portal.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
