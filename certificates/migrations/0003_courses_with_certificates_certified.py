"""A closed class whose certificates were issued before courses.lifecycle kept the state "certificates issued"
(courses 0003) is marked so: a class with at least one certificate, valid or revoked, has been certified."""

from django.db import migrations


def certify_closed_courses_with_certificates(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Certificate = apps.get_model("certificates", "Certificate")
    certified = Certificate.objects.values("enrollment__course_id")
    Course.objects.filter(status="closed", pk__in=certified).update(status="certified")


def back_to_closed(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Course.objects.filter(status="certified").update(status="closed")


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_print_job_heartbeat_and_expiry"),
        ("courses", "0003_course_lifecycle"),
    ]

    operations = [migrations.RunPython(certify_closed_courses_with_certificates, back_to_closed)]
