from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kefu.api import api

urlpatterns = [
    path("", include("kefu.core.urls")),
    path("accounts/", include("kefu.accounts.urls")),
    path("customers/", include("kefu.customers.urls")),
    path("service/", include("kefu.service.urls")),
    path("channels/", include("kefu.channels.urls")),
    path("knowledge/", include("kefu.knowledge.urls")),
    path("portal/", include("kefu.portal.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
