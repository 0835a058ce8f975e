"""The project's URLs, /bench/floor/, a hello-world view (bench/floor_settings.py), and /bench/floor/user/, the same
view after reading who is logged in: the floor of any page for a logged-in user, such as /my/."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def hello_user(request):
    # Django's session and authentication: the session from the cache, the user from the database.
    return HttpResponse(f"Hello, {request.user.pk}", content_type="text/plain")


urlpatterns = [path("bench/floor/", hello), path("bench/floor/user/", hello_user), *project_urlpatterns]
