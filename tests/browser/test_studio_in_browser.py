"""The main flows of the studio, as a person clicks through them."""

import zipfile

import pytest

from datasets.models import Dataset
from tunes.models import Tune

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def chips_zip(tmp_path, shared_data):
    """The real Sen1Floods11 S1 chips and labels, zipped as a person would."""
    path = tmp_path / "sen1floods11.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for folder in ("S1Hand", "LabelHand"):
            for chip in sorted((shared_data / "sen1floods11" / folder).glob("*.tif")):
                archive.write(chip, f"{folder}/{chip.name}")
    return path


def _next_step(page, heading: str) -> None:
    """Press Next and wait until htmx has swapped in and wired up the next step."""
    page.click("button:has-text('Next')")
    page.wait_for_selector(f"#wizard h2:has-text('{heading}')")
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def _sign_in(page, user) -> None:
    page.goto("/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "alice-pass-123")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Model catalog')")


class TestStudioInBrowser:
    def test_onboard_tune_watch_and_delete(
        self, page, shoot, user, chips_zip, start_worker, shared_data
    ):
        start_worker()
        _sign_in(page, user)
        shoot("01-catalog")

        # Onboard the sample chips from a zip.
        page.click("nav >> text=Datasets")
        page.click("a[href='/datasets/new/'] >> nth=0")
        page.fill("input[name=name]", "Floods from the browser")
        page.fill("input[name=source_name]", "Sentinel-1 GRD")
        page.set_input_files("input[name=archive]", str(chips_zip))
        page.fill("input[name=image_suffix]", "_S1Hand.tif")
        page.fill("input[name=label_suffix]", "_LabelHand.tif")
        page.fill("textarea[name=bands]", "VV\nVH")
        page.fill("textarea[name=categories]", "0:dry:#a6761d:0.2\n1:water:#1f78b4:0.8")
        shoot("02-onboard-form")
        page.click("button[type=submit]:has-text('Add dataset')")
        page.wait_for_selector(".badge.status-ready", timeout=120_000)
        shoot("03-dataset-ready")
        assert page.locator("text=Paraguay_34417").count() >= 1
        assert Dataset.objects.get(name="Floods from the browser").status == "ready"

        # Create a tune through every step of the wizard.
        page.click("nav >> text=Create new tune")
        page.wait_for_load_state("load")  # htmx wires the page up on load
        page.fill("input[name=name]", "Browser flood tune")
        page.select_option(
            "select[name=template]",
            label="timm_resnet: Segmentation (for resnet backbones)",
        )
        # Only the five ResNets (and the empty choice) fit this template.
        page.wait_for_function(
            "document.querySelectorAll('select[name=backbone] option').length === 6"
        )
        page.select_option("select[name=backbone]", label="timm_resnet18")
        shoot("04-wizard-setup")
        _next_step(page, "Select your dataset")
        page.select_option("select[name=dataset]", label="Floods from the browser")
        page.wait_for_selector("#dataset-bands table")
        shoot("05-wizard-dataset")
        _next_step(page, "Set the tune parameters")
        page.click("button[data-tab=runner]")
        page.fill("input[name=max_epochs]", "2")
        page.click("button[data-tab=data]")
        page.fill("input[name=crop_size]", "64")
        page.fill("input[name=batch_size]", "2")
        shoot("06-wizard-parameters")
        _next_step(page, "Review your selections")
        shoot("07-wizard-review")
        page.click("button:has-text('Create tune')")
        page.wait_for_selector(".toast:has-text('was submitted')")
        shoot("08-submitted")

        # Watch it train: the card polls by itself until the tune finishes.
        page.wait_for_selector(
            ".model-card:has-text('Browser flood tune') .badge.status-finished",
            timeout=180_000,
        )
        page.click(".model-card:has-text('Browser flood tune')")
        page.wait_for_selector("#chart-mIoU .main-svg")
        page.click("text=View metrics")
        shoot("09-model-page")
        tune = Tune.objects.get(name="Browser flood tune")
        assert tune.status == Tune.Status.FINISHED
        assert tune.checkpoint_path.is_file()
        assert page.locator("text=Per label category").count() == 1

        # Try it in the lab on a chip of its own, and see the prediction.
        page.click("#tune-actions >> text=Try in Lab")
        page.wait_for_selector("dialog#lab-dialog[open]")
        shoot("10-try-in-lab-dialog")
        page.click(
            "dialog#lab-dialog[open] >> button:has-text('Save and open the lab')"
        )
        page.wait_for_selector("#run-form")
        page.fill("#run-form input[name=name]", "Nigeria from an upload")
        page.check("#run-form input[name=source][value=upload]")
        page.set_input_files(
            "#run-form input[name=upload]",
            str(shared_data / "sen1floods11" / "S1Hand" / "Nigeria_812045_S1Hand.tif"),
        )
        page.click("#run-form button:has-text('Start the run')")
        page.wait_for_selector("#run-status[data-status=finished]", timeout=120_000)
        prediction = page.locator(
            "#lab-map img.leaflet-tile-loaded[src*='/prediction/']"
        )
        prediction.first.wait_for()
        assert page.locator("#layer-controls >> text=Model prediction").count() == 1
        assert page.locator(".lab-legend >> text=water").count() == 1
        shoot("11-lab-prediction")

        page.click(f"a[href='{tune.get_absolute_url()}'] >> nth=0")
        page.wait_for_selector("text=Nigeria from an upload")
        # htmx wires the page up once it has loaded; a click before that
        # follows the plain link, the page without JavaScript.
        page.wait_for_load_state("load")

        # Delete it: a confirmation, then a toast.
        page.click("#tune-actions >> text=Delete")
        page.wait_for_selector("dialog[open] >> text=Delete “Browser flood tune”?")
        shoot("12-delete-confirm")
        page.click("dialog[open] >> button:has-text('Delete tune')")
        page.wait_for_selector(".toast:has-text('was deleted')")
        shoot("13-deleted")
        assert not Tune.objects.filter(name="Browser flood tune").exists()
