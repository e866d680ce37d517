import io
import zipfile

import pytest
import yaml
from django.urls import reverse

from .factories import HLS, make_hls_dataset, make_tune, make_tune_of

pytestmark = pytest.mark.django_db


class TestDownloadConfig:
    def test_it_zips_the_config_its_splits_and_a_readme(self, signed_in, user):
        dataset = make_hls_dataset(user)
        dataset.split_file("train").parent.mkdir(parents=True)
        dataset.split_file("train").write_text("a\nb\n")
        tune = make_tune_of("Prithvi_EO_V1_100M", user, dataset)

        response = signed_in.get(reverse("tunes:download_config", args=[tune.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert f"tune-{tune.pk}-config.zip" in response["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = set(archive.namelist())
            config = yaml.safe_load(archive.read("config.yaml"))
            train = archive.read("splits/train.txt").decode()
            readme = archive.read("README.txt").decode()
        assert names == {
            "config.yaml",
            "README.txt",
            "splits/train.txt",
            "splits/val.txt",
            "splits/test.txt",
        }
        assert train == "a\nb\n"
        assert config["model"]["init_args"]["model_args"]["backbone_bands"] == HLS
        assert "terratorch fit --config config.yaml" in readme

    def test_the_model_page_links_to_it(self, signed_in, user):
        tune = make_tune(user)
        page = signed_in.get(tune.get_absolute_url()).content.decode()
        assert reverse("tunes:download_config", args=[tune.pk]) in page
        assert "Download config" in page

    def test_it_checks_ownership(self, signed_in, other_user):
        private = make_tune(other_user)
        response = signed_in.get(reverse("tunes:download_config", args=[private.pk]))
        assert response.status_code == 404
