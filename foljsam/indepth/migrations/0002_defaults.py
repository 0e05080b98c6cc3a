"""The defaults of a fresh install (foljsam.indepth.defaults), with the historical models."""

from django.db import migrations


def forwards(apps, schema_editor):
    from foljsam.indepth.defaults import ensure_defaults

    ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("indepth", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
