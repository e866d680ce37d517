from datetime import date

import pytest
from django.core.management import CommandError, call_command

from lab.models import Scene

pytestmark = pytest.mark.django_db


class TestSeedSampleScenes:
    def test_it_registers_the_sample_catalog(self):
        call_command("seed_sample_scenes")

        assert Scene.objects.count() == 12
        assert Scene.objects.filter(collection="sentinel-1-grd").count() == 11
        assert set(Scene.objects.values_list("acquired", flat=True)) == {
            date(2019, 1, 1)
        }
        assert not Scene.objects.filter(acquired_is_placeholder=False).exists()
        ftw = Scene.objects.get(collection="ftw-sentinel-2")
        assert ftw.bands[:4] == ["R_date1", "G_date1", "B_date1", "NIR_date1"]
        assert "MIT" in ftw.attribution
        assert "Bonafilia" in Scene.objects.get(name="Nigeria_812045").attribution

    def test_a_second_run_does_nothing(self, capsys):
        call_command("seed_sample_scenes")
        registered = set(Scene.objects.values_list("pk", "registered"))

        call_command("seed_sample_scenes")

        assert set(Scene.objects.values_list("pk", "registered")) == registered
        assert "nothing to do" in capsys.readouterr().out

    def test_it_fails_without_the_sample_data(self, settings, tmp_path):
        settings.SAMPLE_DATA_DIR = tmp_path

        with pytest.raises(CommandError, match="sample scenes are missing"):
            call_command("seed_sample_scenes")
