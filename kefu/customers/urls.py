from django.urls import include, path

from kefu.customers import views

app_name = "customers"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path(
        "organizations/<int:pk>/panels/<str:panel>/",
        views.organization_panel,
        name="organization_panel",
    ),
    path("organizations/<int:pk>/sites/", views.site_list, name="site_list"),
    path("organizations/<int:pk>/sites/new/", views.site_create, name="site_create"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:pk>/delete/", views.site_delete, name="site_delete"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/consent/", views.contact_consent_add, name="contact_consent_add"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/new/", views.asset_create, name="asset_create"),
    path("assets/<int:pk>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:pk>/delete/", views.asset_delete, name="asset_delete"),
    path(
        "timeline/<str:owner>/<int:pk>/",
        views.timeline_more,
        name="timeline_more",
    ),
    path(
        "timeline/<str:owner>/<int:pk>/note/",
        views.timeline_note_add,
        name="timeline_note_add",
    ),
    path(
        "timeline/<str:owner>/<int:pk>/call/",
        views.timeline_call_log,
        name="timeline_call_log",
    ),
    path("lookup/<str:kind>/", views.lookup, name="lookup"),
    path("data/", include("kefu.customers.importexport.urls")),
    path("settings/tiers/", views.tier_list, name="tier_list"),
    path("settings/tiers/new/", views.tier_edit, name="tier_create"),
    path("settings/tiers/<int:pk>/", views.tier_edit, name="tier_edit"),
    path("settings/tiers/<int:pk>/delete/", views.tier_delete, name="tier_delete"),
]
