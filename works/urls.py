from django.urls import path

from works import views

app_name = "works"
urlpatterns = [
    path("works/<int:work_id>", views.work_detail, name="detail"),
    path("works/<int:work_id>/chapters/<int:chapter_id>", views.chapter_detail, name="chapter"),
    path("chapters/<int:chapter_id>", views.chapter_redirect, name="chapter-short"),
    path("works/<int:work_id>/navigate", views.chapter_index, name="navigate"),
]
