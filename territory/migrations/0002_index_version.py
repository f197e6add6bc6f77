from django.db import migrations


def create_version(apps, schema_editor):
    apps.get_model("territory", "GridIndexVersion").objects.get_or_create(pk=1, defaults={"version": 0})


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(create_version, migrations.RunPython.noop)]
