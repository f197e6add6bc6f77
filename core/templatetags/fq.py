from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, []) if mapping else []


@register.filter
def masked_phone(phone: str) -> str:
    from core.privacy import mask_phone

    return mask_phone(phone)
