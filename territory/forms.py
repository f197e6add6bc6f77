from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import STAFF_ROLES
from core.models import JournalEntry
from territory.choices import StaffRole


class JournalForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=JournalEntry.Kind.choices, initial=JournalEntry.Kind.INFO)
    comments = forms.CharField(label=_("note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignStaffForm(forms.Form):
    username = forms.CharField(label=_("account"), max_length=150, help_text=_("The person's login name."))
    role = forms.ChoiceField(label=_("duty"), choices=StaffRole.choices)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True, role__in=list(STAFF_ROLES)).first()
        if user is None:
            raise forms.ValidationError(_("No active staff account is called %(name)s.") % {"name": username})
        self.cleaned_data["user"] = user
        return username


class AdmissionRequestForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("matter"), max_length=100)
    description = forms.CharField(label=_("what grid workers would do"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("why it belongs to grid work"), widget=forms.Textarea(attrs={"rows": 2}))


class AdmissionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("reason"), max_length=1000)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("what"), choices=[("divisions", _("Divisions (.csv / .xlsx)")), ("grids", _("Grids (GeoJSON)"))]
    )
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
