from tests.conftest import browser_type_launch_args, page  # noqa: F401  (older import path)
