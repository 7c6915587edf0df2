"""The one polite HTTP client every source uses.

arXiv's terms for its API, OAI-PMH and RSS: no more than one request every three seconds,
on a single connection. The pacing is kept across processes: a cron ingest and a manual
`paperfeed submit` running at the same time still never hit arXiv less than the interval
apart, because the time of the last request lives in a locked file in the data directory.

Transient failures (connection errors, timeouts, 429, 5xx) are retried with exponential
backoff and full jitter; a `Retry-After` header on 429/503 is honoured (capped, so a hostile
or broken server cannot park a cron job for a day). A body larger than the client's cap is
refused at once (from its Content-Length when it declares one) and not retried: the same
request would only bring the same body again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from django.conf import settings

from paperfeed import __version__

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 300.0  # seconds; longer waits are treated as a failure of this run
MAX_BODY_BYTES = 200 * 1024 * 1024  # a response larger than this is refused, not buffered


class SourceError(Exception):
    """The source itself failed (unreachable, refusing, broken) after all retries."""


class BodyTooLarge(SourceError):
    """The response is larger than the client accepts; nothing of it was kept."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def user_agent() -> str:
    contact = settings.PAPERFEED_CONTACT_EMAIL
    site = settings.BASE_URL
    return f"paperfeed/{__version__} (+{site}; mailto:{contact})" if contact else f"paperfeed/{__version__} (+{site})"


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Pacer:
    """At most one request per `interval` seconds for everyone sharing `state_file`."""

    def __init__(self, state_file: Path, interval: float, clock: Callable[[], float] = time.time):
        self.state_file = state_file
        self.interval = interval
        self.clock = clock

    @contextmanager
    def turn(self):
        """Wait for our turn, hold the lock while the request is made, record when it started."""
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_file, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0).decode(errors="ignore").strip()
            last = float(raw) if raw else 0.0
            wait = last + self.interval - self.clock()
            if wait > 0:
                time.sleep(min(wait, self.interval))
            started = self.clock()
            # Debug level (PAPERFEED_LOG_LEVEL=DEBUG) shows the pacing at work; the tests read
            # these starts to check the interval without depending on how busy the machine is.
            log.debug("pacer %s: request started at %.6f", self.state_file.name, started)
            try:
                yield
            finally:
                # The next request waits `interval` from the *start* of this one, as arXiv asks.
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{started:.6f}".encode(), 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class PoliteClient:
    """GET with pacing, timeouts, bounded retries, and a User-Agent that names the instance."""

    def __init__(
        self,
        *,
        interval: float | None = None,
        retries: int | None = None,
        pacing_key: str = "arxiv",
        timeout: float | None = None,
        backoff: float | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ):
        self.interval = settings.PAPERFEED_ARXIV_INTERVAL if interval is None else interval
        self.retries = settings.PAPERFEED_HTTP_RETRIES if retries is None else retries
        self.backoff = settings.PAPERFEED_HTTP_BACKOFF if backoff is None else backoff
        read_timeout = settings.PAPERFEED_HTTP_TIMEOUT if timeout is None else timeout
        self.pacer = Pacer(settings.DATA_DIR / f".pacing-{pacing_key}", self.interval)
        self.client = httpx.Client(
            headers={"User-Agent": user_agent()},
            timeout=httpx.Timeout(read_timeout, connect=min(10.0, read_timeout)),
            # One connection, reused: arXiv asks for a single connection at a time.
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            follow_redirects=True,
        )
        self.max_body_bytes = max_body_bytes
        self.requests_made = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, params: dict | None = None) -> Response:
        """The response (any status below 500 except 429); SourceError after the retries."""
        last_problem = ""
        for attempt in range(self.retries + 1):
            delay = None
            try:
                with self.pacer.turn():
                    self.requests_made += 1
                    response = self._fetch(url, params)
            except httpx.TransportError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status not in RETRY_STATUSES:
                    return response
                last_problem = f"HTTP {response.status}"
                delay = retry_after_seconds(response.headers.get("retry-after"))
                if delay is not None and delay > MAX_RETRY_AFTER:
                    raise SourceError(f"{url}: server asks to wait {delay:.0f} s (Retry-After); giving up this run")
            if attempt == self.retries:
                break
            if delay is None:
                # Full jitter: a random wait up to the exponential bound, so retries from
                # several clients do not arrive together.
                delay = random.uniform(0, self.backoff * (2**attempt))
            log.warning("%s: %s; retrying in %.1f s", url, last_problem, delay)
            time.sleep(delay)
        raise SourceError(f"{url}: {last_problem} after {self.retries + 1} attempts")

    def _fetch(self, url: str, params: dict | None) -> Response:
        limit = self.max_body_bytes
        with self.client.stream("GET", url, params=params) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(f"{url}: the body would be {int(declared):,} bytes, more than the {limit:,} accepted")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(f"{url}: the body is larger than the {limit:,} bytes accepted")
                chunks.append(chunk)
            return Response(str(response.url), response.status_code, b"".join(chunks), dict(response.headers))


def get_parsed(client: PoliteClient, url: str, params: dict, parse, name: str, refuse=None):
    """GET and parse a page; a body that cannot be read to the end is fetched once more.

    `parse(body, location=url)` returns a page with an `unreadable` reason ("" when fine);
    `refuse(response)` may raise for statuses the source explains in its body.
    """
    for attempt in range(2):
        response = client.get(url, params)
        if refuse:
            refuse(response)
        if response.status != 200:
            raise SourceError(f"{name} answered HTTP {response.status} for {response.url}")
        page = parse(response.body, location=response.url)
        if not page.unreadable or attempt == 1:
            return page
    return page
