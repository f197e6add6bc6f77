"""The classifier itself: features, calibrated predictions, explanations, the split, versioned model files."""

from __future__ import annotations

import numpy as np
import pytest

from triage import classifier
from triage.tests.classify_fixtures import small_data


@pytest.fixture(scope="module")
def model():
    data = small_data()
    return classifier.fit(data.texts, data.labels, c_grid=(0.5, 1.0))


@pytest.fixture(scope="module")
def unseen():
    return small_data(per_class=40, offset=100)


def test_normalise_folds_width_case_digits_and_space():
    assert classifier.normalise("ＡＢＣ　路灯  坏了 2020年3月") == "abc 路灯 坏了 0年0月"


def test_the_same_text_always_hashes_to_the_same_buckets():
    a, n = classifier.char_buckets("小区路灯")
    b, _ = classifier.char_buckets("小区路灯")
    assert n == 4 and [len(x) for x in a] == [4, 3, 2]
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert int(max(x.max() for x in a)) < 1 << classifier.HASH_BITS


def test_trained_on_700_messages_it_classifies_unseen_ones(model, unseen):
    predicted = model.predict_labels(unseen.texts)
    accuracy = np.mean([p == t for p, t in zip(predicted, unseen.labels, strict=True)])
    assert sorted(model.labels) == sorted(set(unseen.labels)) and len(model.labels) == 7
    assert accuracy > 0.75
    assert model.meta["C"] in (0.5, 1.0) and set(model.meta["cv_macro_f1_by_C"]) == {0.5, 1.0}


def test_evaluation_labels_are_the_products_labels(model, unseen):
    assert model.predict_labels(unseen.texts) == [p.label for p in model.predict(unseen.texts)]


def test_probabilities_are_calibrated_per_message_and_the_label_is_the_most_likely(model, unseen):
    for p in model.predict(unseen.texts[:20]):
        assert abs(sum(p.probabilities.values()) - 1) < 1e-3
        assert p.label == max(p.probabilities, key=p.probabilities.__getitem__)
        assert 1 / 7 <= p.confidence <= 1


def test_the_explanation_names_words_of_the_text_that_weigh_for_the_chosen_class(model):
    text = "学校食堂饭菜质量差，老师不管，学生家长很担心孩子的教育和安全"
    p = model.predict([text], explain=5)[0]
    assert p.label == "教育文体"
    assert p.words and all(w["text"] in classifier.normalise(text) and w["weight"] > 0 for w in p.words)
    assert all(w["text"].isalnum() for w in p.words)  # no punctuation shown
    assert any(w["text"] in ("学校", "学生", "老师", "教育", "学") for w in p.words)
    tokens = classifier.words(classifier.normalise(text), keep_single=True)
    assert all(w["text"] in tokens for w in p.words)  # whole words, not n-grams across word boundaries
    weights = [w["weight"] for w in p.words]
    assert weights == sorted(weights, reverse=True) and len(set(w["text"] for w in p.words)) == len(p.words)


def test_empty_input_gives_no_predictions(model):
    assert model.predict([]) == [] and model.predict_labels([]) == []
    blank = model.predict(["  "], explain=5)[0]
    assert blank.label in model.labels and blank.words == []  # nothing in the text drove it
    assert model.explain("", 0) == []


def test_the_held_out_split_is_stratified_fixed_and_keeps_reposts_together():
    data = classifier.shipped_data()
    train, test = classifier.held_out_split(data)
    again, _ = classifier.held_out_split(data)
    assert np.array_equal(train, again) and len(test) / len(data.texts) == pytest.approx(0.2, abs=0.02)
    groups = np.array(data.groups)
    assert not set(groups[train]) & set(groups[test])
    labels = np.array(data.labels)
    for label in set(data.labels):
        share = (labels[test] == label).mean() / (labels == label).mean()
        assert share == pytest.approx(1, abs=0.1)


def test_models_are_versioned_and_current_points_to_the_newest(tmp_path, settings, model):
    settings.TRIAGE_MODEL_DIR = tmp_path
    classifier.forget_loaded()
    try:
        assert classifier.current_model() is None
        first = classifier.save(model, tmp_path)
        assert first.name == "classifier-v1.joblib" and classifier.current_model().version == 1
        loaded = classifier.current_model()
        assert classifier.current_model() is loaded  # loaded once per process
        second = classifier.save(model, tmp_path)
        assert second.name == "classifier-v2.joblib" and (tmp_path / "current").read_text().strip() == second.name
        assert classifier.current_model().version == 2 and classifier.versions(tmp_path) == [1, 2]
    finally:
        classifier.forget_loaded()


def test_a_file_that_is_not_a_model_of_this_format_is_refused(tmp_path):
    import joblib

    joblib.dump({"not": "a model"}, tmp_path / "classifier-v1.joblib")
    with pytest.raises(ValueError, match="triage_train"):
        classifier.load(tmp_path / "classifier-v1.joblib")


def test_a_broken_current_model_is_logged_and_intake_goes_on_without_suggestions(tmp_path, settings, caplog):
    settings.TRIAGE_MODEL_DIR = tmp_path
    (tmp_path / "classifier-v1.joblib").write_bytes(b"truncated")
    (tmp_path / "current").write_text("classifier-v1.joblib\n")
    classifier.forget_loaded()
    try:
        assert classifier.current_model() is None
        assert "cannot be read" in caplog.text
    finally:
        classifier.forget_loaded()
