"""Throughput of pipelines.classify.classify on one core, and its cost per KB.

Articles are assembled from sentences written for this benchmark in Arabic,
French and English (cooperation stories, local crime, sport, economy), 1-3 KB
each like real news excerpts, with a fixed seed so runs are comparable. The
vocabulary load happens once, before timing, as it does in a crawl.

The scaling table times single texts from 1 KB to 500 KB in the worst shape
real pages take: one line with no full stop (scraped Arabic pages use few),
every sentence naming several parties. Time per KB must stay flat: the
classifier is linear in the text.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.classify import classify  # noqa: E402

PASSES = 5
ARTICLES = 400

SENTENCES = {
    "ar": [
        "استقبل المدير العام للأمن الوطني ولمراقبة التراب الوطني بالرباط نظيره الإسباني على رأس وفد أمني.",
        "وتناولت المباحثات سبل تعزيز التعاون الأمني الثنائي وتبادل المعلومات حول التهديدات الإرهابية.",
        "تمكنت عناصر الشرطة القضائية بمدينة فاس من توقيف ثلاثة أشخاص للاشتباه في تورطهم في السرقة.",
        "وقع المغرب وألمانيا مذكرة تفاهم في مجال مكافحة الجريمة السيبرانية والهجرة غير النظامية.",
        "فاز المنتخب المغربي على نظيره المالي بهدفين دون رد في مباراة ودية بملعب طنجة.",
        "ارتفعت المبادلات التجارية بين البلدين بنسبة عشرة في المائة خلال السنة الماضية.",
        "وشارك وفد مغربي في أشغال الجمعية العامة للأنتربول إلى جانب ممثلي مجلس وزراء الداخلية العرب.",
        "سلمت السلطات المغربية إلى فرنسا مطلوبا بموجب مذكرة بحث دولية في قضية تهريب المخدرات.",
    ],
    "fr": [
        "La DGST a démantelé une cellule terroriste en coordination avec la police espagnole.",
        "Le ministre de l'Intérieur a reçu son homologue portugais pour évoquer la sécurité de la Coupe du monde 2030.",
        "Les éléments de la Sûreté nationale ont interpellé deux suspects à Casablanca pour vol avec violence.",
        "Les échanges commerciaux entre le Maroc et la France ont atteint un niveau record cette année.",
        "Les Forces armées royales et l'armée américaine ont lancé l'exercice conjoint African Lion.",
        "Le Maroc a extradé vers la Belgique un trafiquant visé par un mandat d'arrêt international.",
        "La sélection nationale a battu le Sénégal en match amical devant un public enthousiaste.",
        "La DGSN a célébré l'anniversaire de sa création par des journées portes ouvertes.",
    ],
    "en": [
        "Morocco's DGSN signed a memorandum of understanding with Europol on information sharing.",
        "Police in Marrakech arrested a man suspected of fraud, the General Directorate said.",
        "The Royal Moroccan Armed Forces hosted US and Senegalese troops for a joint military exercise.",
        "Tourism revenue rose sharply as visitors from Spain and the United Kingdom increased.",
        "Moroccan and Spanish security services dismantled a jihadist cell operating in Ceuta and Fnideq.",
        "The interior minister met his Italian counterpart to discuss irregular migration and border control.",
        "The national team drew with Egypt in a friendly match played in Rabat on Saturday.",
        "Officials from the FBI observed security arrangements for the Africa Cup of Nations in Morocco.",
    ],
}


def make_articles(count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        lang = ("ar", "fr", "en")[i % 3]
        pool = SENTENCES[lang]
        target = rng.randint(1000, 3000)
        body: list[str] = []
        while sum(len(s.encode()) + 1 for s in body) < target:
            body.append(rng.choice(pool))
        articles.append((rng.choice(pool)[:80], " ".join(body), lang))
    return articles


SCALING_KB = (1, 10, 50, 100, 500)


def scaling() -> None:
    """CPU time per KB for one unpunctuated text of each size (best of three)."""
    pool = [s.rstrip(".") for lang in ("ar", "fr", "en") for s in SENTENCES[lang]]
    print(f"{'size':>8}{'seconds':>10}{'ms/KB':>8}")
    for kb in SCALING_KB:
        words: list[str] = []
        size, i = 0, 0
        while size < kb * 1024:
            sentence = pool[i % len(pool)]
            words.append(sentence)
            size += len(sentence.encode()) + 1
            i += 1
        text = " ".join(words)  # no full stop, no line break
        best = min(_timed(text) for _ in range(3))
        print(f"{kb:>6} KB{best:>10.3f}{best * 1000 / kb:>8.2f}")


def _timed(text: str) -> float:
    started = time.process_time()
    classify("", text)
    return time.process_time() - started


def main() -> int:
    articles = make_articles(ARTICLES)
    mean_kb = sum(len((t + x).encode()) for t, x, _ in articles) / len(articles) / 1024
    started = time.perf_counter()
    classify(*articles[0])
    print(f"warm-up (vocabulary load): {time.perf_counter() - started:.2f} s")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(PASSES):
        for title, text, lang in articles:
            classify(title, text, lang)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    count = PASSES * len(articles)
    # CPU time is what one core spends; wall time also counts the waits of a
    # machine shared with other work
    print(f"classify: {count / cpu:.0f} articles per CPU-second on one core, "
          f"{count / elapsed:.0f} articles/s wall clock (mean {mean_kb:.1f} KB)")
    scaling()
    return 0


if __name__ == "__main__":
    sys.exit(main())
