"""The classifier in the product: suggestions at intake (hooks), the live suggestion while typing, training from the
shipped data plus staff corrections, and the triage queue's confirm/correct actions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.actions import action
from core.memo import memoized
from triage import classifier

# Roles that sort incoming cases (分拨): the command centres and the community / street staff who dispatch.
DISPATCH_ROLES = frozenset({"community_staff", "street_command", "district_command", "administrator"})


def may_dispatch(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or getattr(user, "role", "") in DISPATCH_ROLES
    )


# --- suggestions -----------------------------------------------------------------------------------------------------


@dataclass
class Suggested:
    prediction: classifier.Prediction
    category: Any  # cases.Category (first level) or None when the tree lacks the label
    department: Any  # territory.Department or None
    model_version: str


@memoized
def top_categories() -> dict[str, Any]:
    """Active first-level categories by name, their departments loaded (intake asks for one on every case)."""
    from cases.models import Category

    return {c.name: c for c in Category.objects.filter(depth=1, is_active=True).select_related("department")}


def top_category(label: str) -> Any:
    return top_categories().get(label)


def top_of(category: Any) -> Any:
    return category.lineage()[-1] if category is not None else None


def department_label(label: str) -> str:
    """The district department responsible for a first-level category: the tree's, else the usual one's short code."""
    from cases.categories import DEPARTMENT_BY_TOP

    category = top_category(label)
    if category is not None and category.department is not None:
        return category.department.name
    return DEPARTMENT_BY_TOP.get(label, "")


def suggest(text: str, explain: int = 8) -> Suggested | None:
    """The classifier's suggestion for `text`, or None when no model is trained or there is no text."""
    text = (text or "").strip()
    model = classifier.current_model()
    if model is None or not text:
        return None
    prediction = model.predict([text], explain=explain)[0]
    category = top_category(prediction.label)
    department = category.department if category is not None else None
    return Suggested(prediction, category, department, model.name)


def intake_text(data: Any) -> str:
    return classifier.message_text(getattr(data, "title", ""), getattr(data, "description", ""))


def prepare(data: Any) -> None:
    """Intake hook before validation: an empty category is filled with the suggested first-level category."""
    if (data.category_code or "").strip():
        return
    suggested = suggest(intake_text(data))
    if suggested is None or suggested.category is None:
        return  # validation says a category is needed
    data.category_code = suggested.category.code
    data._triage = suggested
    data._triage_filled = True


def needs_review(suggested: Suggested, given: Any, filled: bool) -> bool:
    """Filled from the suggestion: review when it is less sure than TRIAGE_REVIEW_BELOW. Chosen by a person: review
    only when the model is nearly sure (TRIAGE_DISAGREE_ABOVE) of another first-level category it knows."""
    p = suggested.prediction
    if filled:
        return p.confidence < settings.TRIAGE_REVIEW_BELOW
    given_top = top_of(given)
    model = classifier.current_model()
    known = model is not None and given_top is not None and given_top.name in model.labels
    return known and given_top.name != p.label and p.confidence >= settings.TRIAGE_DISAGREE_ABOVE


def cases_created(pairs: list[tuple[Any, Any]]) -> None:
    """Intake hook inside the intake transaction: store the suggestion for every case with text."""
    from triage.models import Suggestion

    rows = []
    for case, data in pairs:
        suggested: Suggested | None = getattr(data, "_triage", None) or suggest(intake_text(data))
        if suggested is None:
            continue
        filled = bool(getattr(data, "_triage_filled", False))
        p = suggested.prediction
        rows.append(
            Suggestion(
                case=case,
                label=p.label,
                category=suggested.category,
                department=suggested.department,
                confidence=round(p.confidence, 4),
                words=p.words,
                probabilities=p.probabilities,
                model_version=suggested.model_version,
                filled_category=filled,
                needs_review=needs_review(suggested, case.category, filled),
            )
        )
    Suggestion.objects.bulk_create(rows)


# --- the triage queue ------------------------------------------------------------------------------------------------


