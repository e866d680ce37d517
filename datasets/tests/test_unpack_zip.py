import zipfile

import pytest

from datasets import onboarding
from datasets.models import Dataset

from .helpers import SEN1FLOODS11, make_dataset, onboarded, write_synthetic_chips

pytestmark = pytest.mark.django_db


def _zip_folder(folder, archive, prefix=""):
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.iterdir()):
            zipped.write(path, f"{prefix}{path.name}")
    return archive


class TestUnpackZip:
    def test_it_onboards_a_zip_with_subfolders(self, tmp_path):
        archive = tmp_path / "chips.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for subfolder in ("S1Hand", "LabelHand"):
                for path in sorted((SEN1FLOODS11 / subfolder).iterdir()):
                    zipped.write(path, f"sen1floods11/{subfolder}/{path.name}")
            # macOS adds resource forks whose names end with the same suffix.
            zipped.writestr("__MACOSX/sen1floods11/._USA_905409_S1Hand.tif", b"x")

        dataset = onboarded(make_dataset(), archive)

        assert dataset.status == Dataset.Status.READY, dataset.status_message
        assert dataset.chips.count() == 11
        assert (dataset.folder / "source" / "sen1floods11" / "S1Hand").is_dir()

    def test_it_refuses_a_path_escaping_the_folder(self, tmp_path):
        archive = _zip_folder(
            write_synthetic_chips(tmp_path / "chips", 3), tmp_path / "chips.zip"
        )
        with zipfile.ZipFile(archive, "a") as zipped:
            zipped.writestr("../../escaped_S1Hand.tif", b"not a tiff")

        dataset = onboarded(make_dataset(), archive)

        assert dataset.status == Dataset.Status.FAILED
        assert "path outside its folder" in dataset.status_message
        assert "escaped_S1Hand.tif" in dataset.log_path.read_text()
        assert not list(tmp_path.rglob("escaped_S1Hand.tif"))
        assert not (dataset.folder / "source").exists()

    @pytest.mark.parametrize("name", ["/etc/evil.tif", "C:/evil.tif", "a/../../x.tif"])
    def test_it_refuses_absolute_and_drive_paths(self, tmp_path, name):
        archive = tmp_path / "evil.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr(name, b"x")

        with pytest.raises(onboarding.OnboardingError, match="outside its folder"):
            onboarding.unpack_zip(archive, tmp_path / "out")

    def test_it_refuses_a_file_that_is_not_a_zip(self, tmp_path):
        archive = tmp_path / "chips.zip"
        archive.write_text("hello")

        dataset = onboarded(make_dataset(), archive)

        assert dataset.status == Dataset.Status.FAILED
        assert "not a zip file" in dataset.status_message

    def test_it_refuses_an_empty_zip(self, tmp_path):
        archive = tmp_path / "empty.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("folder/", b"")

        dataset = onboarded(make_dataset(), archive)

        assert dataset.status == Dataset.Status.FAILED
        assert "empty" in dataset.status_message

    def test_it_refuses_an_absurd_expansion_ratio(self, tmp_path, monkeypatch):
        monkeypatch.setattr(onboarding, "RATIO_CHECKED_FROM_BYTES", 1024 * 1024)
        archive = tmp_path / "bomb.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            zipped.writestr("zeros_S1Hand.tif", bytes(20 * 1024 * 1024))

        dataset = onboarded(make_dataset(), archive)

        assert dataset.status == Dataset.Status.FAILED
        assert "zip bomb" in dataset.status_message
        assert not (dataset.folder / "source").exists()
