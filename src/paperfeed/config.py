"""Reading settings from the environment, and the secret key kept in the data directory."""

from __future__ import annotations

import difflib
import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_FILE = "secret_key"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


# Every variable the settings read (through the env_* functions below), so that a PAPERFEED_
# variable nothing reads — a typo, or a setting of another version — is pointed out instead of
# silently ignored (unknown_variables).
_READ: set[str] = set()
PREFIX = "PAPERFEED_"
# Read by paperfeed itself but not a setting: `paperfeed eval` marks its own child process.
INTERNAL_VARIABLES = frozenset({"PAPERFEED_EVAL_THROWAWAY"})


def _raw(name: str) -> str | None:
    _READ.add(name)
    return os.environ.get(name)


def unknown_variables(environ=os.environ) -> list[str]:
    """One line per PAPERFEED_ variable of `environ` no setting reads, naming the setting it
    is most likely a typo of. Meaningful once the settings module has been read."""
    lines = []
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name in _READ or name in INTERNAL_VARIABLES:
            continue
        # Compared without the prefix every name shares, which would make any two look alike.
        close = difflib.get_close_matches(name.removeprefix(PREFIX), sorted(n.removeprefix(PREFIX) for n in _READ), n=1)
        hint = f"did you mean {PREFIX}{close[0]}?" if close else "it is ignored"
        lines.append(f"{name} is not a setting of this version; {hint} (docs/configuration.md lists them)")
    return lines


def env_str(name: str, default: str) -> str:
    raw = _raw(name)
    return (default if raw is None else raw).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_float(name: str, default: float, minimum: float | None = None) -> float:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...], *, case_sensitive: bool = True) -> str:
    """A value from a fixed list: anything else is a configuration error naming the list."""
    value = env_str(name, default) or default
    wanted = value if case_sensitive else value.upper()
    if wanted not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return wanted


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_settings(url: str, **options) -> dict:
    """Django's DATABASES["default"] from a DATABASE_URL; a URL it cannot read is a
    configuration error (dj-database-url's own exceptions would be a traceback)."""
    import dj_database_url

    try:
        return dj_database_url.parse(url, **options)
    except dj_database_url.UnknownSchemeError:
        scheme = urlsplit(url).scheme
        raise ImproperlyConfigured(
            (f"DATABASE_URL: unknown scheme {scheme!r}" if scheme else "DATABASE_URL is not a URL")
            + "; use sqlite:////PATH/TO/FILE.sqlite3 "
            "or postgresql://USER:PASSWORD@HOST:5432/NAME"
        ) from None
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read ({exc or 'not a database URL'})") from None


def lazy_secret_key(data_dir: Path):
    """The secret key, read or made (load_or_create_secret_key) the first time something uses it.

    Settings are read by every command, `--help` included; most never sign anything. Made
    lazily, the key file (and the data directory holding it) appears only where a command or
    the site needs it: `paperfeed --help` in any directory writes nothing. `init`, `serve` and
    `demo` ask for it at start (core/preflight.ensure_data_dir), so an unusable data directory
    is reported there, not at the first signed cookie.
    """
    from django.utils.functional import lazy

    return lazy(functools.cache(lambda: load_or_create_secret_key(data_dir)), str)()


def load_or_create_secret_key(data_dir: Path) -> str:
    """The instance's secret key: read from the data dir, or made once and kept there (0600).

    There is deliberately no hard-coded fallback: a key known to everyone would let anyone
    forge sessions and password-reset links.
    """
    path = data_dir / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _unusable(data_dir, exc) from None
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        tmp = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key + "\n")
        try:
            # link() fails if the file exists: when two processes start at once, one key wins
            # and the other process reads it, never a half-written file.
            os.link(tmp, path)
        except FileExistsError:
            key = path.read_text().strip()
        finally:
            tmp.unlink()
    except OSError as exc:
        raise _unusable(data_dir, exc) from None
    return key


def _unusable(data_dir: Path, exc: OSError) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"the data directory {data_dir} is not usable ({exc.strerror}); "
        "set PAPERFEED_DATA_DIR to a writable directory"
    )


@dataclass(frozen=True)
class EmailSettings:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    tls: bool = False
    file_path: str | None = None


_SMTP = "django.core.mail.backends.smtp.EmailBackend"


