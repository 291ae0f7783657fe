"""URLs of the tag pages."""

from django.urls import path

from toolcrm.tags import views

app_name = "tags"

urlpatterns = [
    path("", views.tag_report, name="report"),
    path("definitions/", views.definition_list, name="definition_list"),
    path("definitions/new/", views.definition_create, name="definition_create"),
    path("definitions/<int:tag_id>/edit/", views.definition_edit, name="definition_edit"),
    path("definitions/<int:tag_id>/active/", views.definition_set_active, name="set_active"),
    path("definitions/preview/", views.definition_preview, name="preview"),
    path("conditions/add/", views.condition_add, name="condition_add"),
    path("conditions/row/", views.condition_row, name="condition_row"),
    path("conditions/remove/", views.condition_remove, name="condition_remove"),
    path("<int:tag_id>/customers/", views.tag_members, name="members"),
]
