"""Band values of the duplicate index mixed with the case's street (triage.duplicates, "Locality"): the rows
stored before get their street's salt XORed in, one UPDATE per street. XOR is its own inverse, so the reverse
migration runs the same."""

import hashlib
from collections import defaultdict

from django.db import migrations

STREET = 9


def street_salt(street: str) -> int:
    # As triage.duplicates.street_salt (a test checks that the two agree).
    return int.from_bytes(hashlib.blake2b(f"street:{street}".encode(), digest_size=8).digest(), "little", signed=True)


def mix_streets(apps, schema_editor) -> None:
    Profile = apps.get_model("triage", "DuplicateProfile")
    Band = apps.get_model("triage", "DuplicateBand")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    bands, profiles = quote(Band._meta.db_table), quote(Profile._meta.db_table)
    codes_of: dict[str, list[str]] = defaultdict(list)
    for code in Profile.objects.values_list("territory_code", flat=True).distinct():
        codes_of[code[:STREET]].append(code)
    # SQLite has no XOR operator: (a | b) - (a & b) is a ^ b, and never leaves 64 bits
    xor = "band # %s" if connection.vendor == "postgresql" else "(band | %s) - (band & %s)"
    with connection.cursor() as cursor:
        for street, codes in sorted(codes_of.items()):
            salt = street_salt(street)
            cursor.execute(
                f"UPDATE {bands} SET band = {xor} WHERE case_id IN"
                f" (SELECT case_id FROM {profiles} WHERE territory_code IN ({', '.join(['%s'] * len(codes))}))",
                [salt] * xor.count("%s") + codes,
            )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(mix_streets, mix_streets)]
