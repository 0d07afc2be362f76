from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.policy import is_portal_user, staff_required
from kefu.core.models import Heartbeat


@login_required
def home(request):
    """Staff land on their dashboard; portal customers are sent to the portal."""
    if is_portal_user(request.user):
        try:
            return redirect("portal:home")
        except Exception:
            return render(request, "core/no_access.html", status=403)
    from kefu.core.dashboard import home_tiles

    return render(request, "core/home.html", {"tiles": home_tiles(request.user)})


@staff_required("core.view_heartbeat")
def status(request):
    """The system status page: the job consumer's heartbeat, database and queue backends."""
    beats = list(Heartbeat.objects.order_by("name"))
    now = timezone.now()
    for beat in beats:
        beat.age_seconds = int((now - beat.beat_at).total_seconds())
        beat.is_alive = beat.age_seconds < 180
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
    except Exception:
        pending = None
    context = {
        "beats": beats,
        "database_vendor": connection.vendor,
        "queue_backend": type(HUEY).__name__,
        "pending": pending,
        "debug": settings.DEBUG,
    }
    return render(request, "core/status.html", context)


def ratelimited(request, exception=None):
    return HttpResponse(_("Too many requests. Please wait a moment and try again."), status=429)


SEARCH_LIMIT = 20
SEARCH_DROPDOWN_LIMIT = 5
SEARCH_MAX_QUERY = 200


@staff_required()
def search(request):
    """The global search box: customers (and, as apps register, tickets and articles).

    Each group comes from a provider that only answers for users allowed to see its records.
    htmx requests get the groups alone; ``?dropdown=1`` (the as-you-type list under the top
    bar's box, see static/kefu/search.js) gets a short list of each group.
    """
    from kefu.core.search.providers import global_search

    query = (request.GET.get("q") or "").strip()[:SEARCH_MAX_QUERY]
    is_dropdown = request.GET.get("dropdown") == "1"
    limit = SEARCH_DROPDOWN_LIMIT if is_dropdown else SEARCH_LIMIT
    groups = global_search(request.user, query, limit=limit) if query else []
    template = "core/search_results.html"
    if request.htmx or is_dropdown:
        template = "core/_search_groups.html"
    context = {"query": query, "groups": groups, "is_dropdown": is_dropdown}
    return render(request, template, context)


@staff_required()
def settings_home(request):
    """The administrators' hub: links to every configuration area the user may open."""
    from kefu.core.settings_registry import settings_links

    return render(request, "core/settings.html", {"links": settings_links(request.user)})
