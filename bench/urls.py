"""The archive's URLs plus /hello, a bare Django view: the ceiling the pages are measured by."""

from django.http import HttpResponse
from django.urls import path

from archive.urls import handler500  # noqa: F401
from archive.urls import urlpatterns as archive_urlpatterns


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("hello", hello, name="bench-hello"), *archive_urlpatterns]
