from django.urls import path

from kefu.bench.views import one_insert
from kefu.urls import urlpatterns as kefu_urlpatterns

urlpatterns = [path("bench/one-insert/", one_insert, name="bench_one_insert"), *kefu_urlpatterns]
