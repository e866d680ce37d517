"""The Trainer arguments a worker's machine decides."""

from tunes.trainer_settings import WorkerDDPStrategy, parse_devices, trainer_kwargs


class TestTrainerSettings:
    def test_by_default_a_tune_trains_on_one_device(self, settings):
        assert trainer_kwargs() == {
            "accelerator": "auto",
            "devices": 1,
            "strategy": "auto",
        }

    def test_several_gpus_are_one_process_each_forked_from_the_worker(self, settings):
        settings.TRAINER_ACCELERATOR = "gpu"
        settings.TRAINER_DEVICES = "4"
        settings.TRAINER_PRECISION = "bf16-mixed"
        kwargs = trainer_kwargs()
        assert kwargs["accelerator"] == "gpu"
        assert kwargs["devices"] == 4
        assert kwargs["precision"] == "bf16-mixed"
        # Lightning's own "ddp" would run `manage.py qcluster` once more per
        # device.
        assert isinstance(kwargs["strategy"], WorkerDDPStrategy)
        settings.TRAINER_DEVICES = "1"
        settings.TRAINER_STRATEGY = "ddp"
        assert isinstance(trainer_kwargs()["strategy"], WorkerDDPStrategy)

    def test_other_strategies_pass_through(self, settings):
        settings.TRAINER_STRATEGY = "single_device"
        assert trainer_kwargs()["strategy"] == "single_device"

    def test_it_parses_devices(self):
        assert parse_devices("2") == 2
        assert parse_devices("-1") == -1
        assert parse_devices("0,2") == [0, 2]
        assert parse_devices("auto") == "auto"
