from django.urls import path

from kefu.core import views, views_settings

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("status/", views.status, name="status"),
    path("search/", views.search, name="search"),
    path("settings/", views.settings_home, name="settings"),
    path("settings/custom-fields/", views_settings.customfield_list, name="customfield_list"),
    path("settings/custom-fields/new/", views_settings.customfield_edit, name="customfield_create"),
    path(
        "settings/custom-fields/<int:pk>/", views_settings.customfield_edit, name="customfield_edit"
    ),
    path(
        "settings/custom-fields/<int:pk>/delete/",
        views_settings.customfield_delete,
        name="customfield_delete",
    ),
]
