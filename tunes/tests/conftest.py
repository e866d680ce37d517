import pytest

# The HLS-like sample's ten bands: Landsat's seven reflective bands, then three
# that no backbone was pretrained on.
REGRESSION_BANDS = [
    "COASTAL_AEROSOL",
    "BLUE",
    "GREEN",
    "RED",
    "NIR_NARROW",
    "SWIR_1",
    "SWIR_2",
    "EXTRA_1",
    "EXTRA_2",
    "EXTRA_3",
]


@pytest.fixture(autouse=True)
def empty_hub_cache(tmp_path, settings):
    """No test finds weights in this machine's Hugging Face cache."""
    settings.HUB_CACHE_DIR = str(tmp_path / "hub-cache")
    settings.WEIGHTS_FROM_HUB = False
    return tmp_path / "hub-cache"


@pytest.fixture
def regression_dataset(db, user, shared_data):
    """The real HLS sample chip, onboarded as a regression dataset."""
    from datasets.models import Band, Dataset
    from datasets.onboarding import onboard_dataset

    dataset = Dataset.objects.create(
        owner=user,
        name="HLS regression sample",
        task_type=Dataset.TaskType.REGRESSION,
        image_suffix="_input.tif",
        label_suffix="_label.tif",
        label_nodata=-1,
    )
    for index, name in enumerate(REGRESSION_BANDS):
        Band.objects.create(dataset=dataset, index=index, name=name)
    onboard_dataset(dataset.pk, str(shared_data / "regression"))
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.READY, dataset.status_message
    return dataset


@pytest.fixture
def resnet18_weights(tmp_path):
    """A weights file for timm's ResNet-18, as timm saves them."""
    import timm
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(1)
    model = timm.create_model("resnet18", pretrained=False)
    path = tmp_path / "resnet18.safetensors"
    save_file(model.state_dict(), str(path))
    return path
