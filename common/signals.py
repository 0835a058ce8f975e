"""A signal for the writes Django's own signals do not report: bulk_create() and bulk_update().

Apps keep what is derived from these rows (reports' compliance tallies, stored pages); they listen to
post_save and post_delete for one row at a time, and to bulk_saved for the rows a service or an import writes in
bulk. Every scoped model's queryset sends it (organizations/access.py).
"""

from django.db import models
from django.dispatch import Signal

# Sent with sender=the model, objs=the rows written, fields=the fields updated (None for rows created).
bulk_saved = Signal()


class BulkSavedQuerySet(models.QuerySet):
    """Sends bulk_saved after bulk_create() and bulk_update(), in the same transaction."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        bulk_saved.send(sender=self.model, objs=created, fields=None)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        updated = super().bulk_update(objs, fields, *args, **kwargs)
        bulk_saved.send(sender=self.model, objs=objs, fields=list(fields))
        return updated
