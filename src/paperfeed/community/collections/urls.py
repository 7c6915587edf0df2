from django.urls import path

from paperfeed.community.collections import views

urlpatterns = [
    path("collections", views.collection_list, name="collections"),
    path(
        "collections/<str:username>/<slug:slug>",
        views.collection_detail,
        name="collection-detail",
    ),
    path(
        "collections/<str:username>/<slug:slug>/edit",
        views.collection_edit,
        name="collection-edit",
    ),
    path(
        "collections/<str:username>/<slug:slug>/delete",
        views.collection_delete,
        name="collection-delete",
    ),
    path(
        "collections/<str:username>/<slug:slug>/remove",
        views.collection_remove_item,
        name="collection-remove-item",
    ),
    path("papers/<arxiv:arxiv_id>/save", views.save_paper, name="save-paper"),
]
