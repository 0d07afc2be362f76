from django.urls import path

from kefu.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_create, name="article_create"),
    path("deflection/", views.deflection_report, name="deflection_report"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("suggestions/", views.ticket_suggestions, name="ticket_suggestions"),
    path("from-ticket/", views.article_from_ticket_number, name="article_from_ticket_number"),
    path("from-ticket/<int:ticket_id>/", views.article_from_ticket, name="article_from_ticket"),
    path("<int:pk>/", views.article_detail, name="article_detail"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/text/", views.article_text, name="article_text"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<int:pk>/attachments/<str:token>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("files/<str:token>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/link/<int:ticket_id>/", views.article_link_ticket, name="article_link_ticket"),
    path("<int:pk>/<str:action>/", views.article_transition, name="article_transition"),
]
