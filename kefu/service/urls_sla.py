"""URL patterns of the SLA screens, added to ``service.urls`` (namespace ``service``)."""

from django.urls import path

from kefu.service import views_sla as views

urlpatterns = [
    path("sla/breaching/", views.sla_breaching, name="sla_breaching"),
    path("sla/", views.calendar_list, name="sla_calendar_list"),
    path("sla/calendars/new/", views.calendar_new, name="sla_calendar_new"),
    path("sla/calendars/<int:pk>/", views.calendar_edit, name="sla_calendar_edit"),
    path("sla/policies/new/", views.policy_new, name="sla_policy_new"),
    path("sla/policies/<int:pk>/", views.policy_edit, name="sla_policy_edit"),
]
