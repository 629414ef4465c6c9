"""Waiting for work done elsewhere (a Celery worker thread) in tests that need a real broker."""

import time


def wait_for(predicate, timeout=30):
    """Poll `predicate` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
