"""Who may change things: password hashes, the bind rule, CSRF tokens.

On a loopback address with no password configured the person at the
keyboard is the analyst; anywhere else a password hash must be configured
before the server starts. Every change is a POST that carries the session's
``csrftoken``; a GET never changes anything, because mail scanners follow
the links in a digest.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import ipaddress
import os
import secrets

from crawler.config import Config, ConfigError

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000


def hash_password(password: str, *, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$iterations$salt$hash``: the form ``serve.password_hash`` takes."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"{ALGORITHM}${iterations}${salt}${base64.b64encode(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        algorithm, iterations, salt, expected = encoded.split("$")
        rounds = int(iterations)
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), rounds)
    return hmac.compare_digest(base64.b64encode(digest).decode(), expected)


def password_hash(config: Config) -> str | None:
    """The configured hash: ``serve.password_hash``, else the variable named by ``serve.password_hash_env``."""
    return config.serve.password_hash or os.environ.get(config.serve.password_hash_env) or None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(config: Config, host: str) -> None:
    """Refuse to listen beyond this machine without a password: one line naming the key."""
    if is_loopback(host) or password_hash(config):
        return
    raise ConfigError(
        f"{config.path.name}: serve.password_hash: required to listen on {host} (or set "
        f"${config.serve.password_hash_env}; make one with `newsmon serve --hash-password`)")


def local_analyst() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def csrf_token(session: dict) -> str:
    """The session's token, created on first use; forms carry it as ``csrftoken``."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok(session: dict, submitted: object) -> bool:
    expected = session.get("csrf")
    return bool(expected) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)
