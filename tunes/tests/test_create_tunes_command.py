import pytest
from django.core.management import CommandError, call_command

from tunes.models import Tune

from .factories import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(user):
    dataset = make_dataset(user, name="Flood chips")
    for chip in "abcd":
        dataset.chips.create(chip_id=chip, split="train")
    return dataset


def _write(tmp_path, text):
    path = tmp_path / "tunes.yaml"
    path.write_text(text)
    return path


class TestCreateTunesCommand:
    def test_it_creates_a_list_and_a_grid_and_queues_them(
        self, tmp_path, user, dataset, django_capture_on_commit_callbacks
    ):
        path = _write(
            tmp_path,
            f"""
owner: {user.username}
tunes:
  - name: One by hand
    dataset: {dataset.pk}
    template: resnet-segmentation
    backbone: timm_resnet50
    parameters: {{max_epochs: 3}}
grid:
  name: "{{backbone}} lr={{lr}}"
  template: resnet-segmentation
  backbones: [timm_resnet18, timm_resnet34]
  datasets: [Flood chips]
  parameters: {{lr: [0.001, 0.0001], max_epochs: 5}}
""",
        )

        with django_capture_on_commit_callbacks() as enqueued:
            call_command("create_tunes", str(path))

        names = sorted(Tune.objects.values_list("name", flat=True))
        assert names == [
            "One by hand",
            "timm_resnet18 lr=0.0001",
            "timm_resnet18 lr=0.001",
            "timm_resnet34 lr=0.0001",
            "timm_resnet34 lr=0.001",
        ]
        assert len(enqueued) == 5
        grid_tune = Tune.objects.get(name="timm_resnet34 lr=0.0001")
        assert grid_tune.status == Tune.Status.QUEUED
        assert grid_tune.parameters["lr"] == 0.0001
        assert grid_tune.parameters["max_epochs"] == 5
        assert grid_tune.owner == user

    def test_a_dry_run_creates_nothing(self, tmp_path, user, dataset, capsys):
        path = _write(
            tmp_path,
            f"""
grid:
  template: resnet-segmentation
  backbones: timm_resnet18
  datasets: [{dataset.pk}]
""",
        )
        call_command("create_tunes", str(path), "--owner", user.username, "--dry-run")
        assert "Would create" in capsys.readouterr().out
        assert not Tune.objects.exists()

    def test_one_bad_tune_stops_them_all(self, tmp_path, user, dataset):
        path = _write(
            tmp_path,
            f"""
owner: {user.username}
tunes:
  - {{name: Good, dataset: {dataset.pk}, template: resnet-segmentation,
     backbone: timm_resnet18}}
  - {{name: Bad, dataset: {dataset.pk}, template: resnet-segmentation,
     backbone: clay_v1_base, parameters: {{max_epochs: -1}}}}
  - {{name: Nowhere, dataset: No such chips, template: resnet-segmentation,
     backbone: timm_resnet18}}
""",
        )

        with pytest.raises(CommandError) as error:
            call_command("create_tunes", str(path))

        message = str(error.value)
        assert "tune 2 (Bad): backbone" in message
        assert "tune 3 (Nowhere): dataset" in message
        assert not Tune.objects.exists()

    @pytest.mark.parametrize(
        ("text", "error"),
        [
            ("- just a list", "mapping"),
            ("tunes: [}", "not valid YAML"),
            ("colour: blue", "Unknown keys"),
            ("grid: {template: segmentation}", "needs `backbones`"),
        ],
    )
    def test_it_rejects_bad_files(self, tmp_path, user, text, error):
        path = _write(tmp_path, text)
        with pytest.raises(CommandError, match=error):
            call_command("create_tunes", str(path), "--owner", user.username)

    def test_it_rejects_an_unknown_owner(self, tmp_path):
        path = _write(tmp_path, "owner: nobody\ntunes: []")
        with pytest.raises(CommandError, match="No user named 'nobody'"):
            call_command("create_tunes", str(path))
