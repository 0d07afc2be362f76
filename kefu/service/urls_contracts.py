"""URL patterns of contracts and vendors, added to ``service.urls`` (namespace ``service``)."""

from django.urls import path

from kefu.service import views_contracts as views

urlpatterns = [
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/scope/", views.contract_scope_fields, name="contract_scope"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("vendors/contracts/", views.uc_list, name="uc_list"),
    path("vendors/contracts/new/", views.uc_new, name="uc_new"),
    path("vendors/contracts/<int:pk>/", views.uc_detail, name="uc_detail"),
    path("vendors/contracts/<int:pk>/edit/", views.uc_edit, name="uc_edit"),
    path("vendors/compliance/", views.vendor_compliance, name="vendor_compliance"),
    path("tickets/<int:pk>/dispatch/", views.ticket_dispatch, name="ticket_dispatch"),
    path("dispatches/<int:pk>/respond/", views.dispatch_respond, name="dispatch_respond"),
    path("dispatches/<int:pk>/resolve/", views.dispatch_resolve, name="dispatch_resolve"),
    path("dispatches/<int:pk>/cancel/", views.dispatch_cancel, name="dispatch_cancel"),
]
