from django.urls import path

from kefu.bench.views import one_insert, one_read
from kefu.urls import urlpatterns as kefu_urlpatterns

urlpatterns = [
    path("bench/one-insert/", one_insert, name="bench_one_insert"),
    path("bench/one-read/", one_read, name="bench_one_read"),
    *kefu_urlpatterns,
]
