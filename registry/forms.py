"""Forms of the registry pages. They only shape the input; the actions check it (registry.rows) and their
field-named errors are put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registry import choices as c
from registry.importers import KINDS

BLANK = [("", "—")]


def _choices(cls: Any) -> list[tuple[str, str]]:
    return BLANK + list(cls.choices)


class DateInput(forms.DateInput):
    input_type = "date"


class PersonForm(forms.Form):
    name = forms.CharField(label=_("name (姓名)"), max_length=50)
    id_type = forms.ChoiceField(label=_("document type"), choices=c.IdType.choices, initial=c.IdType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("identity number (公民身份号码)"),
        max_length=30,
        required=False,
        help_text=_("Date of birth and sex are read from it. Children under 16 may be registered without one."),
    )
    residence_type = forms.ChoiceField(label=_("population type"), choices=c.ResidenceType.choices)
    phone = forms.CharField(label=_("phone (联系方式)"), max_length=20, required=False)
    sex = forms.ChoiceField(label=_("sex (性别)"), choices=_choices(c.Sex), required=False)
    birth_date = forms.DateField(label=_("date of birth (出生日期)"), required=False, widget=DateInput)
    ethnicity = forms.ChoiceField(
        label=_("ethnic group (民族)"), choices=BLANK + list(c.ETHNIC_GROUPS.items()), required=False
    )
    household_number = forms.CharField(
        label=_("household number (户号)"),
        max_length=30,
        required=False,
        help_text=_("To join a household of this house, or to start one."),
    )
    relation = forms.ChoiceField(label=_("relation to head (与户主关系)"), choices=_choices(c.Relation), required=False)
    domicile = forms.CharField(label=_("place of household registration (户籍地详址)"), max_length=200, required=False)
    inflow_reason = forms.ChoiceField(
        label=_("reason for coming (流入原因)"), choices=_choices(c.InflowReason), required=False
    )
    certificate = forms.ChoiceField(label=_("permit (办证类型)"), choices=_choices(c.Certificate), required=False)
    lodging = forms.ChoiceField(label=_("lodging (住所类型)"), choices=_choices(c.Lodging), required=False)
    nationality = forms.CharField(label=_("nationality (国籍)"), max_length=3, required=False)
    since = forms.DateField(label=_("living here since"), required=False, widget=DateInput)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("name (姓名)"), max_length=50, required=False)
    id_number = forms.CharField(label=_("identity number (公民身份号码)"), max_length=30, required=False)
    relation = forms.ChoiceField(label=_("relation to head (与户主关系)"), choices=_choices(c.Relation), required=False)
    phone = forms.CharField(label=_("phone (联系方式)"), max_length=20, required=False)
    birth_date = forms.DateField(label=_("date of birth (出生日期)"), required=False, widget=DateInput)
    sex = forms.ChoiceField(label=_("sex (性别)"), choices=_choices(c.Sex), required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=5, max_num=12)


class MoveInForm(forms.Form):
    residence_type = forms.ChoiceField(label=_("population type"), choices=c.ResidenceType.choices)
    rent = forms.BooleanField(label=_("They rent the house (register the tenancy)"), required=False)
    start_date = forms.DateField(label=_("moving in on"), required=False, widget=DateInput)
    purpose = forms.ChoiceField(label=_("purpose"), choices=c.TenancyPurpose.choices, initial=c.TenancyPurpose.LIVING)
    contract_no = forms.CharField(label=_("contract number"), max_length=50, required=False)


class HouseForm(forms.Form):
    grid_code = forms.ChoiceField(label=_("grid"))
    estate = forms.CharField(label=_("estate or village (小区/自然村)"), max_length=100, required=False)
    building = forms.CharField(label=_("building (楼栋)"), max_length=20, required=False)
    unit = forms.CharField(label=_("unit (单元)"), max_length=20, required=False)
    room = forms.CharField(label=_("room (室)"), max_length=20, required=False)
    address = forms.CharField(
        label=_("address (门(楼)详址)"), max_length=200, required=False, help_text=_("Left empty, it is composed.")
    )
    house_type = forms.ChoiceField(label=_("house type"), choices=c.HouseType.choices)
    use = forms.ChoiceField(label=_("use (房屋用途)"), choices=c.HouseUse.choices)
    area_m2 = forms.FloatField(label=_("floor area (m²)"), required=False, min_value=1)
    owner_id_number = forms.CharField(label=_("owner's identity number"), max_length=18, required=False)
    owner_name = forms.CharField(label=_("owner's name (not registered here)"), max_length=100, required=False)
    owner_phone = forms.CharField(label=_("owner's phone"), max_length=20, required=False)
    lon = forms.FloatField(label=_("longitude"), required=False)
    lat = forms.FloatField(label=_("latitude"), required=False)
    status = forms.ChoiceField(label=_("lifecycle"), choices=c.HouseStatus.choices, initial=c.HouseStatus.IN_USE)

    def __init__(self, *args: Any, grids: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["grid_code"].choices = list(grids)  # type: ignore[attr-defined]


class HouseEditForm(HouseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("grid_code", "lon", "lat", "status", "owner_id_number"):
            del self.fields[name]


class OrganisationForm(forms.Form):
    credit_code = forms.CharField(label=_("unified social credit code (统一社会信用代码)"), max_length=18)
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=_choices(c.OrganisationKind), required=False)
    legal_rep = forms.CharField(label=_("legal representative (法定代表人)"), max_length=50, required=False)
    legal_rep_id_number = forms.CharField(
        label=_("legal representative's identity number"), max_length=18, required=False
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    address = forms.CharField(label=_("address"), max_length=200)
    grid_code = forms.ChoiceField(label=_("grid"), required=False)
    lon = forms.FloatField(label=_("longitude"), required=False)
    lat = forms.FloatField(label=_("latitude"), required=False)
    house_code = forms.CharField(label=_("premises (house code)"), max_length=24, required=False)
    industry = forms.CharField(label=_("line of business"), max_length=100, required=False)
    employees = forms.IntegerField(label=_("employees"), required=False, min_value=0)
    registered_on = forms.DateField(label=_("registered on"), required=False, widget=DateInput)

    def __init__(self, *args: Any, grids: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["grid_code"].choices = BLANK + list(grids)  # type: ignore[attr-defined]


class OrganisationEditForm(OrganisationForm):
    """What may change without a new registration: the credit code, kind and place stay."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("credit_code", "kind", "grid_code", "lon", "lat", "house_code", "registered_on"):
            del self.fields[name]


class PlaceForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=c.PlaceCategory.choices)
    name = forms.CharField(label=_("name"), max_length=200)
    address = forms.CharField(label=_("address"), max_length=200)
    grid_code = forms.ChoiceField(label=_("grid"), required=False)
    lon = forms.FloatField(label=_("longitude"), required=False)
    lat = forms.FloatField(label=_("latitude"), required=False)
    responsible_name = forms.CharField(label=_("responsible person"), max_length=50)
    responsible_phone = forms.CharField(label=_("responsible person's phone"), max_length=20, required=False)
    risk_level = forms.ChoiceField(label=_("risk level"), choices=c.RiskLevel.choices)
    organisation_credit_code = forms.CharField(label=_("run by (credit code)"), max_length=18, required=False)
    quantity = forms.CharField(label=_("quantity (key items)"), max_length=100, required=False)

    def __init__(self, *args: Any, grids: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["grid_code"].choices = BLANK + list(grids)  # type: ignore[attr-defined]


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("date"), required=False, widget=DateInput)
    result = forms.ChoiceField(label=_("result"), choices=c.InspectionResult.choices)
    findings = forms.CharField(label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_due = forms.DateField(label=_("next inspection due"), required=False, widget=DateInput)


class DateNoteForm(forms.Form):
    date = forms.DateField(label=_("date"), required=False, widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class BirthForm(forms.Form):
    name = forms.CharField(label=_("name (姓名)"), max_length=50)
    sex = forms.ChoiceField(
        label=_("sex (性别)"), choices=[(c.Sex.MALE, c.Sex.MALE.label), (c.Sex.FEMALE, c.Sex.FEMALE.label)]
    )
    birth_date = forms.DateField(label=_("date of birth (出生日期)"), widget=DateInput)
    id_number = forms.CharField(label=_("identity number (公民身份号码)"), max_length=18, required=False)


class LabelForm(forms.Form):
    label = forms.ChoiceField(label=_("label"))
    since = forms.DateField(label=_("since"), required=False, widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, labels: list[tuple[str, Any]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = list(labels)  # type: ignore[attr-defined]


class EndOrganisationForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (c.OrganisationStatus.CANCELLED, c.OrganisationStatus.CANCELLED.label),
            (c.OrganisationStatus.REVOKED, c.OrganisationStatus.REVOKED.label),
        ],
    )
    date = forms.DateField(label=_("date"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("reason"), max_length=300, required=False)


PURPOSES = [
    ("verify identity", _("Verifying identity at a visit")),
    ("service", _("Handling a service for the person")),
    ("case", _("Handling a case")),
    ("other", _("Other")),
]


class UnmaskForm(forms.Form):
    purpose = forms.ChoiceField(label=_("why"), choices=PURPOSES, initial="verify identity")


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")])
    purpose = forms.CharField(label=_("why the data is exported"), max_length=300)
    full = forms.BooleanField(label=_("Identity numbers and phones in full (logged)"), required=False)

    def clean_purpose(self) -> str:
        value = self.cleaned_data["purpose"].strip()
        if len(value) < 4:
            raise ValidationError(_("Say why (at least a few words): every export of personal data is logged."))
        return value


class RegistryImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("what"), choices=[(k, k) for k in KINDS])
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = KIND_LABELS  # type: ignore[attr-defined]


KIND_LABELS = [
    ("people", _("People")),
    ("houses", _("Houses")),
    ("organisations", _("Organisations")),
    ("places", _("Places and things")),
]
