"""The daily digest e-mail: select stories, render text and HTML, send once per day."""

from scheduler.digest.deliver import DigestError, DigestResult, deliver_digest, due_digest_day, write_digest

__all__ = ["DigestError", "DigestResult", "deliver_digest", "due_digest_day", "write_digest"]
