import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Make sure a local account exists to sign in with. A new account gets a "
        "random password, printed once; an existing one is left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="studio")

    def handle(self, *args, username: str, **options) -> None:
        if not username.strip():
            raise CommandError("--username cannot be empty.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Local account '{username}' exists. Forgot its password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        banner = "=" * 60
        # Where scripts/serve.sh is about to listen.
        address = os.environ.get("STUDIO_ADDRESS", "127.0.0.1:8000")
        self.stdout.write(
            f"{banner}\nSign in at http://{address}/ with\n"
            f"  username: {username}\n  password: {password}\n"
            f"This password is shown only once.\n{banner}"
        )
