"""Sessions, CSRF tokens and login rate limiting.

The session cookie holds a random token (the database keeps only its SHA-256), is HttpOnly and
SameSite=Strict. Every state-changing request carries the session's CSRF token: forms in a hidden
``csrf`` field, API calls in the ``X-CSRF-Token`` header. The login form, which has no session
yet, uses a double-submit token (a cookie and the same value in the form).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

SESSION_COOKIE = "lt_session"
LOGIN_COOKIE = "lt_login"
CSRF_HEADER = "X-CSRF-Token"

MAX_FAILURES = 5
"""Failed logins allowed per user name, and per client address, within :data:`WINDOW`."""
WINDOW = 15 * 60.0


class LoginLimiter:
    """Counts failed logins per user name and per client address in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked_for(self, name: str, client: str) -> float:
        """Seconds until a login for ``name`` from ``client`` is allowed again (0: now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key in (f"n:{name}", f"c:{client}"):
                q = self._recent(key, now)
                if len(q) >= self.max_failures:
                    waits.append(q[0] + self.window - now)
            return max(waits, default=0.0)

    def failed(self, name: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"n:{name}", f"c:{client}"):
                self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"n:{name}", None)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and secrets.compare_digest(str(a), str(b))
