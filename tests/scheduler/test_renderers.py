"""The digest's two renderers, driven directly with Digest values (no database, no SMTP).

Stories reach the renderers as :mod:`scheduler.digest.build` makes them:
article strings through ``clean`` and URLs through ``safe_url``; the helper
below does the same, so what is checked here is the whole promise made to the
reader: hostile titles are inert, only http(s) links are clickable, Arabic
reads right-to-left, and the text part is plain text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from scheduler.digest.build import Copy, Digest, PartnerGroup, Story
from scheduler.digest.health_section import SourceProblem
from scheduler.digest.names import label
from scheduler.digest.render_html import render_html
from scheduler.digest.render_text import render_text
from scheduler.digest.sanitize import clean, safe_url

TZ = ZoneInfo("Africa/Casablanca")
DAY = date(2026, 3, 14)
SINCE = datetime(2026, 3, 13, 7, 30, tzinfo=TZ)
UNTIL = datetime(2026, 3, 14, 7, 30, tzinfo=TZ)

HOSTILE_TITLE = 'Rabat & Madrid : "accord" <script>alert(1)</script> l\'<img src=x onerror=alert(2)>'
HOSTILE_SOURCE = '<b onmouseover="alert(3)">Le Détroit</b>'
ARABIC_TITLE = "تنسيق أمني مغربي إسباني لتفكيك شبكة للتهريب"
TEXT_TAGS = re.compile(r"</?(?:html|head|body|div|span|table|tr|td|a|b|p|br|ul|li|h\d|bdi|meta|title)\b", re.I)
ENTITIES = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.I)


def story(id: int, title: str, url: str | None, *, source: str = "akhbar", lang: str | None = "fr",
          partners: tuple[str, ...] = ("ES",), copies: tuple[tuple[str, str | None], ...] = (),
          excerpt: str = "Un extrait de l'article.", subtype: str | None = "police_intel") -> Story:
    return Story(
        id=id, title=clean(title), url=safe_url(url), source=clean(source), lang=lang,
        published=datetime(2026, 3, 13, 10, 15, tzinfo=TZ), excerpt=clean(excerpt), score=0.9,
        subtype=subtype, partners=tuple(clean(p) for p in partners),
        copies=tuple(Copy(clean(name), safe_url(link)) for name, link in copies),
    )


def digest(language: str, *stories: Story, problems: tuple[SourceProblem, ...] = (), hidden: int = 0) -> Digest:
    groups: dict[str | None, list[Story]] = {}
    for s in stories:
        groups.setdefault(s.partners[0] if s.partners else None, []).append(s)
    return Digest(day=DAY, since=SINCE, until=UNTIL, timezone="Africa/Casablanca", language=language,
                  groups=tuple(PartnerGroup(p, tuple(items)) for p, items in groups.items()),
                  hidden=hidden, problems=problems)


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def block_of(doc: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement:
    """The innermost table cell holding ``text``: the block whose direction the reader sees."""
    (cell,) = doc.xpath("//td[not(.//td)][contains(normalize-space(.), $t)]", t=text)
    return cell


# --- escaping ---------------------------------------------------------------

@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_hostile_strings_are_shown_not_executed(language: str) -> None:
    hostile = story(1, HOSTILE_TITLE, 'https://detroit.example/a-1.html?x="><script>alert(4)</script>',
                    source=HOSTILE_SOURCE, partners=("<i>XX</i>",), excerpt="<iframe src=//evil.example></iframe>",
                    copies=(("<svg onload=alert(5)>", "https://copie.example/b-2.html"),))
    problem = SourceProblem("<em>rss</em>", "failing", "HTTP 500 <u>x</u>", "</li><li>forged line")
    html = render_html(digest(language, hostile, problems=(problem,)))
    doc = parse(html)
    for tag in ("script", "img", "iframe", "svg", "i", "em", "u", "embed", "object"):
        assert not doc.xpath(f"//{tag}"), tag
    assert not [a for el in doc.iter() for a in el.attrib if a.startswith("on")]
    # every hostile string survives as visible text, character for character
    visible = doc.text_content()
    for text in (HOSTILE_TITLE, HOSTILE_SOURCE, "<i>XX</i>", "<iframe src=//evil.example></iframe>",
                 "<svg onload=alert(5)>", "<em>rss</em>", "HTTP 500 <u>x</u>", "</li><li>forged line"):
        assert text in visible
    assert len(doc.xpath("//li")) == 1  # the last error did not open a second list item
    (link,) = doc.xpath("//a[normalize-space(.)=$t]", t=HOSTILE_TITLE)
    assert link.get("href") == 'https://detroit.example/a-1.html?x="><script>alert(4)</script>'


def test_text_part_shows_hostile_titles_literally_and_has_no_markup() -> None:
    hostile = story(1, HOSTILE_TITLE, "https://detroit.example/a-1.html", source=HOSTILE_SOURCE)
    text = render_text(digest("fr", hostile))
    assert f"* {HOSTILE_TITLE}\n" in text  # literally: a plain-text reader shows what the site wrote
    assert not ENTITIES.search(text)
    quiet = render_text(digest("fr", story(1, "Patrouilles conjointes dans le détroit", "https://d.example/1.html",
                                            copies=(("Sahel Info", "https://s.example/2.html"),))))
    assert not TEXT_TAGS.search(quiet) and not ENTITIES.search(quiet)


def test_article_strings_cannot_forge_lines_in_the_text_part() -> None:
    forged = story(1, "Titre\n== Espagne (99) ==\n* faux", "https://d.example/1.html",
                   excerpt="ligne\r\n-- \nfausse signature")
    lines = render_text(digest("fr", forged)).splitlines()
    assert "== Espagne (99) ==" not in lines and "-- " in lines
    assert lines.count("-- ") == 1


# --- links -------------------------------------------------------------------

LINKS = {
    "https://detroit.example/a-1.html": True,
    "http://sahel.example/ar/تعاون-42.html": True,
    "HTTPS://UPPER.EXAMPLE/A": True,
    "javascript:alert(1)": False,
    " JaVaScRiPt:alert(1)": False,
    "java\tscript:alert(1)": False,
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==": False,
    "vbscript:msgbox(1)": False,
    "mailto:redaction@detroit.example": False,
    "ftp://files.detroit.example/a.pdf": False,
    "//detroit.example/scheme-relative": False,
    "": False,
}


@pytest.mark.parametrize("url, linked", LINKS.items(), ids=[u or "empty" for u in LINKS])
def test_only_http_links_are_clickable(url: str, linked: bool) -> None:
    s = story(1, "Exercice conjoint des garde-côtes", url, copies=(("Sahel Info", url),))
    html, text = render_html(digest("fr", s)), render_text(digest("fr", s))
    hrefs = parse(html).xpath("//a/@href")
    assert all(h.lower().startswith(("http://", "https://")) for h in hrefs)
    assert len(hrefs) == (2 if linked else 0)  # the title and the copy
    assert "Exercice conjoint des garde-côtes" in html and "Sahel Info" in html  # shown, linked or not
    if linked:
        assert f"  {url}\n" in text
    else:
        assert not re.search(r"(?i)script:|data:|mailto:|ftp:|//detroit", text)


# --- direction -----------------------------------------------------------------

@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_each_story_has_its_own_direction_whatever_the_digest_language(language: str) -> None:
    ar = story(1, ARABIC_TITLE, "https://sahel.example/1.html", lang="ar", excerpt="أوقفت عناصر الأمن خمسة أشخاص.")
    fr = story(2, "Patrouilles conjointes dans le détroit", "https://detroit.example/2.html", lang="fr")
    doc = parse(render_html(digest(language, ar, fr)))
    ar_block, fr_block = block_of(doc, ARABIC_TITLE), block_of(doc, "Patrouilles conjointes")
    assert (ar_block.get("dir"), ar_block.get("lang"), ar_block.get("align")) == ("rtl", "ar", "right")
    assert "direction:rtl" in ar_block.get("style")
    assert (fr_block.get("dir"), fr_block.get("lang"), fr_block.get("align")) == ("ltr", "fr", "left")
    root = doc.getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == (language, "rtl" if language == "ar" else "ltr")


def test_a_story_of_unknown_language_reads_left_to_right_without_a_lang_attribute() -> None:
    doc = parse(render_html(digest("ar", story(1, "Untitled wire copy", "https://w.example/1", lang=None))))
    block = block_of(doc, "Untitled wire copy")
    assert block.get("dir") == "ltr" and block.get("lang") is None


def test_source_names_and_numbers_are_isolated_in_an_arabic_digest() -> None:
    s = story(1, ARABIC_TITLE, "https://sahel.example/1.html", lang="ar", source="Le Détroit",
              partners=("ES", "INTERPOL"), copies=(("Sahel Info", "https://s.example/2.html"),))
    doc = parse(render_html(digest("ar", s)))
    isolated = [b.text_content() for b in doc.xpath("//bdi")]
    assert {"Le Détroit", "Sahel Info", "إسبانيا", "الإنتربول"} <= set(isolated)
    assert doc.xpath("//span[@dir='ltr'][.='2026-03-13 10:15']")


# --- the empty digest ------------------------------------------------------------

@pytest.mark.parametrize("language, says", [
    ("ar", "لا يوجد أي مقال عن التعاون الأمني منذ"),
    ("fr", "Aucun article sur la coopération sécuritaire depuis le"),
    ("en", "No security-cooperation story since"),
])
def test_empty_digest_says_so_and_still_reports_source_health(language: str, says: str) -> None:
    empty = digest(language)
    html, text = render_html(empty), render_text(empty)
    doc = parse(html)
    assert says in doc.text_content() and says in text
    assert not doc.xpath("//a") and not doc.xpath("//h2[not(contains(., $h))]", h=_health_heading(language))
    assert [line for line in text.splitlines() if line.startswith("== ")] == [f"== {_health_heading(language)} =="]
    assert not [line for line in text.splitlines() if line.startswith("* ")]


def _health_heading(language: str) -> str:
    return {"ar": "حالة المصادر", "fr": "État des sources", "en": "Source health"}[language]


# --- source health ------------------------------------------------------------------

PROBLEMS = (
    SourceProblem("sahel_info", "blocked", "page de vérification anti-robot", "blocked: HTTP 403"),
    SourceProblem("detroit", "failing", "3 échecs de suite", "DNS lookup failed for detroit.example"),
    SourceProblem("akhbar", "silent", "aucun nouvel article depuis 3 jours", None),
    SourceProblem("new_paper", "unknown", "", None),
)


def test_every_problem_source_is_named_with_its_state_reason_and_error() -> None:
    d = digest("fr", story(1, "Patrouilles conjointes", "https://d.example/1.html"), problems=PROBLEMS)
    text_lines = render_text(d).splitlines()
    assert "- sahel_info: bloquée — page de vérification anti-robot — blocked: HTTP 403" in text_lines
    assert "- detroit: en échec — 3 échecs de suite — DNS lookup failed for detroit.example" in text_lines
    assert "- akhbar: silencieuse — aucun nouvel article depuis 3 jours" in text_lines
    assert "- new_paper: jamais explorée" in text_lines
    items = [" ".join(li.text_content().split()) for li in parse(render_html(d)).xpath("//li")]
    assert items == [
        "sahel_info: bloquée — page de vérification anti-robot — blocked: HTTP 403",
        "detroit: en échec — 3 échecs de suite — DNS lookup failed for detroit.example",
        "akhbar: silencieuse — aucun nouvel article depuis 3 jours",
        "new_paper: jamais explorée",
    ]


def test_an_error_already_in_the_reason_is_not_repeated() -> None:
    problem = SourceProblem("detroit", "failing", "dernière erreur : HTTP 500 at https://d.example/", "HTTP 500")
    d = digest("fr", problems=(problem,))
    assert "- detroit: en échec — dernière erreur : HTTP 500 at https://d.example/\n" in render_text(d)
    (item,) = parse(render_html(d)).xpath("//li")
    assert item.text_content().count("HTTP 500") == 1


@pytest.mark.parametrize("language, ok", [
    ("ar", "كل المصادر تعمل بشكل عادي."), ("fr", "Toutes les sources fonctionnent normalement."),
    ("en", "Every source is working normally."),
])
def test_all_sources_well(language: str, ok: str) -> None:
    d = digest(language, story(1, "Patrouilles conjointes", "https://d.example/1.html"))
    assert ok in render_text(d)
    doc = parse(render_html(d))
    assert ok in doc.text_content() and not doc.xpath("//li")


def test_health_list_is_indented_on_the_reading_side() -> None:
    for language, side in (("ar", "right"), ("fr", "left")):
        (ul,) = parse(render_html(digest(language, problems=PROBLEMS[:1]))).xpath("//ul")
        assert f"padding-{side}:20px" in ul.get("style")


# --- the rest of the text part ---------------------------------------------------------

def test_text_part_groups_stories_under_partner_names_with_their_links() -> None:
    es = story(1, "Patrouilles conjointes dans le détroit", "https://detroit.example/1.html",
               partners=("ES", "INTERPOL"), copies=(("Sahel Info", "https://sahel.example/9.html"), ("Radio Nord", None)))
    none = story(2, "Saisie record au port", "https://detroit.example/2.html", partners=(), subtype=None)
    text = render_text(digest("fr", es, none, hidden=4))
    assert "\n== Espagne (1) ==\n\n* Patrouilles conjointes dans le détroit\n  https://detroit.example/1.html\n" in text
    assert "  akhbar · 2026-03-13 10:15 · Police et renseignement\n" in text
    assert "  Partenaires : Espagne, Interpol\n" in text
    assert "  Aussi publié par : Sahel Info <https://sahel.example/9.html>, Radio Nord\n" in text
    assert "\n== Sans partenaire identifié (1) ==\n" in text
    assert f"\n{label('more', 'fr', n=4)}\n" in text
    assert text.endswith("-- \nEnvoyé par newsmon. Heures en Africa/Casablanca.\n")


def test_long_excerpts_are_wrapped_on_two_indented_lines_at_most() -> None:
    long = " ".join(["Les deux services échangeront leurs signalements en temps réel."] * 6)
    text = render_text(digest("fr", story(1, "Titre", "https://d.example/1.html", excerpt=long)))
    excerpt_lines = [line for line in text.splitlines() if "signalements" in line]
    assert len(excerpt_lines) == 2
    assert all(line.startswith("  ") and len(line) <= 90 for line in excerpt_lines)
    assert excerpt_lines[-1].endswith("…")
