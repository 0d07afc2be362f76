from django.urls import path

from kefu.service import report_views, views, views_team
from kefu.service.urls_contracts import urlpatterns as contract_urlpatterns
from kefu.service.urls_sla import urlpatterns as sla_urlpatterns

app_name = "service"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("team/", views_team.team, name="team"),
    path("team/<int:user_id>/", views_team.team_agent, name="team_agent"),
    path("team/<int:user_id>/profile/", views_team.team_member_update, name="team_member_update"),
    path("team/<int:user_id>/skills/", views_team.team_agent_skill, name="team_agent_skill"),
    path("me/availability/", views_team.my_availability, name="my_availability"),
    path("reports/", report_views.service_reports, name="reports"),
    path("reports/<str:name>.csv", report_views.service_report_csv, name="report_csv"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("views/", views.saved_view_save, name="saved_view_save"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("tickets/bulk/", views.ticket_bulk, name="ticket_bulk"),
    path("tickets/changes/", views.ticket_changes, name="ticket_changes"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/viewers/", views.ticket_viewers, name="ticket_viewers"),
    path(
        "tickets/<int:pk>/conversation/",
        views.ticket_entries_between,
        name="ticket_entries_between",
    ),
    path("tickets/<int:pk>/entries/", views.ticket_entry_add, name="ticket_entry_add"),
    path("tickets/<int:pk>/properties/", views.ticket_properties, name="ticket_properties"),
    path("tickets/<int:pk>/status/", views.ticket_status, name="ticket_status"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:pk>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("tickets/<int:pk>/merge/", views.ticket_merge, name="ticket_merge"),
    path("calls/new/", views.call_new, name="call_new"),
    path("attachments/<str:token>/", views.attachment_download, name="attachment_download"),
]
urlpatterns += contract_urlpatterns
urlpatterns += sla_urlpatterns
