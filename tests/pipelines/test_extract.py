"""pipelines/extract.py on small pages written for these tests: one page per kind, as Fundus keeps one per site.

Every page carries the furniture real news pages wrap an article in (menus,
"read also" lists, footers); the article must come out alone, without its
headline and dateline, with its title, author and language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from w3lib.encoding import html_to_unicode

from pipelines.extract import extract_article, page_language, parse_html

URL = "https://akhbar.example/article-1.html"

AR_PAGE = """<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>توقيف شبكة للتهريب بتنسيق مع الشرطة الإسبانية - جريدة الساحل</title>
<meta name="author" content="يوسف العلمي">
</head><body>
<div class="menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/siyasa">سياسة</a></li>
<li><a href="/riyada">رياضة</a></li><li><a href="/fan">فن</a></li></ul></div>
<div class="post">
<h1 class="entry-title">توقيف شبكة للتهريب بتنسيق مع الشرطة الإسبانية</h1>
<span class="date">12 مارس 2026 - 10:15</span>
<div class="entry-content">
<p>أوقفت عناصر الأمن بمدينة طنجة، صباح اليوم الخميس، خمسة أشخاص يشتبه في انتمائهم إلى شبكة تنشط في تهريب المهاجرين عبر مضيق جبل طارق.</p>
<p>وجاءت العملية ثمرة تنسيق وثيق مع مصالح الشرطة الإسبانية التي تبادلت مع نظيرتها المغربية معطيات دقيقة حول تحركات أفراد الشبكة خلال الأسابيع الماضية.</p>
<p>وقد تم حجز قاربين مطاطيين ومحركات بحرية، فيما تتواصل الأبحاث للكشف عن باقي المتورطين المحتملين.</p>
</div></div>
<div class="related"><h4>اقرأ أيضا</h4><ul><li><a href="/x">افتتاح موسم الصيد البحري بالعرائش</a></li>
<li><a href="/y">مهرجان الموسيقى الأندلسية يعود في دورته الجديدة</a></li></ul></div>
<div id="footer">جميع الحقوق محفوظة لجريدة الساحل 2026 - من نحن - اتصل بنا - سياسة الخصوصية</div>
</body></html>"""

FR_PAGE = """<!DOCTYPE html><html lang="fr-MA"><head><meta charset="utf-8">
<title>Rabat et Madrid renforcent leur coopération policière | Le Quotidien du Détroit</title>
<meta property="og:title" content="Rabat et Madrid renforcent leur coopération policière">
<meta name="author" content="Salma Benkirane">
</head><body>
<header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/politique">Politique</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Rabat et Madrid renforcent leur coopération policière</h1>
<p class="byline">Par Salma Benkirane</p>
<p>Les directeurs des polices marocaine et espagnole se sont réunis mardi à Tanger pour faire le point sur les
patrouilles conjointes menées dans le détroit depuis le printemps.</p>
<p>Selon le communiqué publié à l'issue de la rencontre, les deux services échangeront désormais leurs signalements
en temps réel et formeront ensemble une centaine d'agents d'ici la fin de l'année.</p>
<p>Un troisième volet porte sur la lutte contre les réseaux de passeurs, que les deux délégations décrivent comme
de plus en plus mobiles et organisés.</p>
</article>
<aside class="related"><h3>À lire aussi</h3><ul><li><a href="/a">Le festival des fleurs ouvre ses portes à Kelâa</a></li>
<li><a href="/b">La saison des oranges commence tôt cette année</a></li></ul></aside>
</main>
<footer><p>© 2026 Le Quotidien du Détroit — Tous droits réservés. Mentions légales. Contact publicité.</p></footer>
</body></html>"""

EN_PAGE = """<html lang="en-GB"><head><meta charset="utf-8">
<title>Dakar hosts a regional workshop on port security</title>
</head><body>
<nav>Home | World | Business | Sport | Culture</nav>
<article>
<h1>Dakar hosts a regional workshop on port security</h1>
<div class="author">By Karim Haddad</div>
<p>Customs officers from six West African countries met in Dakar this week for a workshop on container screening,
organised with support from Moroccan trainers.</p>
<p>Participants compared how each port checks manifests and agreed to share a list of warning signs spotted on
recent shipments.</p>
</article>
<section class="more-stories"><h2>More stories</h2><a href="/1">Tide tables for the weekend</a>
<a href="/2">A new ferry line opens in the spring</a></section>
<footer>Copyright 2026 Tanger Wire. All rights reserved. Privacy policy. Cookie settings.</footer>
</body></html>"""

# Unclosed paragraphs and divs, a stray end tag, no </body></html>, and the download cut off mid-tag.
BROKEN_PAGE = """<html><head><meta charset="utf-8"><title>Saisie record de résine au port de Nador</title></head>
<body><div id="nav"><a href="/">Accueil</a> <a href="/regions">Régions</a></div></span>
<div class="article"><h1>Saisie record de résine au port de Nador
<p>Les douaniers du port de Nador ont découvert lundi près de trois tonnes de résine dissimulées dans une cargaison
de fruits secs en provenance d'un port européen.
<p>Le chauffeur du camion, un ressortissant étranger, a été placé en garde à vue sur instruction du parquet
compétent, qui a ordonné une enquête approfondie.
<div class="share">Partager : Facebook Twitter WhatsApp</div>
<div class="comments"><p>Bravo aux douaniers !</p><p>Enfin une bonne nouvelle pour la ré"""

# An XHTML portal: the XML declaration names the original charset, which the crawler has already decoded.
XHTML_PAGE = """<?xml version="1.0" encoding="windows-1256"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ar"><head><title>اجتماع تنسيقي حول أمن الحدود</title></head>
<body><div class="topmenu"><a href="/">الرئيسية</a> | <a href="/akhbar">أخبار</a> | <a href="/contact">اتصل بنا</a></div>
<table><tr><td class="article">
<h2>اجتماع تنسيقي حول أمن الحدود</h2>
<p>احتضنت مدينة وجدة أمس اجتماعا تنسيقيا ضم مسؤولين أمنيين من عدة قطاعات، خصص لتقييم الإجراءات المتخذة لمراقبة
الشريط الحدودي خلال فصل الصيف.</p>
<p>وأكد المشاركون على ضرورة تعزيز تبادل المعلومات بين المصالح المعنية وتكثيف الدوريات في المناطق الجبلية.</p>
</td></tr></table>
<div class="copyright">حقوق النشر محفوظة 2026</div></body></html>"""


@dataclass(frozen=True)
class Case:
    html: str
    default_lang: str  # the source's language, from config.yaml
    title: str
    author: str | None
    lang: str
    first: str  # how the body starts: no headline, no dateline, no byline
    kept: tuple[str, ...]  # phrases from the article's last paragraphs
    dropped: tuple[str, ...]  # menus, related links, footers


CASES = {
    "ar": Case(AR_PAGE, "fr", "توقيف شبكة للتهريب بتنسيق مع الشرطة الإسبانية", "يوسف العلمي", "ar",
               "أوقفت عناصر الأمن بمدينة طنجة", ("مصالح الشرطة الإسبانية", "باقي المتورطين المحتملين."),
               ("الرئيسية", "اقرأ أيضا", "موسم الصيد البحري", "جميع الحقوق محفوظة", "12 مارس 2026")),
    "fr": Case(FR_PAGE, "ar", "Rabat et Madrid renforcent leur coopération policière", "Salma Benkirane", "fr",
               "Les directeurs des polices marocaine et espagnole", ("une centaine d'agents", "mobiles et organisés."),
               ("Accueil", "À lire aussi", "festival des fleurs", "Tous droits réservés", "Par Salma", "Quotidien")),
    "en": Case(EN_PAGE, "ar", "Dakar hosts a regional workshop on port security", "Karim Haddad", "en",
               "Customs officers from six West African countries", ("list of warning signs",),
               ("Home | World", "More stories", "Tide tables", "All rights reserved", "By Karim")),
    "broken": Case(BROKEN_PAGE, "fr", "Saisie record de résine au port de Nador", None, "fr",
                   "Les douaniers du port de Nador", ("une enquête approfondie.",),
                   ("Accueil", "Partager", "Bravo aux douaniers")),
    "xhtml": Case(XHTML_PAGE, "fr", "اجتماع تنسيقي حول أمن الحدود", None, "ar",
                  "احتضنت مدينة وجدة أمس اجتماعا تنسيقيا", ("وتكثيف الدوريات في المناطق الجبلية.",),
                  ("الرئيسية", "اتصل بنا", "حقوق النشر")),
}


@pytest.mark.parametrize("name", CASES)
def test_article_comes_out_alone(name: str) -> None:
    case = CASES[name]
    extracted = extract_article(parse_html(case.html), URL, case.default_lang)
    assert extracted is not None
    assert (extracted.title, extracted.author, extracted.lang) == (case.title, case.author, case.lang)
    assert extracted.text.startswith(case.first)
    for phrase in case.kept:
        assert phrase in extracted.text
    for phrase in case.dropped:
        assert phrase not in extracted.text
    assert case.title not in extracted.text  # the headline is stored apart


def test_the_callers_tree_is_left_intact() -> None:
    """trafilatura prunes what it is given; the dating chain reads the same tree afterwards."""
    tree = parse_html(FR_PAGE)
    before = len(tree.xpath("//*"))
    extract_article(tree, URL, "fr")
    assert len(tree.xpath("//*")) == before
    assert tree.xpath("//footer")


def test_windows_1256_page_decoded_as_the_crawler_decodes_it() -> None:
    """A legacy portal declares its charset only in <meta>; the letters must survive the round trip."""
    html = AR_PAGE.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">')
    body = html.encode("cp1256")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the bytes really are not UTF-8
    encoding, text = html_to_unicode(None, body)  # what Scrapy's HtmlResponse does without a Content-Type charset
    assert encoding == "cp1256"
    extracted = extract_article(parse_html(text), URL, "ar")
    assert extracted is not None
    assert extracted.title == CASES["ar"].title
    assert extracted.text.startswith(CASES["ar"].first)
    assert "معطيات دقيقة" in extracted.text


@pytest.mark.parametrize("html", [
    "",
    "   \n\t ",
    # a script-rendered shell: nothing to read without JavaScript
    """<!DOCTYPE html><html><head><meta charset="utf-8"><title>-</title></head>
<body><div id="app"></div><script>window.__STATE__ = {"page": 1}</script></body></html>""",
], ids=["empty", "whitespace", "script-shell"])
def test_no_body_means_no_article(html: str) -> None:
    tree = parse_html(html)
    assert tree is None or extract_article(tree, URL, "fr") is None


@pytest.mark.parametrize("html, default, expected", [
    ('<html lang="fr-MA">', "ar", "fr"),
    ('<html lang="AR">', "fr", "ar"),
    ('<html xml:lang="en">', "ar", "en"),
    ('<html lang="es">', "fr", "fr"),      # a language we do not monitor: the source's
    ('<html lang="">', "ar", "ar"),
    ("<html>", "en", "en"),
])
def test_declared_language_wins_when_it_is_one_we_monitor(html: str, default: str, expected: str) -> None:
    tree = parse_html(html + "<body><p>x</p></body></html>")
    assert page_language(tree, default) == expected
