import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure a local account exists to sign in with. A new account gets a "
        "random password, printed once; an existing one is left alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="studio")

    def handle(self, *args, username: str, **options) -> None:
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
        self.stdout.write(
            f"{banner}\nSign in at http://127.0.0.1:8000/ with\n"
            f"  username: {username}\n  password: {password}\n"
            f"This password is shown only once.\n{banner}"
        )
