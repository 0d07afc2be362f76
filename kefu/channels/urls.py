from django.urls import path

from kefu.channels import views

app_name = "channels"

urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailbox_list"),
    path("mailboxes/new/", views.mailbox_edit, name="mailbox_create"),
    path("mailboxes/<int:pk>/", views.mailbox_edit, name="mailbox_edit"),
    path("inbound/", views.inbound_list, name="inbound_list"),
    path("inbound/<int:pk>/", views.inbound_detail, name="inbound_detail"),
    path("inbound/<int:pk>/raw/", views.inbound_raw, name="inbound_raw"),
    path("inbound/<int:pk>/html/", views.inbound_html, name="inbound_html"),
    path("inbound/<int:pk>/reprocess/", views.inbound_reprocess, name="inbound_reprocess"),
    path("sms/", views.sms_gateway_list, name="sms_gateway_list"),
    path("sms/new/", views.sms_gateway_edit, name="sms_gateway_create"),
    path("sms/<int:pk>/", views.sms_gateway_edit, name="sms_gateway_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<str:key>/<str:language>/", views.template_edit, name="template_edit"),
]
