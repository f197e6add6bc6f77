"""The message classifier (S7): free Chinese text → first-level category, with a calibrated confidence and the
character n-grams (and jieba words) that drove the decision.

Features are hashed character 1–3-grams and jieba words, counted with numpy (sklearn's Python analyzers manage
~1,800 messages/s; this ~10× more), kept only where they occur in at least `min_df` training messages, weighted by
sublinear TF-IDF and L2-normalised. The model is NBSVM: one LinearSVC per class on the features scaled by that
class's naive-Bayes log-count ratio (C chosen by cross-validation on the training messages only), with sigmoid
calibration of the out-of-fold decisions, stored compactly as arrays: weights (the scaling folded in), intercepts
and the calibration slope/offset of each class.

The shipped data (triage/data/labelled_messages.csv) has only first-level labels; the category tree's lower levels
have no labelled examples, so the classifier predicts the first level only.

Model files are versioned: `<TRIAGE_MODEL_DIR>/classifier-v<N>.joblib`, and `current` names the one in use.
`current_model()` loads it once per process and reloads when `current` points to a newer file.
"""

from __future__ import annotations

import csv
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

log = logging.getLogger(__name__)
DATA_FILE = Path(__file__).resolve().parent / "data" / "labelled_messages.csv"
FORMAT = 1  # layout of the stored arrays; a model of another format is retrained, not loaded
HASH_BITS = 22
SEED = 42
C_GRID = (1.0, 2.0, 4.0, 8.0)
MIN_DF = 3
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_PRIME = np.uint64(1000003)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """Full-width ASCII → half-width, lower case, every digit run as one 0, whitespace as one space."""
    text = (text or "").translate(_FULL_WIDTH).lower()
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()


def message_text(title: str, text: str) -> str:
    title, text = (title or "").strip(), (text or "").strip()
    return f"{title}\n{text}" if title and not text.startswith(title) else text or title


# --- features --------------------------------------------------------------------------------------------------------


def _mix(h: np.ndarray, n: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return ((h * _PRIME + np.uint64(n)) * _GOLDEN) >> np.uint64(64 - HASH_BITS)


def char_buckets(text: str) -> tuple[list[np.ndarray], int]:
    """Hash buckets of the character 1-, 2- and 3-grams of normalised `text`, in position order per n."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64) + np.uint64(1)
    out = []
    with np.errstate(over="ignore"):
        h = codes
        for n in (1, 2, 3):
            if n > 1:
                h = h[:-1] * _PRIME + codes[n - 1 :]
            if len(h) == 0:
                break
            out.append(_mix(h, n))
    return out, len(codes)


_jieba_lock = threading.Lock()
_jieba_ready = False


def words(text: str, keep_single: bool = False) -> list[str]:
    """jieba words (dictionary only, no HMM); of two or more characters unless keep_single (single characters are
    features already as character unigrams), which keeps every token so that they tile the text."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(60)
                jieba.initialize()
                _jieba_ready = True
    tokens = jieba.lcut(text, HMM=False)
    return tokens if keep_single else [w for w in tokens if len(w) > 1 and not w.isspace()]


def word_buckets(tokens: Sequence[str]) -> np.ndarray:
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    return _mix(np.array([zlib.crc32(w.encode()) for w in tokens], dtype=np.uint64), 9)


def buckets(text: str, use_words: bool) -> np.ndarray:
    parts, _ = char_buckets(text)
    if use_words:
        parts.append(word_buckets(words(text)))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def count_matrix(texts: Iterable[str], use_words: bool, tick: Callable[[int], None] | None = None) -> sparse.csr_matrix:
    """Bucket counts (rows = normalised texts, columns = 2**HASH_BITS buckets), each row's buckets unique."""
    indptr, indices, counts = [0], [], []
    for n, text in enumerate(texts, start=1):
        b, c = np.unique(buckets(text, use_words), return_counts=True)
        indices.append(b)
        counts.append(c)
        indptr.append(indptr[-1] + len(b))
        if tick and n % 500 == 0:
            tick(500)
    cols = np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, dtype=np.int32)
    data = np.concatenate(counts).astype(np.float32) if counts else np.zeros(0, dtype=np.float32)
    return sparse.csr_matrix((data, cols, np.array(indptr)), shape=(len(indptr) - 1, 1 << HASH_BITS))


