from django.conf import settings

from kefu.accounts.policy import is_staff


def kefu(request):
    """Values every page template needs: whether the user is staff, languages, the version."""
    from kefu import __version__

    user = getattr(request, "user", None)
    return {
        "kefu_version": __version__,
        "kefu_is_staff": is_staff(user),
        "kefu_languages": settings.LANGUAGES,
    }
