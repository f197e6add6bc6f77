"""Evaluation of the classifier on the shipped data: the held-out split (fixed seed) and k-fold cross-validation.
Hyper-parameters are tuned inside each training part only (classifier.fit); the test part is never looked at."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from triage import classifier


@dataclass
class Report:
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]  # label → precision, recall, f1, support
    confusion: list[list[int]]  # rows: true label, columns: predicted, in `labels` order
    train_seconds: float
    throughput: float  # messages/s classified (features + model), one process
    model_mb: float
    n_train: int
    n_test: int
    baseline_macro_f1: float | None = None
    cv_f1: list[float] = field(default_factory=list)

    @property
    def cv_mean(self) -> float:
        return statistics.mean(self.cv_f1) if self.cv_f1 else float("nan")

    @property
    def cv_sd(self) -> float:
        return statistics.stdev(self.cv_f1) if len(self.cv_f1) > 1 else 0.0


def _scores(truth: list[str], predicted: list[str], labels: list[str]):
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per_class = {
        label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    return (
        float(accuracy_score(truth, predicted)),
        float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        per_class,
        confusion_matrix(truth, predicted, labels=labels).tolist(),
    )


def model_size_mb(model: classifier.Model) -> float:
    import tempfile
    from pathlib import Path

    import joblib

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.joblib"
        joblib.dump(model, path, compress=3)
        return path.stat().st_size / 1e6


def baseline_f1(
    train_texts: list[str], train_labels: list[str], test_texts: list[str], test_labels: list[str]
) -> float:
    """A simple reference on the same split: sklearn's word-less TF-IDF (char 1–2-grams) + multinomial naive Bayes."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.naive_bayes import ComplementNB

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    nb = ComplementNB(alpha=0.3).fit(vec.fit_transform(train_texts), train_labels)
    return float(f1_score(test_labels, nb.predict(vec.transform(test_texts)), average="macro"))


def evaluate(
    *,
    folds: int = 5,
    use_words: bool = False,
    baseline: bool = False,
    progress: Callable[[str, int], None] | None = None,
    data: classifier.Dataset | None = None,
) -> Report:
    data = data or classifier.shipped_data()
    texts, labels = data.texts, data.labels
    train, test = classifier.held_out_split(data)
    tr_texts, tr_labels = [texts[i] for i in train], [labels[i] for i in train]
    te_texts, te_labels = [texts[i] for i in test], [labels[i] for i in test]
    started = time.monotonic()
    model = classifier.fit(tr_texts, tr_labels, use_words=use_words)
    train_seconds = time.monotonic() - started
    if progress:
        progress("held-out", 1)
    started = time.monotonic()
    predicted = model.predict_labels(te_texts)
    throughput = len(te_texts) / max(time.monotonic() - started, 1e-9)
    accuracy, macro, per_class, confusion = _scores(te_labels, predicted, model.labels)
    report = Report(
        labels=model.labels,
        accuracy=accuracy,
        macro_f1=macro,
        per_class=per_class,
        confusion=confusion,
        train_seconds=train_seconds,
        throughput=throughput,
        model_mb=model_size_mb(model),
        n_train=len(train),
        n_test=len(test),
        baseline_macro_f1=baseline_f1(tr_texts, tr_labels, te_texts, te_labels) if baseline else None,
    )
    for tr, te in classifier.cv_splits(data, folds) if folds > 1 else []:
        m = classifier.fit([texts[i] for i in tr], [labels[i] for i in tr], use_words=use_words)
        truth = [labels[i] for i in te]
        report.cv_f1.append(_scores(truth, m.predict_labels([texts[i] for i in te]), m.labels)[1])
        if progress:
            progress("cv", 1)
    return report


def throughput_of(model: classifier.Model, texts: list[str], batch: int = 1000) -> float:
    started = time.monotonic()
    for i in range(0, len(texts), batch):
        model.predict(texts[i : i + batch])
    return len(texts) / max(time.monotonic() - started, 1e-9)
