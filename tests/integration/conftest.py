"""The fault-injection tests' figures, printed once at the end of the run (tests/integration/test_faults.py)."""

import sys

COLUMNS = ["scenario", "submitted", "stored", "customer errors", "received 0", "received 1", "received 2+"]


def _seconds(value):
    return "-" if value is None else f"{value:.1f}"


def pytest_terminal_summary(terminalreporter):
    faults = sys.modules.get("tests.integration.test_faults")
    if faults is None or not faults.RESULTS:
        return
    terminalreporter.section("fault injection: submissions, messages received, latency event -> SMTP acceptance")
    header = COLUMNS + ["p50 s", "p95 s", "max s"]
    terminalreporter.write_line(" | ".join(f"{h:>11}" for h in header))
    for row in faults.RESULTS:
        cells = [str(row[c]) for c in COLUMNS] + [_seconds(row[c]) for c in ("p50 s", "p95 s", "max s")]
        terminalreporter.write_line(" | ".join(f"{c:>11}" for c in cells))
