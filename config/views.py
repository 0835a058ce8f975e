"""The service's own pages: the health and readiness checks, the server error page and the login lockout page."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
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

from ops.jobs import stale_counts

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request):
    """The whole service's health, for monitoring: whether this process reaches its database (with its tables),
    whether background tasks are being taken, and whether any job's worker stopped in the middle of it.

    503 when the database does not answer or lacks its tables, or when a running job has been silent for longer
    than JOB_STALE_SECONDS (its worker was killed; `manage.py prune` fails it within minutes, and the answer is 200
    again). A task ready for longer than HEALTH_TASK_WAIT_SECONDS only makes the body "degraded": the queue may
    simply be long. Whatever goes wrong, the answer is JSON, never the HTML error page. A load balancer probes
    /health/ready/ instead, which does not turn every web process away because of one stopped job.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    try:
        jobs = jobs_check()
        worker = worker_check()
    except Exception:
        # Most likely the tables are missing (migrations not run) or the connection dropped since the query above.
        logger.exception("health check: the database answers but cannot be read")
        return JsonResponse({"status": "unavailable", "database": "unreadable"}, status=503)
    if jobs["status"] != "ok":
        return JsonResponse({"status": "failing", "database": "ok", "worker": worker, "jobs": jobs}, status=503)
    status = "ok" if worker["status"] in ("ok", "not used") else "degraded"
    return JsonResponse({"status": status, "database": "ok", "worker": worker, "jobs": jobs})


@never_cache
@require_GET
def ready(request):
    """Whether this web process can serve pages, for a load balancer: 503 JSON when its database does not answer or
    lacks the tables, 200 otherwise. Background jobs do not count here: taking every web process out of service
    because a worker stopped would turn one failed print into a site that is down."""
    try:
        ContentType.objects.exists()  # a table every migrated database has; a fresh one has none
    except Exception:
        logger.exception("readiness check: the database does not answer or has no tables")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def jobs_check():
    """Running jobs whose worker stopped (ops/jobs.py), and their task rows stuck as RUNNING."""
    counts = stale_counts()
    return {"status": "stale" if counts["stale_jobs"] or counts["stale_tasks"] else "ok", **counts}


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
