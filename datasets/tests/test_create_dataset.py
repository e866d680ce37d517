import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.conf import Conf

from datasets.models import Dataset

from .helpers import SEN1FLOODS11

pytestmark = pytest.mark.django_db

URL = reverse("datasets:create_dataset")


def _zip_of_sample() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for subfolder in ("S1Hand", "LabelHand"):
            for path in sorted((SEN1FLOODS11 / subfolder).iterdir()):
                zipped.write(path, f"{subfolder}/{path.name}")
    return SimpleUploadedFile("chips.zip", buffer.getvalue(), "application/zip")


def _form(**changes):
    data = {
        "name": "My floods",
        "description": "Uploaded in a test.",
        "task_type": "segmentation",
        "image_suffix": "_S1Hand.tif",
        "label_suffix": "_LabelHand.tif",
        "label_nodata": "-1",
        "bands": "VV\nVH:1",
        "categories": "0:dry:#a6761d\n1:water:#1f78b4",
        "archive": _zip_of_sample(),
    }
    return data | changes


class TestCreateDataset:
    def test_it_shows_the_form(self, signed_in):
        response = signed_in.get(URL)

        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.content.decode()

    def test_it_creates_and_onboards_a_dataset(
        self,
        signed_in,
        user,
        storage_root,
        monkeypatch,
        django_capture_on_commit_callbacks,
    ):
        monkeypatch.setattr(Conf, "SYNC", True)

        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in.post(URL, _form(), follow=True)

        dataset = Dataset.objects.get(name="My floods")
        assert response.redirect_chain[-1][0] == reverse(
            "datasets:show_dataset", args=[dataset.pk]
        )
        assert "being checked" in response.content.decode()
        assert dataset.owner == user and not dataset.shared
        assert dataset.status == Dataset.Status.READY, dataset.status_message
        assert [band.name for band in dataset.bands.all()] == ["VV", "VH"]
        assert dataset.label_categories.get(value=1).colour == "#1f78b4"
        assert dataset.chips.count() == 11
        # The uploaded archive is gone once unpacked into the dataset folder.
        assert list((storage_root / "uploads").iterdir()) == []

    def test_it_saves_the_upload_under_the_storage_root(
        self, signed_in, storage_root, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            signed_in.post(URL, _form())

        assert len(callbacks) == 1
        (upload,) = (storage_root / "uploads").iterdir()
        assert upload.suffix == ".zip" and zipfile.is_zipfile(upload)
        assert Dataset.objects.get().status == Dataset.Status.PENDING

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"bands": ""}, "This field is required"),
            ({"bands": "VV\nVV"}, "Band names must differ"),
            ({"bands": "VV:zero"}, "scaling factor must be a number"),
            ({"categories": "0:dry\nwater"}, "VALUE:NAME"),
            ({"categories": "-1:unknown"}, "reserved"),
            ({"categories": ""}, "needs at least one label category"),
            ({"categories": "0:dry:brown"}, "colour must look like"),
            ({"label_suffix": "_S1Hand.tif"}, "suffixes must differ"),
            (
                {"archive": SimpleUploadedFile("chips.zip", b"not a zip")},
                "not a zip file",
            ),
        ],
    )
    def test_it_rejects_bad_input(self, signed_in, changes, error):
        response = signed_in.post(URL, _form(**changes))

        assert response.status_code == 200
        assert error in response.content.decode()
        assert not Dataset.objects.exists()
