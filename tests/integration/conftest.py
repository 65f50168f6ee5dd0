from tests.worker import broker_unreachable, celery_worker, real_broker  # noqa: F401  (older import path)
