"""The message classifier (issue 5) on the shipped data (triage/data/labelled_messages.csv, 6,023 messages, 7
first-level categories): macro-F1 on the held-out 20 % (stratified, reposts kept together, seed 42) and 5-fold CV,
training time of the production model (all messages, C tuned by CV), classification throughput, the cost of one
suggestion with its explanation at intake, and the model file size.

Ceilings (same run): for macro-F1, the textbook pipeline trained and tested on the same split, sklearn's
TfidfVectorizer on jieba words + character 1–3-grams with a LinearSVC (C=0.3, balanced); for throughput, the
feature extraction alone (hashing + TF-IDF), i.e. what classifying costs before the model. Runs in memory.
`--quick` leaves out the 5-fold CV.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import emit, setup_django

TARGET_F1, TARGET_TRAIN_S, TARGET_RATE, TARGET_MB, TARGET_SUGGEST_MS = 0.92, 120, 5000, 50, 5


def reference_f1(tr_texts, tr_labels, te_texts, te_labels) -> float:
    import jieba
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)

    def cut(texts):
        return [" ".join(jieba.lcut(t)) for t in texts]

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=2)
    x = sparse.hstack([chars.fit_transform(tr_texts), words.fit_transform(cut(tr_texts))]).tocsr()
    y = sparse.hstack([chars.transform(te_texts), words.transform(cut(te_texts))]).tocsr()
    svc = LinearSVC(C=0.3, class_weight="balanced", random_state=42).fit(x, tr_labels)
    return float(f1_score(te_labels, svc.predict(y), average="macro"))


def main(quick: bool) -> None:
    setup_django()
    from django.conf import settings

    from triage import classifier
    from triage.evaluation import _scores, model_size_mb

    data = classifier.shipped_data()
    train, test = classifier.held_out_split(data)
    tr_texts, tr_labels = [data.texts[i] for i in train], [data.labels[i] for i in train]
    te_texts, te_labels = [data.texts[i] for i in test], [data.labels[i] for i in test]
    words = settings.TRIAGE_USE_WORDS  # as the product trains (off by default: see TRIAGE_USE_WORDS)
    model = classifier.fit(tr_texts, tr_labels, use_words=words)
    accuracy, macro, _, _ = _scores(te_labels, model.predict_labels(te_texts), model.labels)
    reference = reference_f1(tr_texts, tr_labels, te_texts, te_labels)
    emit("triage", "macro_f1_held_out", macro, "F1", target=TARGET_F1, ceiling=reference, db=None)
    emit("triage", "accuracy_held_out", accuracy, "share", target=None, ceiling=None, db=None)
    if not quick:
        scores = []
        for tr, te in classifier.cv_splits(data, 5):
            m = classifier.fit([data.texts[i] for i in tr], [data.labels[i] for i in tr], use_words=words)
            truth = [data.labels[i] for i in te]
            scores.append(_scores(truth, m.predict_labels([data.texts[i] for i in te]), m.labels)[1])
        emit("triage", "macro_f1_cv5_mean", statistics.mean(scores), "F1", target=TARGET_F1, ceiling=None, db=None)
        emit("triage", "macro_f1_cv5_sd", statistics.stdev(scores), "F1", target=None, ceiling=None, db=None)

    started = time.perf_counter()
    production = classifier.fit(data.texts, data.labels, use_words=words)
    train_seconds = time.perf_counter() - started
    emit("triage", "train_seconds", train_seconds, "s", target=TARGET_TRAIN_S, ceiling=None, db=None)

    texts = data.texts
    started = time.perf_counter()
    for i in range(0, len(texts), 1000):
        production.features.transform(texts[i : i + 1000])
    features_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(0, len(texts), 1000):
        production.predict(texts[i : i + 1000])
    rate = len(texts) / (time.perf_counter() - started)
    emit("triage", "throughput", rate, "messages/s", target=TARGET_RATE, ceiling=features_rate, db=None)

    timings = []
    for text in te_texts[:500]:
        started = time.perf_counter()
        production.predict([text], explain=8)
        timings.append((time.perf_counter() - started) * 1000)
    median, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[-1]
    emit("triage", "suggest_with_words_ms_median", median, "ms", target=TARGET_SUGGEST_MS, ceiling=None, db=None)
    emit("triage", "suggest_with_words_ms_p95", p95, "ms", target=TARGET_SUGGEST_MS, ceiling=None, db=None)

    with tempfile.TemporaryDirectory() as tmp:
        size = classifier.save(production, Path(tmp)).stat().st_size / 1e6
    assert abs(size - model_size_mb(production)) < 0.5
    emit("triage", "model_mb", size, "MB", target=TARGET_MB, ceiling=None, db=None)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
