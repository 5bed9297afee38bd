"""The analyst's loop in a real headless Chromium against `newsmon serve` on a crawled fixture site.

Crawl the local sites, open the day's events, search in Arabic with another
spelling, mark the event "not relevant" through its confirmation page, and
check that the next digest preview no longer lists it. Around it: a GET on
a feedback link changes nothing, a POST without the CSRF token is refused,
and a non-loopback bind without a password does not start.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs
them); without them the test is skipped, unless NEWSMON_REQUIRE_BROWSER is
set, as in CI, where it fails.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port
from sites import NEWSMON, run_newsmon

pytestmark = pytest.mark.e2e

TITLE = "الرباط ومدريد توقعان خطة عمل جديدة للتعاون الأمني"
VARIANT_QUERY = "التعاون الامني ومدريد"  # no hamza, and "ومدريد" with its clitic


def browser() -> object:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        message = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        if os.environ.get("NEWSMON_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1100,760", "--lang=ar"):
        options.add_argument(argument)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.implicitly_wait(15)  # find_element waits for the next page on a loaded machine
    return chrome


def digest_text(config: Path, out: Path) -> str:
    result = run_newsmon("digest", "--config", str(config), "--dry-run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def served(news_site, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The fixture sites crawled once, and `newsmon serve` on a free loopback port."""
    port = free_port()
    config = news_site.write_config(
        tmp_path, extra=f"digest:\n  language: ar\nserve:\n  base_url: http://127.0.0.1:{port}\n")
    crawl = run_newsmon("crawl", "--config", str(config), "--quiet", timeout=180)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    server = subprocess.Popen([str(NEWSMON), "serve", "--config", str(config), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"newsmon serve did not start: {server.communicate()[0]}") from None
                time.sleep(0.3)
        yield base, config
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_analyst_marks_an_event_not_relevant_and_the_digest_drops_it(served, tmp_path: Path) -> None:
    base, config = served
    db = config.parent / "newsmon.db"
    (event_id,) = {row[0] for row in query(db, "SELECT event_id FROM articles "
                                              f"WHERE flagged = 1 AND title LIKE '%خطة عمل جديدة%'")}
    digest = digest_text(config, tmp_path / "before.eml")
    assert TITLE in digest and f"{base}/events/{event_id}\n" in digest

    # A mail scanner following the digest's "not relevant" link changes nothing; a forged POST is refused.
    link = f"{base}/events/{event_id}/feedback?verdict=not_relevant"
    assert link in digest
    page = urllib.request.urlopen(link, timeout=10).read().decode()
    assert 'name="csrftoken"' in page and 'method="post"' in page
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(
            link, data=urllib.parse.urlencode({"verdict": "not_relevant"}).encode(), method="POST"), timeout=10)
    assert refused.value.code == 403
    assert query(db, "SELECT count(*) FROM feedback") == [(0,)]

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    try:
        driver.get(base + "/")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        events = driver.find_elements(By.CSS_SELECTOR, "section.event")
        titles = [e.find_element(By.CSS_SELECTOR, "h2").text for e in events]
        assert TITLE in titles, titles
        screenshot = tmp_path / "serve.png"
        driver.save_screenshot(str(screenshot))
        if os.environ.get("NEWSMON_SCREENSHOT"):
            shutil.copy(screenshot, os.environ["NEWSMON_SCREENSHOT"])

        box = driver.find_element(By.ID, "q")
        box.send_keys(VARIANT_QUERY + Keys.ENTER)
        WebDriverWait(driver, 30).until(lambda d: "/search?" in d.current_url)
        results = driver.find_element(By.ID, "results").text
        assert TITLE in results

        driver.get(f"{base}/events/{event_id}")
        driver.find_element(By.CSS_SELECTOR, "a.button.no").click()
        WebDriverWait(driver, 30).until(lambda d: "/feedback?verdict=not_relevant" in d.current_url)
        driver.find_element(By.ID, "confirm")
        assert query(db, "SELECT count(*) FROM feedback") == [(0,)]  # the confirmation page alone changes nothing
        driver.find_element(By.ID, "confirm").click()
        WebDriverWait(driver, 30).until(lambda d: d.current_url == f"{base}/events/{event_id}")
        assert "حكم المحلل" in driver.find_element(By.TAG_NAME, "table").text

        driver.get(base + "/")
        titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "section.event h2")]
        assert TITLE not in titles
    finally:
        driver.quit()
    assert query(db, f"SELECT DISTINCT flagged, verdict_by FROM articles WHERE event_id = {event_id}"
                 ) == [(0, "analyst")]
    assert TITLE not in digest_text(config, tmp_path / "after.eml")


def test_a_public_bind_without_a_password_refuses_to_start(write_config) -> None:
    config = write_config("database: news.db\n")
    result = run_newsmon("serve", "--config", str(config), "--host", "0.0.0.0", "--port", str(free_port()),
                         env={"NEWSMON_SERVE_PASSWORD_HASH": ""}, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: config.yaml: serve.password_hash: required to listen on 0.0.0.0 (or set "
        "$NEWSMON_SERVE_PASSWORD_HASH; make one with `newsmon serve --hash-password`)"]
