"""``fetcher: impersonate`` against a local HTTPS server: same robots, size limit and network guard.

The certificate is made here (self-signed, with ``cryptography``).  The
server sees curl_cffi's browser headers (``sec-ch-ua``) next to our own
User-Agent, which shows the request went through the impersonating
transport and still said who we are.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import sqlite3
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sites import run_newsmon
from sites.scripted import Answer, ScriptedSite, article_html, crawl_config, rss, source_yaml

pytestmark = pytest.mark.e2e

NOW = datetime.now(timezone.utc)
USER_AGENT = "newsmon-test/0.1 (+https://example.org/newsmon)"


def tls_context(folder: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("impersonate")
    site = ScriptedSite().start(tls=tls_context(folder))
    site.answers.update({
        "/robots.txt": Answer("User-agent: *\nDisallow: /prive/\n", content_type="text/plain"),
        "/feed.xml": rss(site.url, [("/art/1.html", NOW - timedelta(hours=1)), ("/prive/2.html", NOW),
                                    ("/art/grand.html", NOW - timedelta(hours=2))]),
        "/art/1.html": Answer(article_html(1, NOW - timedelta(hours=1))),
        "/prive/2.html": Answer(article_html(2, NOW)),
        "/art/grand.html": Answer("<html><body>" + "<p>remplissage</p>" * 30_000 + "</body></html>"),
    })
    source = source_yaml("tls", site.url, "/(?:art|prive)/", feeds=("/feed.xml",), extra="    fetcher: impersonate\n")
    config = folder / "config.yaml"
    config.write_text(crawl_config(source, user_agent=f'"{USER_AGENT}"'), encoding="utf-8")
    result = run_newsmon("crawl", "--config", str(config))
    log, headers = list(site.log), list(site.headers)
    site.log.clear()
    guarded = folder / "guarded"
    guarded.mkdir()
    (guarded / "config.yaml").write_text(crawl_config(source, allow_private_networks="false"), encoding="utf-8")
    refused = run_newsmon("crawl", "--config", str(guarded / "config.yaml"))
    refused_log = list(site.log)
    site.stop()
    db = sqlite3.connect(folder / "newsmon.db")
    yield {"result": result, "log": log, "headers": headers, "db": db, "refused": refused,
           "refused_log": refused_log}
    db.close()


def test_articles_are_fetched_through_the_impersonating_transport(crawled) -> None:
    assert crawled["result"].returncode == 0, crawled["result"].stderr
    stored = [row[0].rsplit("/", 2)[-2:] for row in crawled["db"].execute("SELECT url FROM articles")]
    assert stored == [["art", "1.html"]]
    article = crawled["headers"][crawled["log"].index("/art/1.html")]
    assert "sec-ch-ua" in article and article["user-agent"] == USER_AGENT


def test_robots_txt_and_the_size_limit_still_apply(crawled) -> None:
    assert crawled["log"][0] == "/robots.txt" and "sec-ch-ua" in crawled["headers"][0]
    assert "/prive/2.html" not in crawled["log"]
    (error,) = crawled["db"].execute("SELECT last_error FROM urls WHERE url LIKE '%grand.html'").fetchone()
    assert error.startswith("page larger than the size limit")


def test_the_private_network_guard_still_applies(crawled) -> None:
    assert crawled["refused"].returncode != 0 or "refused" in crawled["refused"].stdout + crawled["refused"].stderr
    assert crawled["refused_log"] == []
