"""Crawl throughput against extraction alone: does Scrapy + storage cost much more than trafilatura?

Generates a local site of 1,000 articles (Arabic and French text assembled
from word lists, so nothing is copied), serves it on 127.0.0.1 with news
sitemaps, crawls it with politeness off in a fresh process, then extracts
the very same HTML with trafilatura alone in one process.  A second crawl
shows what a re-run costs: only robots.txt and the sitemaps.

    python bench/bench_crawl.py            # prints the figures
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLES_PER_LANG = 500
WORDS = {
    "ar": ("المغرب الحكومة المدينة الجهة المشروع الوزارة السكان الاقتصاد التعاون الأمن الماء الفلاحة الطلبة المستشفى "
           "الطريق الميناء البرلمان المجلس الشباب التنمية الاستثمار القطاع البرنامج الدعم المواطنين الساكنة الموسم "
           "الأسواق الأسعار التساقطات السدود الطاقة الشمسية الرياضة المنتخب الثقافة المهرجان الجامعة التكوين").split(),
    "fr": ("Maroc gouvernement ville région projet ministère habitants économie coopération sécurité eau agriculture "
           "étudiants hôpital route port parlement conseil jeunes développement investissement secteur programme soutien "
           "citoyens saison marchés prix pluies barrages énergie solaire sport sélection culture festival université "
           "formation").split(),
}
GLUE = {
    "ar": "في على من إلى مع حول بعد قبل خلال ضمن أن التي الذي كما".split(),
    "fr": "de la le les des du à dans pour avec sur après avant pendant selon et qui".split(),
}


def sentence(rng: random.Random, lang: str) -> str:
    words = [rng.choice(WORDS[lang]) if i % 2 == 0 else rng.choice(GLUE[lang]) for i in range(rng.randint(12, 22))]
    return " ".join(words) + "."


def article_html(rng: random.Random, lang: str, number: int) -> str:
    title = " ".join(rng.choice(WORDS[lang]) for _ in range(7))
    paragraphs = "\n".join(f"<p>{' '.join(sentence(rng, lang) for _ in range(4))}</p>" for _ in range(6))
    direction = "rtl" if lang == "ar" else "ltr"
    nav = " ".join(f'<a href="{{{{base}}}}/{lang}/rubrique-{i}">{rng.choice(WORDS[lang])}</a>' for i in range(12))
    aside = "".join(f'<li><a href="{{{{base}}}}/{lang}/a-{rng.randint(1, ARTICLES_PER_LANG)}.html">'
                    f'{" ".join(rng.choice(WORDS[lang]) for _ in range(5))}</a></li>' for _ in range(8))
    return f"""<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{{{{iso:{number % 5 + 1}}}}}"></head>
