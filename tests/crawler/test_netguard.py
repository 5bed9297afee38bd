"""The SSRF guard: no request, redirects and robots.txt included, reaches a private address."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.netguard import NetGuardMiddleware, PrivateNetworkRefused, is_public_address, refusal_reason
from sites import run_newsmon


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1%eth0", "fd00::1", "::ffff:127.0.0.1",
                                     "224.0.0.1"])
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "196.200.131.10", "2001:4860:4860::8888"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    assert refusal_reason("mixed.example", ["8.8.8.8", "10.0.0.1"]) is not None
    assert refusal_reason("ok.example", ["8.8.8.8"]) is None


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://localhost:8080/admin",
                                 "http://[::1]/", "http://10.0.0.7/feed"])
def test_middleware_refuses_private_targets(url: str) -> None:
    middleware = NetGuardMiddleware.from_crawler(get_crawler(settings_dict={"NEWSMON_ALLOW_PRIVATE_NETWORKS": False}))
    with pytest.raises(PrivateNetworkRefused):
        asyncio.run(middleware.process_request(Request(url)))


def test_crawl_of_a_loopback_site_is_refused_before_any_request(news_site, tmp_path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp"], allow_private_networks=False)
    result = run_newsmon("crawl", "--config", str(config))
    assert result.returncode == 1
    assert news_site["ar_wp"].requests == []
    db = sqlite3.connect(tmp_path / "newsmon.db")
    status, last_error = db.execute("SELECT status, last_error FROM source_runs").fetchone()
    assert status == "failed"
    assert "non-public address 127.0.0.1" in last_error
