"""Works' URLs: reading, posting and downloads, as AO3 has them."""

from django.urls import path

from works import cocreators, posting, views

app_name = "works"
urlpatterns = [
    path("works/<int:work_id>", views.work_detail, name="detail"),
    path("works/<int:work_id>/chapters/<int:chapter_id>", views.chapter_detail, name="chapter"),
    path("chapters/<int:chapter_id>", views.chapter_redirect, name="chapter-short"),
    path("works/<int:work_id>/navigate", views.chapter_index, name="navigate"),
    path("works/new", posting.work_new, name="new"),
    path("works/<int:work_id>/preview", posting.work_preview, name="preview"),
    path("works/<int:work_id>/post", posting.work_post, name="post"),
    path("works/<int:work_id>/edit", posting.work_edit, name="edit"),
    path("works/<int:work_id>/delete", posting.work_delete, name="delete"),
    path("works/<int:work_id>/creatorships", cocreators.cocreator_invite, name="invite-cocreator"),
    path("works/<int:work_id>/chapters/new", posting.chapter_new, name="chapter-new"),
    path("works/<int:work_id>/chapters/manage", posting.chapters_manage, name="manage-chapters"),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/edit",
        posting.chapter_edit,
        name="chapter-edit",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/preview",
        posting.chapter_preview,
        name="chapter-preview",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/post",
        posting.chapter_post,
        name="chapter-post",
    ),
    path(
        "works/<int:work_id>/chapters/<int:chapter_id>/delete",
        posting.chapter_delete,
        name="chapter-delete",
    ),
    path(
        "downloads/<int:work_id>/<str:safe_title>.<str:extension>",
        views.work_download,
        name="download",
    ),
]
