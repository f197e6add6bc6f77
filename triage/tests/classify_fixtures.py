"""A small classifier for the classification tests: trained once per test module on 700 shipped messages (100 of
each first-level category), stored in a temporary TRIAGE_MODEL_DIR."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.test import override_settings

from triage import classifier

PER_CLASS = 100


def small_data(per_class: int = PER_CLASS, offset: int = 0) -> classifier.Dataset:
    data = classifier.shipped_data()
    taken: dict[str, int] = defaultdict(int)
    out = classifier.Dataset([], [], [])
    for text, label, group in zip(data.texts, data.labels, data.groups, strict=True):
        taken[label] += 1
        if offset < taken[label] <= offset + per_class:
            out.texts.append(text)
            out.labels.append(label)
            out.groups.append(group)
    return out


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A temporary model folder with a small trained model (v1); the settings point there for the module."""
    folder = tmp_path_factory.mktemp("triage-model")
    with override_settings(TRIAGE_MODEL_DIR=folder):
        data = small_data()
        classifier.save(classifier.fit(data.texts, data.labels, c_grid=(1.0,)), folder)
        classifier.forget_loaded()
        yield folder
    classifier.forget_loaded()


@pytest.fixture
def no_model(tmp_path, settings):
    settings.TRIAGE_MODEL_DIR = tmp_path / "none"
    classifier.forget_loaded()
    yield
    classifier.forget_loaded()


@pytest.fixture
def small_shipped(monkeypatch):
    """triage_train / triage_eval on the small set instead of all 6,023 messages (fast tests)."""
    data = small_data()
    monkeypatch.setattr(
        classifier, "shipped_data", lambda path=None: classifier.Dataset(data.texts[:], data.labels[:], data.groups[:])
    )
    return data
