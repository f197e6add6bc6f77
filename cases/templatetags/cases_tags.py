from django import template

from cases.choices import ACTION_LABELS, BUTTON_LABELS

register = template.Library()


@register.filter
def action_label(name: str) -> str:
    return str(ACTION_LABELS.get(name, name))


@register.filter
def button_label(name: str) -> str:
    return str(BUTTON_LABELS.get(name, name))