<body><header><nav>{nav}</nav></header><main><article><h1>{title}</h1>
{paragraphs}
</article><aside><h3>+</h3><ul>{aside}</ul></aside></main><footer>bench site - {lang}</footer></body></html>
"""


def build_site(folder: Path) -> list[tuple[str, str]]:
    """Write the site; returns (path, file name) of every article."""
    rng = random.Random(2026)
    routes = ["/robots.txt robots.txt text/plain"]
    articles = []
    for lang in ("ar", "fr"):
        urls = []
        for n in range(1, ARTICLES_PER_LANG + 1):
            name = f"{lang}-{n}.html"
            (folder / name).write_text(article_html(rng, lang, n), encoding="utf-8")
            routes.append(f"/{lang}/a-{n}.html {name}")
            urls.append(f"<url><loc>{{{{base}}}}/{lang}/a-{n}.html</loc><lastmod>{{{{iso:{n % 5 + 1}}}}}</lastmod></url>")
            articles.append((f"/{lang}/a-{n}.html", name))
        (folder / f"sitemap-{lang}.xml").write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(urls) + "</urlset>", encoding="utf-8")
        routes.append(f"/sitemap-{lang}.xml sitemap-{lang}.xml application/xml")
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (folder / "routes.txt").write_text("\n".join(routes) + "\n", encoding="utf-8")
    return articles


def write_config(folder: Path, base: str) -> Path:
    sources = "".join(
        f"  - name: bench-{lang}\n    url: '{base}/'\n    lang: {lang}\n    sitemaps: ['{base}/sitemap-{lang}.xml']\n"
        f"    article_pattern: '/{lang}/a-\\d+\\.html$'\n" for lang in ("ar", "fr"))
    path = folder / "config.yaml"
    path.write_text(f"database: bench.db\nsources:\n{sources}crawl:\n  download_delay: 0\n  autothrottle: false\n"
                    "  concurrent_per_site: 16\n  timeout: 30\n  allow_private_networks: true\n  max_articles_per_source: 5000\n", encoding="utf-8")
    return path


def crawl_child(config_path: str) -> None:
    """Run in a fresh process: one crawl, figures as JSON on stdout."""
    from crawler.config import load_config
    from crawler.run import run_crawl

    config = load_config(config_path)
    result = run_crawl(config, config.enabled_sources, trigger="bench")
    print(json.dumps({"elapsed": result.elapsed, **{k: v for k, v in result.totals.items() if k != "last_error"}}))


def crawl(config: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--crawl", str(config)], capture_output=True, text=True,
                            check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def extraction_alone(site, articles: list[tuple[str, str]]) -> float:
    import trafilatura

    pages = [(site.url + path, site.page(name)) for path, name in articles]
    trafilatura.bare_extraction(pages[0][1], url=pages[0][0], with_metadata=True)  # warm-up, as the crawl has one
    start = time.perf_counter()
    for url, html in pages:
        trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return time.perf_counter() - start


def pipeline_alone(site, articles: list[tuple[str, str]], config_path: Path) -> float:
    """The whole per-page pipeline (extract, date, classify, fingerprint) without Scrapy or SQLite."""
    from datetime import datetime, timezone

    from crawler.config import load_config
    from pipelines.process import PageInput, process_page

    config = load_config(config_path)
    sources = {s.lang: config.page_sources()[s.name] for s in config.sources}
    settings = config.process_settings()
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    for path, name in articles:
        page = PageInput(site.url + path, sources[path[1:3]], site.page(name), now)
        process_page(page, settings)
    return time.perf_counter() - start


def main() -> int:
    from crawler.localsite import LocalSite

    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        folder = Path(tmp)
        site_dir = folder / "site"
        site_dir.mkdir()
        articles = build_site(site_dir)
        site = LocalSite(site_dir).start()
        try:
            config = write_config(folder, site.url)
            first = crawl(config)
            alone = extraction_alone(site, articles)
            pipeline = pipeline_alone(site, articles, config)
            site.reset()
            second = crawl(config)
            second_paths = site.requests
        finally:
            site.stop()
    rate = first["new_articles"] / first["elapsed"]
    print(f"site: {len(articles)} articles (ar, fr) on loopback, politeness off")
    print(f"crawl: {first['new_articles']} articles stored in {first['elapsed']:.2f} s "
          f"({first['requests']} requests) = {rate:.1f} articles/s")
    print(f"trafilatura alone on the same HTML: {alone:.2f} s = {len(articles) / alone:.1f} pages/s")
    print(f"ratio crawl / extraction alone: {first['elapsed'] / alone:.2f} (aim < 1.5)")
    print(f"whole page pipeline alone (extract, date, classify, fingerprint): {pipeline:.2f} s; "
          f"ratio crawl / pipeline alone: {first['elapsed'] / pipeline:.2f}")
    print(f"second crawl: {second['requests']} requests, {second['new_articles']} new articles; "
          f"paths: {', '.join(sorted(set(second_paths)))}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--crawl":
        crawl_child(sys.argv[2])
        sys.exit(0)
    sys.exit(main())
