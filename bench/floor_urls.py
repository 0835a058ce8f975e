"""The project's URLs and /bench/floor/, a hello-world view (bench/floor_settings.py)."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/floor/", hello), *project_urlpatterns]
