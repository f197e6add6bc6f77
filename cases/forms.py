from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from cases.choices import Urgency
from cases.models import Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,audio/*,video/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Leaf categories grouped by their top-level branch, for a select people can scan."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for cat in Category.objects.filter(is_active=True, children__isnull=True).select_related("parent__parent"):
        top = cat.parent.parent if cat.parent and cat.parent.parent else cat.parent or cat
        label = f"{cat.parent.name} · {cat.name}" if cat.parent and cat.parent != top else cat.name
        groups.setdefault(top.name, []).append((cat.code, label))
    return [(name, sorted(items)) for name, items in groups.items()]


# The address field asks triage where the address falls while it is typed (triage.views_addrhot.address_preview).
ADDRESS_PREVIEW = {
    "hx-get": reverse_lazy("triage:address_preview"),
    "hx-trigger": "input changed delay:400ms",
    "hx-target": "#address-preview",
    "autocomplete": "off",
}


class ReportForm(forms.Form):
    category_code = forms.ChoiceField(
        label=_("What kind of problem"),
        required=False,
        help_text=_("Leave it empty and the category is suggested from what you write."),
    )
    description = forms.CharField(label=_("What happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(
        label=_("Where (address)"), max_length=300, required=False, widget=forms.TextInput(attrs=ADDRESS_PREVIEW)
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    reporter_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("Mobile number (to follow the case)"), max_length=11, required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    attachments = MultipleFileField(label=_("Photos, voice or video"), required=False)
    solved_on_spot = forms.BooleanField(label=_("Solved on the spot (就地解决)"), required=False)
    after_photos = MultipleFileField(
        label=_("Photos after the fix"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— suggest it from the text —")), *category_choices()]
        self.fields["category_code"].choices = choices  # type: ignore[attr-defined]


class TrackForm(forms.Form):
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=20)
    phone = forms.CharField(label=_("Mobile number given when reporting"), max_length=11)


class CaseImportForm(forms.Form):
    file = forms.FileField(label=_("file"))
    encoding = forms.ChoiceField(
        label=_("CSV encoding"), choices=[("utf-8", "UTF-8"), ("gb18030", "GBK / GB18030")], initial="utf-8"
    )
    mode = forms.ChoiceField(
        label=_("mode"),
        choices=[
            ("dry_run", _("Check only, write nothing")),
            ("all", _("Import only if every row is good")),
            ("skip_bad", _("Import the good rows, report the bad ones")),
        ],
        initial="dry_run",
    )


class HotlineForm(forms.Form):
    phone = forms.CharField(label=_("Caller's mobile"), max_length=11)
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    category = forms.CharField(label=_("Category"), max_length=200, required=False)
    community = forms.CharField(label=_("Community / village"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"), max_length=300, required=False, widget=forms.TextInput(attrs=ADDRESS_PREVIEW)
    )
    description = forms.CharField(
        label=_("What the caller says"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)

    def clean_category(self) -> str:
        return self.cleaned_data["category"].split()[0] if self.cleaned_data["category"].strip() else ""

    def clean_community(self) -> str:
        return self.cleaned_data["community"].split()[0] if self.cleaned_data["community"].strip() else ""
