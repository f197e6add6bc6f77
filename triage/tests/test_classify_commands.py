"""manage.py triage_train / triage_eval / triage_classify: output, CSV in and out, bad input named by row."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from cases.categories import build_categories
from territory.models import Department, Division
from triage import classifier
from triage.tests.classify_fixtures import model_dir, no_model, small_shipped  # noqa: F401

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, verbosity=0)
    return out.getvalue()


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def tree():
    district = Division.objects.create(code="990100", name="测试区", level="district")
    zjj = Department.objects.create(code="test-zjj", name="区住建局", division=district)
    build_categories(departments=[zjj], acting_user="test")
    return zjj


@pytest.mark.usefixtures("small_shipped")
def test_train_writes_the_next_version_and_if_missing_keeps_it(tmp_path, settings):
    settings.TRIAGE_MODEL_DIR = tmp_path
    classifier.forget_loaded()
    try:
        out = run("triage_train")
        assert "classifier v1:" in out and "700 messages (0 staff corrections)" in out and " MB)" in out
        assert classifier.versions(tmp_path) == [1]
        assert "classifier v1 present" in run("triage_train", "--if-missing")
        assert classifier.versions(tmp_path) == [1]
        (tmp_path / "classifier-v2.joblib").write_bytes(b"not a model")
        (tmp_path / "current").write_text("classifier-v2.joblib\n")
        assert "cannot be used" in run("triage_train", "--if-missing")
        assert classifier.versions(tmp_path) == [1, 2, 3]
        assert (tmp_path / "current").read_text().strip() == "classifier-v3.joblib"
    finally:
        classifier.forget_loaded()


@pytest.mark.usefixtures("small_shipped")
def test_eval_prints_the_held_out_scores_per_class_the_confusion_matrix_and_cv():
    out = run("triage_eval", "--folds", "2")
    assert "held-out split: 560 training / 140 test messages (seed 42)" in out
    assert "accuracy 0." in out and "macro-F1 0." in out
    for label in ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"):
        assert label in out
    assert "confusion matrix" in out and "per class" in out
    assert "2-fold CV macro-F1: 0." in out and "±" in out


@pytest.mark.usefixtures("model_dir")
def test_classify_reads_id_text_and_writes_category_confidence_department(tmp_path, tree):
    source = write(
        tmp_path / "in.csv",
        "id,text\n"
        'a1,"我家孩子在学校读书，学校老师乱收补课费，学生家长意见很大"\n'
        "a2,小区路灯坏了半年，晚上漆黑一片，物业不管，小区违章搭建也没人管\n",
    )
    target = tmp_path / "out.csv"
    out = run("triage_classify", "--input", str(source), "--output", str(target))
    assert "2 messages classified with v1" in out
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["a1", "a2"] and list(rows[0]) == ["id", "category", "confidence", "department"]
    assert rows[0]["category"] == "教育文体" and rows[0]["department"] == "jyj"  # not in the test tree: short code
    assert rows[1]["category"] == "城乡建设" and rows[1]["department"] == "区住建局"  # Category.department
    assert 0 < float(rows[0]["confidence"]) <= 1
    run("triage_classify", "--input", str(source), "--output", str(target), "--words")
    assert "学校" in next(csv.DictReader(target.open(encoding="utf-8")))["words"]


@pytest.mark.usefixtures("model_dir")
@pytest.mark.parametrize(
    ("content", "encoding", "message"),
    [
        ("ident,body\n1,x\n", "utf-8", "missing column(s) id, text"),
        ("id,text\n1,路灯坏了\n2,\n3,  \n", "utf-8", "2 bad row(s), nothing written:\n  row 3 (id 2): empty text"),
        ("id,text\n1,路灯\n1,井盖\n", "utf-8", "row 3: id '1' appears twice"),
        ("id,text\n,路灯\n", "utf-8", "row 2: empty id"),
        ("id,text\n1,路灯\n2,噪音\n", "gbk", "line 2 is not UTF-8"),
        ("id,text\n", "utf-8", "no rows after the header"),
    ],
)
def test_classify_names_the_bad_row_and_writes_nothing(tmp_path, content, encoding, message):
    source = write(tmp_path / "in.csv", content, encoding)
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as caught:
        run("triage_classify", "--input", str(source), "--output", str(target))
    assert message in str(caught.value) and not target.exists()


@pytest.mark.usefixtures("no_model")
def test_classify_without_a_model_says_to_train(tmp_path):
    source = write(tmp_path / "in.csv", "id,text\n1,路灯坏了\n")
    with pytest.raises(CommandError, match=r"no classifier is trained: run manage\.py triage_train"):
        run("triage_classify", "--input", str(source), "--output", str(tmp_path / "out.csv"))


@pytest.mark.usefixtures("model_dir")
def test_classify_names_a_missing_input_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("triage_classify", "--input", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "out.csv"))
