"""Translate the ``crawl:`` section of config.yaml into Scrapy settings.

Scrapy's defaults suit a developer's scraping session, not a daily monitor:
no size limit worth the name, immediate retries, 180 s timeouts, an HTTP
cache and job directories that would make the next day's run see nothing new
(a reused JOBDIR crawled 0 pages on the second day).  Everything that matters is set explicitly here so the
behaviour does not drift with Scrapy releases.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from crawler.config import CrawlSettings

LOG_LEVEL_ENV = "NEWSMON_LOG_LEVEL"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # the crawl's and the daemon's
# Loggers that print a traceback for an ordinary network failure the spider already records.
_NOISY_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


def quiet_network_noise() -> None:
    """Keep tracebacks of unreachable robots.txt files out of the user's terminal, unless debugging."""
    if os.environ.get(LOG_LEVEL_ENV, "").upper() != "DEBUG":
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)


def scrapy_settings(crawl: CrawlSettings, impersonate: bool = False) -> dict[str, Any]:
    """Settings shared by every source's crawler in one run; ``impersonate`` when a source asks for it."""
    settings = {
        "BOT_NAME": "newsmon",
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "ROBOTSTXT_USER_AGENT": crawl.user_agent,
        # Politeness, per site: each source is its own crawler, so these apply per source.
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5 if crawl.download_delay > 0 else 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_site,
        "DOWNLOADER": "crawler.downloader.SlotCountingDownloader",  # enforces the line above without a delay
        "CONCURRENT_REQUESTS": max(16, crawl.concurrent_per_site),
        # Scrapy starts this many tasks for every callback's output, however short: an
        # article page yields one item, so the default of 100 is pure overhead here.
        "CONCURRENT_ITEMS": 16,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(crawl.concurrent_per_site),
        # Limits.
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "CLOSESPIDER_TIMEOUT": 0,  # max_run_minutes is enforced by crawler.run, as a hard limit
        "MEMUSAGE_ENABLED": True,
        "MEMUSAGE_LIMIT_MB": 2048,
        "MEMUSAGE_WARNING_MB": 1024,
        "DEPTH_LIMIT": 0,  # pagination depth is counted by the spider itself, per start URL
        # Retries: ours wait between attempts; Scrapy's own would hammer a struggling site.
        "RETRY_ENABLED": True,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        # Scrapy's list minus CannotResolveHostError: a name that does not resolve now will not
        # resolve three seconds later, and retrying it triples the time an offline run takes.
        "RETRY_EXCEPTIONS": [
            "scrapy.exceptions.DownloadConnectionRefusedError", "scrapy.exceptions.DownloadFailedError",
            "scrapy.exceptions.DownloadTimeoutError", "scrapy.exceptions.ResponseDataLossError",
            "twisted.internet.error.ConnectionDone", "twisted.internet.error.ConnectError",
            "twisted.internet.error.ConnectionLost", OSError,
        ],
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",  # the failure is recorded in source_runs instead
        "NEWSMON_RETRY_BACKOFF": 1.0,
        "NEWSMON_RETRY_MAX_DELAY": 30.0,
        "NEWSMON_ALLOW_PRIVATE_NETWORKS": crawl.allow_private_networks,
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.netguard.NetGuardMiddleware": 50,
            # RFC 9309: a robots.txt that answers 5xx or hangs means "crawl nothing" this run.
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.robots.RobotsMiddleware": 100,
            "crawler.middlewares.SiteGuardMiddleware": 60,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            **({"crawler.impersonate.ImpersonateMiddleware": 40} if impersonate else {}),
        },
        "ITEM_PIPELINES": {"crawler.store_pipeline.StorePipeline": 300},
        # A daily run must see the sites as they are today: no cache, no job directory.
        "HTTPCACHE_ENABLED": False,
        "JOBDIR": None,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": os.environ.get(LOG_LEVEL_ENV, "WARNING").upper(),
        "LOG_FORMAT": LOG_FORMAT,
        "LOG_DATEFORMAT": "%H:%M:%S",
    }
    if impersonate:
        # Falls through to Scrapy's own handler for every request not marked by ImpersonateMiddleware.
        handler = "crawler.impersonate.ImpersonateDownloadHandler"
        settings["DOWNLOAD_HANDLERS"] = {"http": handler, "https": handler}
    return settings