@dataclass
class Features:
    """Bucket → column of the kept features, their IDF, and whether jieba words are used."""

    column: np.ndarray  # int32, one per bucket, -1 when not kept
    idf: np.ndarray  # float32, one per column
    use_words: bool

    @classmethod
    def fit(cls, counts: sparse.csr_matrix, use_words: bool, min_df: int = 2) -> Features:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero(df >= min_df)
        column = np.full(counts.shape[1], -1, dtype=np.int32)
        column[kept] = np.arange(len(kept), dtype=np.int32)
        idf = (np.log((1 + counts.shape[0]) / (1 + df[kept])) + 1).astype(np.float32)
        return cls(column, idf, use_words)

    @property
    def size(self) -> int:
        return len(self.idf)

    def weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Counts over buckets → L2-normalised sublinear TF-IDF over kept columns."""
        n = counts.shape[0]
        rows = np.repeat(np.arange(n), np.diff(counts.indptr))
        cols = self.column[counts.indices]
        keep = cols >= 0
        rows, cols = rows[keep], cols[keep]
        values = (1 + np.log(counts.data[keep])) * self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=n))
        norms[norms == 0] = 1
        values = (values / norms[rows]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
        return sparse.csr_matrix((values, cols, indptr), shape=(n, self.size))

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        return self.weigh(count_matrix((normalise(t) for t in texts), self.use_words))


# --- model -----------------------------------------------------------------------------------------------------------


@dataclass
class Prediction:
    label: str
    confidence: float
    words: list[dict[str, Any]] = field(default_factory=list)  # [{"text": "路灯", "weight": 0.12}, …]
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    version: int
    labels: list[str]
    features: Features
    coef: np.ndarray  # float32 (classes × columns)
    intercept: np.ndarray  # float64 (classes)
    cal_a: np.ndarray  # sigmoid calibration per class: p = 1 / (1 + exp(a·d + b))
    cal_b: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_coef_t"}  # derived: not in the model file

    def decision(self, x: sparse.csr_matrix) -> np.ndarray:
        # (columns × classes), C-contiguous, made once: multiplying by coef.T would copy the whole matrix per call
        coef_t = self.__dict__.get("_coef_t")
        if coef_t is None:
            coef_t = self.__dict__["_coef_t"] = np.ascontiguousarray(self.coef.T)
        return np.asarray(x @ coef_t) + self.intercept

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        d = self.decision(x)
        p = 1.0 / (1.0 + np.exp(self.cal_a * d + self.cal_b))
        total = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / p.shape[1])
        return np.where(total > 0, p / np.where(total > 0, total, 1), uniform)

    def predict_labels(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        # the most probable class after calibration, as predict() and the product decide
        return [self.labels[i] for i in self.probabilities(self.features.transform(texts)).argmax(axis=1)]

    def predict(self, texts: Sequence[str], explain: int = 0) -> list[Prediction]:
        """Label, calibrated confidence and (explain > 0) the `explain` n-grams/words that weighed most for it."""
        if not texts:
            return []
        x = self.features.transform(texts)
        proba = self.probabilities(x)
        best = proba.argmax(axis=1)
        out = []
        for i, k in enumerate(best):
            out.append(
                Prediction(
                    label=self.labels[k],
                    confidence=float(proba[i, k]),
                    words=self.explain(texts[i], int(k), explain, row=x[i]) if explain else [],
                    probabilities={label: round(float(p), 4) for label, p in zip(self.labels, proba[i], strict=True)},
                )
            )
        return out

    def explain(self, text: str, k: int, top: int = 8, row: sparse.csr_matrix | None = None) -> list[dict[str, Any]]:
        """The words of the text (jieba) that weigh most for class k: each word scores the contributions
        (tf-idf × weight) of the distinct n-grams inside it; n-grams across a word boundary count for no word.
        `row`: the text's features when already computed."""
        norm = normalise(text)
        x = row if row is not None else self.features.weigh(count_matrix([norm], self.features.use_words))
        if not norm or x.nnz == 0:
            return []
        contrib = np.zeros(self.features.size + 1, dtype=np.float64)  # last slot: features not kept
        contrib[x.indices] = x.data * self.coef[k, x.indices]
        tokens = words(norm, keep_single=True)
        lengths = np.array([len(t) for t in tokens])
        word_at = np.repeat(np.arange(len(tokens)), lengths)  # character position → word index
        ids = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
        word_id = np.array([ids[t] for t in tokens])
        pairs = []
        parts, _ = char_buckets(norm)
        for n, hashed in enumerate(parts, start=1):
            cols = self.features.column[hashed]
            start = np.arange(len(cols))
            inside = (word_at[start] == word_at[start + n - 1]) & (cols >= 0)
            pairs.append(word_id[word_at[start[inside]]].astype(np.int64) * (self.features.size + 1) + cols[inside])
        if self.features.use_words:
            cols = self.features.column[word_buckets(tokens)]
            pairs.append(word_id[cols >= 0].astype(np.int64) * (self.features.size + 1) + cols[cols >= 0])
        distinct = np.unique(np.concatenate(pairs)) if pairs else np.zeros(0, dtype=np.int64)
        score = np.bincount(distinct // (self.features.size + 1), weights=contrib[distinct % (self.features.size + 1)])
        names = list(ids)
        picked: list[dict[str, Any]] = []
        order = np.argsort(-score)
        floor = 0.05 * score[order[0]] if len(order) else 0  # leave out words that hardly count
        for i in order:
            if score[i] <= max(floor, 0) or len(picked) >= top:
                break
            if names[i].isalnum():  # no punctuation
                picked.append({"text": names[i], "weight": round(float(score[i]), 4)})
        return picked

    @property
    def name(self) -> str:
        return f"v{self.version}"


def _nb_svm(x: sparse.csr_matrix, y: np.ndarray, labels: list[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest LinearSVCs on features scaled by each class's naive-Bayes log-count ratio (NBSVM, Wang & Manning
    2012); the scaling folds into the weights, so the result is a plain linear model: (weights, intercepts)."""
    from sklearn.svm import LinearSVC

    present = x.copy()
    present.data[:] = 1
    coef = np.zeros((len(labels), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(labels))
    for k, label in enumerate(labels):
        positive = y == label
        p = 1 + np.asarray(present[positive].sum(axis=0)).ravel()
        q = 1 + np.asarray(present[~positive].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        svc = LinearSVC(C=c, random_state=SEED).fit(x @ sparse.diags(ratio), positive)
        coef[k] = svc.coef_.ravel() * ratio
        intercept[k] = svc.intercept_[0]
    return coef, intercept


def _sigmoid(decision: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """Platt scaling of one class's out-of-fold decisions: p = 1 / (1 + exp(a·d + b))."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4).fit(decision.reshape(-1, 1), positive)
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    version: int = 0,
    use_words: bool = False,
    c_grid: Sequence[float] = C_GRID,
    min_df: int = MIN_DF,
    progress: Callable[[str, int], None] | None = None,
) -> Model:
    """Train on `texts`/`labels`. C is picked by 3-fold stratified CV on these messages alone (macro-F1); the
    out-of-fold decisions of the chosen C calibrate the probabilities (sigmoid per class)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    started = time.monotonic()
    y = np.asarray(labels)
    classes = sorted(set(labels))
    counts = count_matrix(
        (normalise(t) for t in texts), use_words, tick=(lambda n: progress("features", n)) if progress else None
    )
    features = Features.fit(counts, use_words, min_df)
    x = features.weigh(counts)
    if progress:
        progress("features", len(texts) % 500)
    folds = list(StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))
    scores: dict[float, float] = {}
    decisions: dict[float, np.ndarray] = {}
    for c in c_grid:
        d = np.zeros((len(y), len(classes)))
        for tr, te in folds:
            coef, intercept = _nb_svm(x[tr], y[tr], classes, c)
            d[te] = np.asarray(x[te] @ coef.T) + intercept
        decisions[c] = d
        scores[c] = float(f1_score(y, np.array(classes)[d.argmax(axis=1)], average="macro"))
        if progress:
            progress("tune", 1)
    best_c = max(scores, key=lambda c: scores[c])
    cal = [_sigmoid(decisions[best_c][:, k], y == label) for k, label in enumerate(classes)]
    coef, intercept = _nb_svm(x, y, classes, best_c)
    if progress:
        progress("fit", 1)
    return Model(
        version=version,
        labels=classes,
        features=features,
        coef=coef,
        intercept=intercept,
        cal_a=np.array([a for a, _ in cal]),
        cal_b=np.array([b for _, b in cal]),
        meta={
            "C": best_c,
            "cv_macro_f1_by_C": scores if len(c_grid) > 1 else {},
            "messages": len(texts),
            "features": features.size,
            "use_words": use_words,
            "train_seconds": round(time.monotonic() - started, 2),
        },
    )


# --- data ------------------------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    texts: list[str]
    labels: list[str]
    groups: list[str]


def shipped_data(path: Path = DATA_FILE) -> Dataset:
    texts, labels, groups = [], [], []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = message_text(row.get("title", ""), row.get("text", ""))
            if text and row.get("label"):
                texts.append(text)
                labels.append(row["label"].strip())
                groups.append(row.get("group_id") or row["id"])
    return Dataset(texts, labels, groups)


def held_out_split(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation split: 80 / 20, stratified by label, reposts of one message (group_id) on one side, seed 42."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
    train, test = next(folds.split(data.texts, data.labels, data.groups))
    return train, test


def cv_splits(data: Dataset, n: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedGroupKFold

    return list(
        StratifiedGroupKFold(n_splits=n, shuffle=True, random_state=SEED).split(data.texts, data.labels, data.groups)
    )


# --- storage ---------------------------------------------------------------------------------------------------------

_FILE = re.compile(r"^classifier-v(\d+)\.joblib$")


def model_dir() -> Path:
    from django.conf import settings

    return Path(settings.TRIAGE_MODEL_DIR)


def versions(folder: Path | None = None) -> list[int]:
    folder = folder or model_dir()
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _FILE.match(p.name)))


def path_of(version: int, folder: Path | None = None) -> Path:
    return (folder or model_dir()) / f"classifier-v{version}.joblib"


def save(model: Model, folder: Path | None = None) -> Path:
    """Write the model as the next version and point `current` at it (atomically: write, then rename)."""
    import joblib

    folder = folder or model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    model.version = (max(versions(folder)) if versions(folder) else 0) + 1
    path = path_of(model.version, folder)
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    tmp.rename(path)
    pointer = folder / "current.tmp"
    pointer.write_text(f"{path.name}\n", encoding="utf-8")
    pointer.rename(folder / "current")
    _loaded["checked"] = 0.0  # this process sees the new version at once
    return path


def current_path(folder: Path | None = None) -> Path | None:
    folder = folder or model_dir()
    try:
        name = (folder / "current").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = folder / name
    return path if _FILE.match(name) and path.exists() else None


def load(path: Path) -> Model:
    import joblib

    try:
        model = joblib.load(path)
    except Exception as exc:  # a truncated or foreign file: any unpickling error
        raise ValueError(f"{path} cannot be read ({type(exc).__name__}); run manage.py triage_train") from exc
    if not isinstance(model, Model) or model.format != FORMAT:
        raise ValueError(f"{path} is not a classifier of format {FORMAT}; run manage.py triage_train")
    return model


_loaded: dict[str, Any] = {"path": None, "mtime": None, "model": None, "checked": 0.0}
_load_lock = threading.Lock()
RECHECK_SECONDS = 5.0


def current_model() -> Model | None:
    """The model `current` names, loaded once per process; a newer `current` (a retrain) is picked up within
    RECHECK_SECONDS. None when no model has been trained."""
    now, folder = time.monotonic(), model_dir()
    fresh = now - _loaded["checked"] < RECHECK_SECONDS and folder == _loaded.get("dir")
    if fresh and (_loaded["model"] is not None or _loaded.get("missing")):
        return _loaded["model"]
    with _load_lock:
        _loaded.update(checked=now, dir=folder, missing=False)
        path = current_path(folder)
        if path is None:
            _loaded.update(path=None, mtime=None, model=None, missing=True)
            return None
        mtime = path.stat().st_mtime
        if path != _loaded["path"] or mtime != _loaded["mtime"]:
            try:
                model = load(path)
            except ValueError as exc:  # intake goes on without suggestions rather than failing
                log.error("triage classifier not loaded: %s", exc)
                _loaded.update(path=None, mtime=None, model=None, missing=True)
                return None
            _loaded.update(path=path, mtime=mtime, model=model)
            words("预热")  # load jieba's dictionary now (explanations use it), not during the first intake
        return _loaded["model"]


def forget_loaded() -> None:
    """Drop the cached model (tests that switch TRIAGE_MODEL_DIR)."""
    _loaded.update(path=None, mtime=None, model=None, checked=0.0, dir=None, missing=False)