def waiting(user: Any) -> QuerySet:
    """Suggestions waiting for a person, on open cases in the user's territory, oldest first."""
    from cases.choices import Status
    from cases.models import Case
    from triage.models import Suggestion

    if not may_dispatch(user):
        return Suggestion.objects.none()
    cases = Case.objects.restrict(user, "change").exclude(status__in=[Status.CLOSED, Status.MERGED, Status.INVALID])
    return (
        Suggestion.objects.filter(needs_review=True, reviewed_at__isnull=True, case__in=cases)
        .select_related("case__category__parent__parent", "category", "department")
        .order_by("case__created_at", "pk")
    )


def _locked_suggestion(case: Any) -> Any:
    from triage.models import Suggestion

    suggestion = Suggestion.objects.select_for_update().filter(case=case).first()
    if suggestion is None:
        raise ValidationError({"case": _("%(no)s has no triage suggestion") % {"no": case.tracking_no}})
    return suggestion


@action
def do_correct_category(case: Any, category: Any, *, acting_user: Any) -> Any:
    """The dispatcher's answer to a suggestion: the case takes `category` (any level of the tree), the suggestion is
    reviewed, and the message with the category's first level becomes a labelled example (Correction) for the next
    training. Confirming the suggestion is the same call with the suggested category."""
    from cases.actions import recategorise
    from triage.models import Correction

    if getattr(acting_user, "is_authenticated", False) and not may_dispatch(acting_user):
        raise PermissionDenied("the triage queue is for dispatchers")
    if category is None or not category.is_active:
        raise ValidationError({"category": _("choose a category of the tree")})
    suggestion = _locked_suggestion(case)
    if suggestion.reviewed_at is not None:
        raise ValidationError({"case": _("%(no)s was reviewed already") % {"no": case.tracking_no}})
    top = top_of(category)
    kind = Correction.Kind.CONFIRMED if top.name == suggestion.label else Correction.Kind.CORRECTED
    case = recategorise(case, category, acting_user=acting_user, note=f"triage: {kind}")
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    suggestion.reviewed_by, suggestion.reviewed_at = user, timezone.now()
    suggestion.save(update_fields=["reviewed_by", "reviewed_at"])
    correction = Correction.objects.create(
        case=case,
        text=classifier.message_text(case.title, case.description),
        label=top.name,
        category=category,
        predicted_label=suggestion.label,
        kind=kind,
        corrected_by=user,
    )
    audit.record("triage.correct_category", actor=acting_user, obj=correction, after=audit.snapshot(correction))
    return case


# --- training --------------------------------------------------------------------------------------------------------


@dataclass
class Training:
    model: classifier.Model
    path: Any
    corrections_used: int
    corrections_skipped: int


def training_set() -> tuple[classifier.Dataset, list[int], int]:
    """The shipped messages plus every staff correction (the latest per case) whose first-level category has enough
    examples; returns (data, correction ids used, corrections skipped)."""
    from triage.models import Correction

    data = classifier.shipped_data()
    latest: dict[Any, Any] = {}
    for c in Correction.objects.order_by("created_at", "pk"):
        latest[c.case_id or f"row{c.pk}"] = c
    rows = [c for c in latest.values() if c.text.strip()]
    counts = Counter(data.labels) + Counter(c.label for c in rows)
    used = [c for c in rows if counts[c.label] >= settings.TRIAGE_MIN_CLASS_EXAMPLES]
    for c in used:
        data.texts.append(c.text)
        data.labels.append(c.label)
        data.groups.append(f"correction-{c.pk}")
    return data, [c.pk for c in used], len(rows) - len(used)


def train(progress: Callable[[str, int], None] | None = None) -> Training:
    data, used, skipped = training_set()
    model = classifier.fit(data.texts, data.labels, use_words=settings.TRIAGE_USE_WORDS, progress=progress)
    model.meta.update(corrections=len(used), trained_at=timezone.now().isoformat())
    path = classifier.save(model)
    _record_training(model, path.name, used, len(data.texts))
    return Training(model, path, len(used), skipped)


@action
def _record_training(model: classifier.Model, file_name: str, used: list[int], messages: int) -> None:
    from triage.models import Correction

    Correction.objects.filter(pk__in=used, first_used_in__isnull=True).update(first_used_in=model.version)
    audit.record(
        "triage.train",
        actor="triage_train",
        object_type="triage.classifier",
        object_id=model.name,
        after={"file": file_name, "messages": messages, "corrections": len(used), "C": model.meta["C"]},
    )
