import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


class TestEnsureLocalAccountCommand:
    def test_it_creates_an_account_once_with_a_random_password(
        self, capsys, monkeypatch
    ):
        monkeypatch.setenv("STUDIO_ADDRESS", "127.0.0.1:8011")
        call_command("ensure_local_account")
        first = capsys.readouterr().out
        password = first.split("password: ")[1].split()[0]

        call_command("ensure_local_account")
        second = capsys.readouterr().out

        user = get_user_model().objects.get(username="studio")
        assert user.check_password(password) and user.is_staff
        assert "http://127.0.0.1:8011/" in first
        assert password not in second and "exists" in second

    def test_it_refuses_an_empty_username(self):
        with pytest.raises(CommandError, match="cannot be empty"):
            call_command("ensure_local_account", "--username", " ")
