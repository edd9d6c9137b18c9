# The hit's JSON columns become core.fields.ValuesJSONField (same column type; only how
# bulk_create inserts them changes), so nothing is done in the database.

import core.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('watchlists', '0002_screening_imports_availability'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='hit',
                    name='explanation',
                    field=core.fields.ValuesJSONField(blank=True, default=dict, verbose_name='explanation'),
                ),
                migrations.AlterField(
                    model_name='hit',
                    name='query',
                    field=core.fields.ValuesJSONField(blank=True, default=dict, verbose_name='what was screened'),
                ),
            ],
            database_operations=[],
        ),
    ]
