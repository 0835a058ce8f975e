"""The service's own pages: the health check, the server error page and the login lockout page."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Case, F, Max, Min, When
from django.db.models.functions import Greatest
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request):
    """Whether this process can serve (the database answers) and whether background tasks are being taken.

    The answer is 503 only when the database does not answer: that is what a load balancer or a process
    supervisor acts on. The task worker has no heartbeat of its own, so the queue is checked instead: a task
    ready for longer than HEALTH_TASK_WAIT_SECONDS means no worker is taking tasks (or too few are), and the
    body says "degraded" with the details, for monitoring to alert on.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    worker = worker_check()
    status = "ok" if worker["status"] in ("ok", "not used") else "degraded"
    return JsonResponse({"status": status, "database": "ok", "worker": worker})


def worker_check():
    """Whether the database task queue is being taken: the oldest ready task's wait against the allowed wait."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return {"status": "not used", "detail": "tasks run inside the web process (TASKS_BACKEND)"}
    # A task is ready from when it was queued, or from its run_after if it was scheduled for later.
    ready_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")), default=Greatest("enqueued_at", "run_after")
    )
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min(ready_since))["oldest"]
    last_started = DBTaskResult.objects.aggregate(last=Max("started_at"))["last"]
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0
    return {
        "status": "stale" if waited > settings.HEALTH_TASK_WAIT_SECONDS else "ok",
        "oldest_ready_task_waited_seconds": round(waited),
        "last_task_started_at": last_started.isoformat() if last_started else None,
    }


def bare_page(request, template_name, status):
    """An error page with the request id to quote to the center, rendered without the request's context
    processors: whatever broke (the database, the session) must not break the error page too."""
    page = loader.get_template(template_name).render({"request_id": getattr(request, "request_id", "")})
    return HttpResponse(page, status=status)


def server_error(request):
    return bare_page(request, "500.html", 500)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (settings.AXES_LOCKOUT_CALLABLE): too many failed logins for this username
    from this address."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "locked_out.html", {"minutes": minutes}, status=429)
