import datetime

from django.db import migrations, models

# The bloc's terms. The grassroots congresses of a term are held over the months of its first year, so a term is
# taken to start on the 1st of January of that year (the compliance tallies count certificates by year, which
# depends on it); the center corrects these dates in the admin (Nhiệm kỳ) if it counts from another day.
TERMS = [
    ("2015–2020", datetime.date(2015, 1, 1)),
    ("2020–2025", datetime.date(2020, 1, 1)),
    ("2025–2030", datetime.date(2025, 1, 1)),
]


def seed_terms(apps, schema_editor):
    Term = apps.get_model("organizations", "Term")
    for name, start in TERMS:
        Term.objects.get_or_create(name=name, defaults={"start": start})


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0005_access_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="Term",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(help_text="Ví dụ: 2025–2030", max_length=32, unique=True, verbose_name="nhiệm kỳ"),
                ),
                (
                    "start",
                    models.DateField(
                        help_text="Nhiệm kỳ kéo dài đến ngày bắt đầu của nhiệm kỳ sau.",
                        unique=True,
                        verbose_name="bắt đầu từ ngày",
                    ),
                ),
            ],
            options={"verbose_name": "nhiệm kỳ", "verbose_name_plural": "nhiệm kỳ", "ordering": ["start"]},
        ),
        migrations.RunPython(seed_terms, migrations.RunPython.noop),
    ]
