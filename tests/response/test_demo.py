"""response/demo.py's date arithmetic. The demo's plan and tabletop themselves are checked on the
seeded demo in tests/core/test_seed_demo.py (the demo is built once there)."""

import datetime as dt

from response.demo import last_quarter


def test_last_quarter_is_the_calendar_quarter_before():
    assert last_quarter(dt.date(2026, 11, 30)) == dt.date(2026, 8, 15)
    assert last_quarter(dt.date(2026, 1, 3)) == dt.date(2025, 11, 15)
    assert last_quarter(dt.date(2026, 4, 1)) == dt.date(2026, 2, 15)
