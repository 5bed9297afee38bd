"""Event grouping on reports written for the project: one happening in three languages vs look-alikes."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.events import GROUPING_VERSION
from pipelines.store import ArticleStore, open_database

# One meeting, told by three sites in Arabic, French and English.
MEETING = [
    ("https://alkhabar-example.ma/ar/1", "alkhabar-ar", "ar", "2026-03-10T11:00:00+01:00",
     "حموشي يستقبل المديرة العامة للحرس المدني الإسباني بالرباط",
     "استقبل عبد اللطيف حموشي، المدير العام للأمن الوطني ولمراقبة التراب الوطني، اليوم الثلاثاء بالرباط، "
     "ميرسيديس غونزاليس المديرة العامة للحرس المدني الإسباني، على رأس وفد أمني. وتناولت المباحثات "
     "تعزيز التعاون الأمني بين المغرب وإسبانيا في مكافحة الإرهاب والهجرة غير النظامية وتهريب المخدرات."),
    ("https://lejournal-example.ma/fr/2", "lejournal-fr", "fr", "2026-03-10T16:30:00+01:00",
     "Rabat : Hammouchi reçoit la patronne de la Garde civile espagnole",
     "Le directeur général de la DGSN et de la DGST, Abdellatif Hammouchi, a reçu mardi à Rabat "
     "Mercedes González, directrice générale de la Guardia Civil, accompagnée d'une délégation. Les entretiens "
     "ont porté sur la coopération sécuritaire entre le Maroc et l'Espagne contre le terrorisme et les trafics."),
    ("https://dailynews-example.ma/en/3", "dailynews-en", "en", "2026-03-11T09:15:00+01:00",
     "Morocco's security chief Hamouchi hosts Spain's Civil Guard director",
     "Abdellatif Hammouchi, head of Morocco's national police and domestic intelligence, received Civil Guard "
     "director general Mercedes González in Rabat on Tuesday. The talks focused on security cooperation between "
     "Morocco and Spain against terrorism, irregular migration and drug trafficking."),
]
# The same two chiefs a year later, in Madrid.
YEAR_LATER = ("https://lejournal-example.ma/fr/40", "lejournal-fr", "fr", "2027-03-16T10:00:00+01:00",
              "Hammouchi à Madrid chez la directrice de la Garde civile",
              "Abdellatif Hammouchi a rencontré à Madrid Mercedes González, directrice générale de la Guardia Civil. "
              "Les deux responsables ont fait le point sur la coopération sécuritaire entre le Maroc et l'Espagne.")
# The same kind of operation in two cities the same week, and the court's decision days after the first.
OPERATION_TANGIER = ("https://alkhabar-example.ma/ar/50", "alkhabar-ar", "ar", "2026-03-12T10:00:00+01:00",
                     "توقيف خمسة متطرفين بطنجة بتنسيق مع الشرطة الإسبانية",
                     "تمكنت عناصر المديرية العامة لمراقبة التراب الوطني، بتنسيق مع الشرطة الوطنية الإسبانية، من توقيف "
                     "خمسة أشخاص موالين لتنظيم داعش بمدينة طنجة، للاشتباه في تورطهم في التحضير لمشاريع إرهابية.")
OPERATION_TANGIER_FR = ("https://lejournal-example.ma/fr/51", "lejournal-fr", "fr", "2026-03-12T18:00:00+01:00",
                        "Cinq partisans de Daech interpellés à Tanger avec la police espagnole",
                        "La DGST a interpellé à Tanger cinq partisans de Daech, en coordination avec la police nationale "
                        "espagnole. Les suspects préparaient des projets terroristes, selon un communiqué.")
OPERATION_NADOR = ("https://dailynews-example.ma/en/52", "dailynews-en", "en", "2026-03-13T12:00:00+01:00",
                   "Seven ISIS supporters arrested in Nador with Spanish police",
                   "Morocco's DGST arrested seven ISIS supporters in Nador in coordination with the Spanish national "
                   "police. The suspects were planning terrorist projects, according to a statement.")
COURT_FOLLOW_UP = ("https://lejournal-example.ma/fr/53", "lejournal-fr", "fr", "2026-03-16T12:00:00+01:00",
                   "Tanger : le tribunal condamne les cinq partisans de Daech",
                   "Le tribunal de Salé a condamné à des peines de prison les cinq partisans de Daech interpellés à "
                   "Tanger la semaine dernière en coordination avec la police espagnole. Le verdict a été prononcé lundi.")
# Two editions of a recurring exercise.
EDITION_2026 = ("https://dailynews-example.ma/en/60", "dailynews-en", "en", "2026-05-18T09:00:00+01:00",
                "African Lion 2026 kicks off in Agadir",
                "The 22nd edition of the African Lion exercise opened in Agadir, with Moroccan and US forces and "
                "troops from partner countries training together until 29 May 2026.")
EDITION_2027 = ("https://dailynews-example.ma/en/61", "dailynews-en", "en", "2027-05-17T09:00:00+01:00",
                "African Lion 2027 kicks off in Agadir",
                "The 23rd edition of the African Lion exercise opened in Agadir, with Moroccan and US forces and "
                "troops from partner countries training together until 28 May 2027.")


def save(store: ArticleStore, report: tuple[str, str, str, str, str, str], flagged: int = 1, partners=("ES",)) -> int:
    url, source, lang, published_text, title, text = report
    published = datetime.fromisoformat(published_text)
    saved = store.save_article({
        "url": url, "source": source, "lang": lang, "title": title, "text": text, "published_at": published,
        "fetched_at": published, "flagged": flagged, "score": 0.9, "subtype": "police_intel",
        "partners": list(partners), "reasons": [], "classifier_version": "test",
    })
    return saved.event_id


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(open_database(tmp_path / "events.db"))


def test_one_happening_in_three_languages_is_one_event(store: ArticleStore) -> None:
    events = {save(store, report) for report in MEETING}
    assert len(events) == 1
    (event_id,) = events
    row = store.db.execute("SELECT * FROM events WHERE id = ?", [event_id]).fetchone()
    columns = [d[0] for d in store.db.execute("SELECT * FROM events LIMIT 0").description]
    event = dict(zip(columns, row))
    assert event["reports"] == 3 and event["flagged"] == 1
    assert json.loads(event["languages"]) == ["ar", "en", "fr"]
    assert json.loads(event["sources"]) == ["alkhabar-ar", "lejournal-fr", "dailynews-en"]
    assert json.loads(event["titles"])["fr"].startswith("Rabat : Hammouchi")
    assert event["earliest_published"] == "2026-03-10T10:00:00+00:00"  # stored in UTC
    assert event["grouping_version"] == GROUPING_VERSION


def test_arrival_order_does_not_matter(store: ArticleStore) -> None:
    assert len({save(store, report) for report in reversed(MEETING)}) == 1


def test_look_alikes_are_other_events(store: ArticleStore) -> None:
    meeting = {save(store, report) for report in MEETING}
    year_later = save(store, YEAR_LATER)
    tangier = {save(store, OPERATION_TANGIER), save(store, OPERATION_TANGIER_FR)}
    nador = save(store, OPERATION_NADOR)
    court = save(store, COURT_FOLLOW_UP)
    editions = {save(store, EDITION_2026), save(store, EDITION_2027)}
    assert len(meeting) == 1 and len(tangier) == 1, "reports of one happening share an event"
    ids = [*meeting, year_later, *tangier, nador, court, *editions]
    assert len(ids) == len(set(ids)) == 7, "each look-alike is an event of its own"


def test_every_article_belongs_to_one_event(store: ArticleStore) -> None:
    for report in [*MEETING, OPERATION_NADOR, YEAR_LATER]:
        save(store, report)
    unplaced = store.db.execute("SELECT COUNT(*) FROM articles WHERE event_id IS NULL").fetchone()[0]
    counted = store.db.execute("SELECT SUM(reports) FROM events").fetchone()[0]
    assert unplaced == 0 and counted == 5


def test_saving_a_report_again_keeps_its_event(store: ArticleStore) -> None:
    first = save(store, MEETING[0])
    save(store, MEETING[1])
    again = save(store, MEETING[0], flagged=0)
    assert again == first
    assert store.db.execute("SELECT reports, flagged FROM events WHERE id = ?", [first]).fetchone() == (2, 1)


def test_event_partners_are_the_union_and_flag_is_any_report(store: ArticleStore) -> None:
    event = save(store, MEETING[0], flagged=0, partners=("ES",))
    save(store, MEETING[1], flagged=1, partners=("ES", "EU"))
    partners, flagged = store.db.execute("SELECT partners, flagged FROM events WHERE id = ?", [event]).fetchone()
    assert json.loads(partners) == ["ES", "EU"] and flagged == 1


def test_a_near_verbatim_copy_joins_its_original_event(store: ArticleStore) -> None:
    from pipelines.dedupe import simhash

    url, source, lang, published_text, title, text = MEETING[1]
    published = datetime.fromisoformat(published_text)
    body = (text + " ") * 4
    original = store.save_article({"url": url, "source": source, "lang": lang, "title": title, "text": body,
                                   "published_at": published, "fetched_at": published}, simhash=simhash(body))
    copy_text = "Source : MAP. " + body
    copy = store.save_article({"url": "https://aggregator-example.ma/9", "source": "aggregator", "lang": "fr",
                               "title": "Sans titre", "text": copy_text, "published_at": published,
                               "fetched_at": published}, simhash=simhash(copy_text))
    assert copy.cluster_id == original.id and copy.event_id == original.event_id


def test_reprocess_regroups_when_the_rules_change_and_places_old_articles(store: ArticleStore) -> None:
    from pipelines.events import regroup

    for report in [*MEETING, OPERATION_NADOR]:
        save(store, report)
    # A database from before events, and events grouped by older rules.
    store.db.execute("UPDATE articles SET event_id = NULL WHERE url = ?", [OPERATION_NADOR[0]])
    store.db.execute("UPDATE events SET grouping_version = 'old'")
    assert regroup(store.db.conn) == 4
    rows = store.db.execute("SELECT url, event_id FROM articles").fetchall()
    events = {url: event for url, event in rows}
    assert len({events[r[0]] for r in MEETING}) == 1 and events[OPERATION_NADOR[0]] not in {events[MEETING[0][0]]}
    assert store.db.execute("SELECT COUNT(*), SUM(reports) FROM events").fetchone() == (2, 4)
    assert {v for (v,) in store.db.execute("SELECT grouping_version FROM events")} == {GROUPING_VERSION}
    assert regroup(store.db.conn) == 0, "nothing to do once every article is placed by the current rules"
