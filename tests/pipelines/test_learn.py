"""`newsmon learn` on a real database: gated by cross-validation, re-scores articles without feedback, explains itself."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines.feedback import record_feedback
from pipelines.learn import LearnError, learn
from pipelines.store import ArticleStore, open_database

# Analysts here care about olive-oil fraud stories the rules never flag: a
# systematic miss that wording can teach, unlike anything the rules know.
OLIVE = "مراقبة جودة زيت الزيتون في معاصر {city}: حجز كميات مغشوشة من زيت الزيتون وتحرير محاضر للمخالفين."
WEATHER = "نشرة جوية: أمطار رعدية مرتقبة بمدينة {city} مع انخفاض في درجات الحرارة ورياح قوية."
CITIES = ["فاس", "مكناس", "تازة", "وجدة", "بني ملال", "خريبكة", "سطات", "آسفي", "الجديدة", "أكادير", "تزنيت",
          "ورزازات", "الراشيدية", "الحسيمة"]


def save(store: ArticleStore, url: str, text: str, flagged: int = 0) -> int:
    return store.save_article({
        "url": url, "source": "site", "lang": "ar", "title": text.split(":")[0], "text": text * 2,
        "fetched_at": datetime.now(timezone.utc), "flagged": flagged, "score": 0.9 if flagged else 0.02,
        "partners": [], "reasons": [] if flagged else ["no foreign partner named"], "classifier_version": "test",
    }).id


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(open_database(tmp_path / "news.db"))


def test_a_model_that_beats_the_rules_flags_unjudged_lookalikes_and_says_why(store: ArticleStore) -> None:
    for i, city in enumerate(CITIES[:12]):
        olive = save(store, f"https://a.ma/olive-{i}", OLIVE.format(city=city))
        weather = save(store, f"https://a.ma/weather-{i}", WEATHER.format(city=city))
        record_feedback(store.db.conn, [olive], verdict="relevant", who="amina", via="web")
        record_feedback(store.db.conn, [weather], verdict="not_relevant", who="amina", via="web")
    unseen_olive = save(store, "https://a.ma/olive-new", OLIVE.format(city=CITIES[12]))
    unseen_weather = save(store, "https://a.ma/weather-new", WEATHER.format(city=CITIES[13]))
    result = learn(store.db.conn)
    assert result.active and result.cv_f1_rules == 0.0 and result.cv_f1_learned > 0.9
    rows = dict(store.db.execute("SELECT id, flagged || verdict_by FROM articles WHERE id IN (?, ?)",
                                 [unseen_olive, unseen_weather]).fetchall())
    assert rows == {unseen_olive: "1learned", unseen_weather: "0learned"}
    (reasons,) = store.db.execute("SELECT learned_reasons FROM articles WHERE id = ?", [unseen_olive]).fetchone()
    assert "learned model #1: p=" in reasons and "«" in reasons  # the n-grams that moved it
    # analysts' own verdicts are untouched
    assert store.db.execute("SELECT DISTINCT verdict_by FROM articles a JOIN feedback f ON f.article_id = a.id"
                            ).fetchall() == [("analyst",)]


def test_a_model_that_does_not_beat_the_rules_is_kept_but_not_used(store: ArticleStore) -> None:
    for i, city in enumerate(CITIES[:6]):  # the rules already get every one right
        olive = save(store, f"https://a.ma/olive-{i}", OLIVE.format(city=city), flagged=1)
        weather = save(store, f"https://a.ma/weather-{i}", WEATHER.format(city=city))
        record_feedback(store.db.conn, [olive], verdict="relevant", who="a", via="web")
        record_feedback(store.db.conn, [weather], verdict="not_relevant", who="a", via="web")
    unseen = save(store, "https://a.ma/olive-new", OLIVE.format(city=CITIES[12]))
    result = learn(store.db.conn)
    assert result.cv_f1_rules == 1.0 and not result.active
    assert store.db.execute("SELECT flagged, verdict_by, learned_score FROM articles WHERE id = ?",
                            [unseen]).fetchone() == (0, "rules", None)
    assert store.db.execute("SELECT count(*), sum(active) FROM models").fetchone() == (1, 0)


def test_too_little_feedback_is_one_line(store: ArticleStore) -> None:
    article = save(store, "https://a.ma/1", OLIVE.format(city="فاس"))
    record_feedback(store.db.conn, [article], verdict="relevant", who="a", via="web")
    with pytest.raises(LearnError, match=r"^not enough feedback to learn from: 1 verdict\(s\), 1 relevant"):
        learn(store.db.conn)