def email_settings(url: str, name: str = "PAPERFEED_EMAIL_URL") -> EmailSettings:
    """Django's e-mail settings from one URL (see docs/configuration.md).

    A password is accepted only with TLS (smtp+tls:// or smtps://): sending it over a plain
    connection would hand it to anyone on the path.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailSettings(backend="django.core.mail.backends.console.EmailBackend")
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name}: file:// needs a directory, e.g. file:///var/mail/paperfeed")
        return EmailSettings(backend="django.core.mail.backends.filebased.EmailBackend", file_path=unquote(parts.path))
    if scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"{name} must start with smtp://, smtp+tls://, smtps://, file:// or console://; got {scheme or url!r}"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    if password and scheme == "smtp":
        raise ImproperlyConfigured(
            f"{name}: refusing to send a password over an unencrypted connection; use smtp+tls:// or smtps://"
        )
    default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
    return EmailSettings(
        backend=_SMTP,
        host=parts.hostname or "localhost",
        port=port or default_port,
        user=user,
        password=password,
        starttls=scheme == "smtp+tls",
        tls=scheme == "smtps",
    )


# The cache backends PAPERFEED_CACHE_URL may name, and the package each one needs beyond Django.
_CACHE_BACKENDS = {
    "file": ("paperfeed.core.file_cache.LazyFileCache", None),
    "redis": ("django.core.cache.backends.redis.RedisCache", "redis"),
    "rediss": ("django.core.cache.backends.redis.RedisCache", "redis"),
    "memcached": ("django.core.cache.backends.memcached.PyMemcacheCache", "pymemcache"),
    "locmem": ("django.core.cache.backends.locmem.LocMemCache", None),
    "dummy": ("django.core.cache.backends.dummy.DummyCache", None),
}
_EXTRAS = {"redis": "redis", "pymemcache": "memcached"}  # pyproject.toml's extras
# A file cache lists its directory when it is full and deletes a third at random: pages are
# many and cheap to render again, counters (rate limits) few and worth keeping apart.
_FILE_CACHE_ENTRIES = {"default": 3000, "pages": 5000}


def cache_settings(url: str, data_dir: Path, name: str = "PAPERFEED_CACHE_URL") -> dict:
    """Django's CACHES from one URL (docs/configuration.md): two aliases on one backend,
    "default" (counters and anything small) and "pages" (rendered pages, page_cache.py).

    Empty: files under <data dir>/cache, which every worker of one machine shares. redis://
    and memcached:// share it between machines; locmem:// is per process (one worker only);
    dummy:// keeps nothing.
    """
    parts = urlsplit(url.strip() or (data_dir / "cache").as_uri())
    scheme = parts.scheme.lower()
    if scheme not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(
            f"{name} must start with file://, redis://, rediss://, memcached://, locmem:// or dummy://; "
            f"got {scheme + '://' if scheme else repr(url)}"
        )
    backend, package = _CACHE_BACKENDS[scheme]
    caches = {}
    for alias in ("default", "pages"):
        conf: dict = {"BACKEND": backend}
        if scheme == "file":
            if not parts.path or parts.path == "/":
                raise ImproperlyConfigured(f"{name}: file:// needs a directory, e.g. file:///var/cache/paperfeed")
            conf["LOCATION"] = str(Path(unquote(parts.path)) / alias)
            conf["OPTIONS"] = {"MAX_ENTRIES": _FILE_CACHE_ENTRIES[alias]}
        elif scheme in ("redis", "rediss"):
            conf["LOCATION"] = url.strip()
            conf["KEY_PREFIX"] = f"paperfeed-{alias}"
        elif scheme == "memcached":
            if not parts.netloc:
                raise ImproperlyConfigured(f"{name}: memcached:// needs a host, e.g. memcached://127.0.0.1:11211")
            try:
                parts.port
            except ValueError as exc:
                raise ImproperlyConfigured(f"{name}: {exc}") from None
            conf["LOCATION"] = parts.netloc
            conf["KEY_PREFIX"] = f"paperfeed-{alias}"
        elif scheme == "locmem":
            conf["LOCATION"] = f"paperfeed-{alias}"
        caches[alias] = conf
    if package is not None:
        import importlib.util

        if importlib.util.find_spec(package) is None:
            raise ImproperlyConfigured(
                f"{name}: {scheme}:// needs the {package} package (pip install 'paperfeed[{_EXTRAS[package]}]')"
            )
    return caches
