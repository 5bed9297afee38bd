"""Sources that heal: a configured feed or sitemap that fails or lists nothing is replaced for the run.

Five scripted sites whose configured address is wrong in a different way,
each with one working alternative: a ``Sitemap:`` line in robots.txt, a
feed advertised by the homepage, a news sitemap at a usual place, only the
WordPress REST API, and a configured sitemap that lists no article while a
sitemap index sits at the usual place.  The crawl must store their articles
and say what it used in ``source_runs.notes``, ``newsmon status`` and the
digest's source-health section; ``sources check`` must say the same.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from sites import run_newsmon
from sites.scripted import ALLOW_ALL, Answer, ScriptedSite, article_html, crawl_config, rss, source_yaml

pytestmark = pytest.mark.e2e

NOW = datetime.now(timezone.utc)
WP_POSTS = "/wp-json/wp/v2/posts?per_page=50&_fields=link,date_gmt,title"


def sitemap(base: str, paths: list[str]) -> Answer:
    urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{(NOW - timedelta(hours=2)).isoformat()}</lastmod></url>"
                   for p in paths)
    return Answer(f'<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                  f"{urls}</urlset>", content_type="application/xml")


def add_articles(site: ScriptedSite, first: int) -> list[str]:
    paths = [f"/art/{first + i}.html" for i in range(2)]
    for i, path in enumerate(paths):
        site.answers[path] = Answer(article_html(first + i, NOW - timedelta(hours=i + 1)))
    return paths


@pytest.fixture(scope="module")
def healed(tmp_path_factory: pytest.TempPathFactory):
    names = ("robots", "homepage", "usual", "wpapi", "emptymap")
    sites = {name: ScriptedSite().start() for name in names}
    expected = {}
    robots, homepage, usual, wpapi, emptymap = (sites[n] for n in names)
    # 1. the feed is gone; robots.txt names the sitemap
    paths = add_articles(robots, 10)
    robots.answers.update({"/robots.txt": Answer(f"User-agent: *\nAllow: /\n\nSitemap: {robots.url}/sm/posts.xml\n",
                                                 content_type="text/plain"),
                           "/sm/posts.xml": sitemap(robots.url, paths)})
    expected["robots"] = ("/rss", f"sitemap {robots.url}/sm/posts.xml")
    # 2. the feed moved; the homepage advertises the new one
    paths = add_articles(homepage, 20)
    homepage.answers.update({"/robots.txt": ALLOW_ALL, "/": Answer(
        f'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/nouveau-flux.xml">'
        f"</head><body><p>Accueil</p></body></html>"),
        "/nouveau-flux.xml": rss(homepage.url, [(p, NOW - timedelta(hours=1)) for p in paths])})
    expected["homepage"] = ("/rss", f"feed {homepage.url}/nouveau-flux.xml")
    # 3. the "feed" is an HTML page now; a news sitemap sits at a usual place
    paths = add_articles(usual, 30)
    usual.answers.update({"/robots.txt": ALLOW_ALL, "/rss": Answer("<html><body>Page introuvable</body></html>"),
                          "/news-sitemap.xml": sitemap(usual.url, paths)})
    expected["usual"] = ("/rss", f"sitemap {usual.url}/news-sitemap.xml")
    # 4. only the WordPress REST API still works
    paths = add_articles(wpapi, 40)
    posts = [{"link": wpapi.url + p, "date_gmt": (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
              "title": {"rendered": f"Dossier {i}"}} for i, p in enumerate(paths)]
    wpapi.answers.update({"/robots.txt": ALLOW_ALL, WP_POSTS: Answer(json.dumps(posts),
                                                                      content_type="application/json")})
    expected["wpapi"] = ("/rss", f"WordPress API {wpapi.url}{WP_POSTS}")
    # 5. the configured sitemap lists only category pages; a sitemap index sits at the usual place
    paths = add_articles(emptymap, 50)
    emptymap.answers.update({
        "/robots.txt": ALLOW_ALL, "/sitemap-categories.xml": sitemap(emptymap.url, ["/categorie/maroc/"]),
        "/sitemap_index.xml": Answer(f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                                     f'sitemap/0.9"><sitemap><loc>{emptymap.url}/post-sitemap.xml</loc></sitemap>'
                                     "</sitemapindex>", content_type="application/xml"),
        "/post-sitemap.xml": sitemap(emptymap.url, paths)})
    expected["emptymap"] = ("/sitemap-categories.xml", f"sitemap {emptymap.url}/sitemap_index.xml")
    sources = "".join(source_yaml(name, site.url, r"/art/\d+\.html$",
                                  **({"sitemaps": ("/sitemap-categories.xml",)} if name == "emptymap"
                                     else {"feeds": ("/rss",)}))
                      for name, site in sites.items())
    folder = tmp_path_factory.mktemp("heal")
    config = folder / "config.yaml"
    config.write_text(crawl_config(sources) + "digest:\n  language: en\n", encoding="utf-8")
    crawl = run_newsmon("crawl", "--config", str(config))
    status = run_newsmon("status", "--config", str(config))
    check = run_newsmon("sources", "check", "--config", str(config))
    digest_file = folder / "digest.eml"
    digest = run_newsmon("digest", "--config", str(config), "--dry-run", "--out", str(digest_file))
    bases = {name: site.url for name, site in sites.items()}
    for site in sites.values():
        site.stop()
    db = sqlite3.connect(folder / "newsmon.db")
    db.row_factory = sqlite3.Row
    yield {"crawl": crawl, "status": status, "check": check, "digest": digest, "digest_file": digest_file,
           "db": db, "bases": bases, "expected": expected}
    db.close()


@pytest.mark.parametrize("name", ["robots", "homepage", "usual", "wpapi", "emptymap"])
def test_articles_are_found_through_the_alternative_and_the_run_says_which(healed, name: str) -> None:
    assert healed["crawl"].returncode == 0, healed["crawl"].stderr
    db = healed["db"]
    assert db.execute("SELECT COUNT(*) FROM articles WHERE source = ?", [name]).fetchone()[0] == 2
    run = db.execute("SELECT status, notes FROM source_runs WHERE source = ?", [name]).fetchone()
    configured, used = healed["expected"][name]
    notes = [n for n in json.loads(run["notes"]) if "update config.yaml" in n]
    assert len(notes) == 1 and f"{healed['bases'][name]}{configured} " in notes[0]
    assert f"used {used} instead" in notes[0]
    assert run["status"] == "ok"


def test_status_and_digest_tell_the_analyst_to_update_the_config(healed) -> None:
    assert healed["status"].returncode == 0, healed["status"].stderr
    lines = {line.split()[0]: line for line in healed["status"].stdout.splitlines() if line.startswith("  ")
             and line.split() and line.split()[0] in healed["expected"]}
    for name, (_, used) in healed["expected"].items():
        assert f"used {used} instead — update config.yaml" in lines[name]
    assert healed["digest"].returncode == 0, healed["digest"].stderr
    text = healed["digest_file"].read_text(encoding="utf-8", errors="replace")
    import email
    import email.policy

    body = email.message_from_string(text, policy=email.policy.default).get_body(("plain",)).get_content()
    health = body.split("== Source health ==")[1] if "== Source health ==" in body else body
    for name, (_, used) in healed["expected"].items():
        assert f"used {used} instead — update config.yaml" in health, name


def test_sources_check_names_the_working_alternative(healed) -> None:
    out = healed["check"].stdout
    for name, (_, used) in healed["expected"].items():
        line = next(line for line in out.splitlines() if line.startswith(name))
        assert f"{used} does — update config.yaml" in line, line
