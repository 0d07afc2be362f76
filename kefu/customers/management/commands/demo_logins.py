"""``kefu demo_logins``: print the demo accounts ``kefu seed --demo`` created, with passwords."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from kefu.customers.management.commands.seed import DEMO_USERS, demo_logins_path

ROLE_LABELS = {
    "admin": "administrator",
    "supervisor": "supervisor",
    "agent": "agent",
    "portal": "portal customer",
}


class Command(BaseCommand):
    help = "Print the demo logins (created by `kefu seed --demo`)."

    def handle(self, *args, **options):
        path = demo_logins_path()
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        existing = set(
            get_user_model()
            .objects.filter(username__in=[u[0] for u in DEMO_USERS], is_active=True)
            .values_list("username", flat=True)
        )
        rows = [
            (username, stored[username])
            for username, *_rest in DEMO_USERS
            if username in existing and username in stored
        ]
        if not rows:
            self.stdout.write("No demo logins: run `kefu seed --demo` first.")
            return
        self.stdout.write("Demo logins (from `kefu seed --demo`):")
        for username, login in rows:
            role = ROLE_LABELS.get(login.get("role", ""), login.get("role", ""))
            self.stdout.write(f"  {role:<16} {username:<12} password: {login['password']}")
