from django.urls import path

from paperfeed.community.discussion import views

urlpatterns = [
    path("papers/<arxiv:arxiv_id>/comments", views.comment_create, name="comment-create"),
    path("comments/<int:comment_id>/edit", views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete", views.comment_delete, name="comment-delete"),
]
