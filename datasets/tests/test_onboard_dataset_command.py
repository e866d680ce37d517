import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset

from .helpers import REGRESSION, SEN1FLOODS11

pytestmark = pytest.mark.django_db

SEGMENTATION_ARGS = [
    "--name=Floods",
    "--image-suffix=_S1Hand.tif",
    "--label-suffix=_LabelHand.tif",
    "--band=VV",
    "--band=VH:1",
    "--category=0:dry:#a6761d",
    "--category=1:water",
]


class TestOnboardDatasetCommand:
    def test_it_onboards_a_folder(self, user):
        call_command(
            "onboard_dataset", str(SEN1FLOODS11), *SEGMENTATION_ARGS, "--owner=alice"
        )

        dataset = Dataset.objects.get()
        assert dataset.owner == user and not dataset.shared
        assert dataset.status == Dataset.Status.READY
        assert dataset.label_categories.get(value=1).colour.startswith("#")

    def test_it_onboards_a_regression_dataset(self):
        call_command(
            "onboard_dataset",
            str(REGRESSION),
            "--name=Biomass",
            "--task-type=regression",
            "--image-suffix=_input.tif",
            "--label-suffix=_label.tif",
            *[f"--band=B{n}:0.0001" for n in range(10)],
            "--shared",
        )

        dataset = Dataset.objects.get()
        assert dataset.status == Dataset.Status.READY
        assert dataset.bands.first().scaling_factor == 0.0001

    def test_it_queues_when_asked(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            call_command(
                "onboard_dataset",
                str(SEN1FLOODS11),
                *SEGMENTATION_ARGS,
                "--shared",
                "--queue",
            )

        assert len(callbacks) == 1
        assert Dataset.objects.get().status == Dataset.Status.PENDING

    @pytest.mark.parametrize(
        ("args", "error"),
        [
            (["/no/such/folder", *SEGMENTATION_ARGS, "--shared"], "does not exist"),
            (
                [str(REGRESSION / "hls_sample_input.tif"), *SEGMENTATION_ARGS],
                "neither a folder nor a zip file",
            ),
            ([str(SEN1FLOODS11), *SEGMENTATION_ARGS], "--owner, --shared"),
            ([str(SEN1FLOODS11), *SEGMENTATION_ARGS, "--owner=nobody"], "No user"),
            (
                [str(SEN1FLOODS11), *SEGMENTATION_ARGS, "--band=VV", "--shared"],
                "differ",
            ),
            ([str(SEN1FLOODS11), *SEGMENTATION_ARGS, "--band=:2", "--shared"], "name"),
            (
                [str(SEN1FLOODS11), *SEGMENTATION_ARGS, "--category=x:y", "--shared"],
                "whole number",
            ),
            (
                [str(SEN1FLOODS11), *SEGMENTATION_ARGS[:5], "--shared"],
                "at least one label category",
            ),
            (
                [
                    str(SEN1FLOODS11),
                    *SEGMENTATION_ARGS,
                    "--task-type=regression",
                    "--shared",
                ],
                "no label categories",
            ),
        ],
    )
    def test_it_rejects_bad_input(self, user, args, error):
        with pytest.raises(CommandError, match=error):
            call_command("onboard_dataset", *args)

        assert not Dataset.objects.exists()

    def test_it_exits_non_zero_when_onboarding_fails(self, tmp_path):
        (tmp_path / "empty").mkdir()

        with pytest.raises(CommandError, match="failed: No file name ends"):
            call_command(
                "onboard_dataset",
                str(tmp_path / "empty"),
                *SEGMENTATION_ARGS,
                "--shared",
            )
