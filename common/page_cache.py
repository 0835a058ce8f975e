"""Whole pages kept in the shared cache while the rows they show are unchanged.

A Generation names the models a kind of page is built from. Any write to one of them, one row or in bulk, starts a
new generation once its transaction commits, and so do every migrate (a release may change the templates) and every
restore. Every process that writes (web, task worker, manage.py) must use the same shared cache. A stored page
carries the generation it was rendered in and is served only while that is still the current one. The generation is
read before the database, so a page rendered while a write commits is stored under the old generation and never
served.

Only a cache every server process shares will do (the pages' settings are 0, off, without REDIS_URL): a process's
own memory would not hear of another process's writes. The one part of a page that is the visitor's own, the CSRF
token of its forms, is stored as a placeholder and filled in for each visitor.
"""

import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse

from common.signals import bulk_saved

CSRF_PLACEHOLDER = "\x00csrf-token\x00"
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')

GENERATIONS = []


class Generation:
    """The current generation of one kind of stored page, renewed by every committed write to its models.

    `ignored_fields` maps a model to fields whose saves change nothing the pages show (a login's last_login).
    """

    def __init__(self, name, models, *, seconds_setting, ignored_fields=None):
        self.key = f"page-generation:{name}"
        self.models = list(models)
        self.seconds_setting = seconds_setting
        self.ignored_fields = ignored_fields or {}
        for model in models:
            for kind, signal in (("saved", post_save), ("deleted", post_delete), ("bulk_saved", bulk_saved)):
                uid = f"{self.key}:{model._meta.label}:{kind}"
                signal.connect(self._changed, sender=model, weak=False, dispatch_uid=uid)
        # A release may change the templates: every migrate starts a new generation. post_migrate is sent once per
        # app with models, and an app without (portal) is never its sender, so this listens to all of them.
        post_migrate.connect(self.new, weak=False, dispatch_uid=f"{self.key}:migrated")
        GENERATIONS.append(self)

    @property
    def seconds(self):
        """How long a page is kept; 0 when this kind of page is not stored at all."""
        return getattr(settings, self.seconds_setting)

    def new(self, **kwargs):
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def current(self):
        generation = cache.get(self.key)
        if generation is None:  # a fresh or emptied cache
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            generation = cache.get(self.key)
        return generation

    def _changed(self, sender, update_fields=None, **kwargs):
        if update_fields and set(update_fields) <= self.ignored_fields.get(sender, set()):
            return
        transaction.on_commit(self.new)


def new_generations() -> None:
    """Start a new generation of every kind of stored page (after a restore)."""
    for generation in GENERATIONS:
        generation.new()


def storable(response: HttpResponse) -> str:
    """The response's HTML with the visitor's CSRF token taken out."""
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    return CSRF_VALUE.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", response.content.decode())


def served(html: str, request: HttpRequest) -> HttpResponse:
    """A stored page for this visitor, with their own CSRF token."""
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
