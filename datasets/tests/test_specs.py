import pytest

from datasets.specs import BandSpec, CategorySpec, parse_band, parse_category


class TestSpecs:
    @pytest.mark.parametrize(
        ("text", "band"),
        [
            ("VV", BandSpec("VV")),
            ("B04:0.0001", BandSpec("B04", 0.0001)),
            ("B04:0.0001:r", BandSpec("B04", 0.0001, "R")),
            ("B02::B", BandSpec("B02", 1.0, "B")),
        ],
    )
    def test_it_parses_bands(self, text, band):
        assert parse_band(text) == band

    @pytest.mark.parametrize(
        ("text", "error"),
        [
            (":2", "needs a name"),
            ("B04:x", "must be a number"),
            ("B04:1:X", "R, G or B"),
            ("B04:1:R:extra", "NAME:SCALE:R|G|B"),
        ],
    )
    def test_it_names_what_is_wrong_with_a_band(self, text, error):
        with pytest.raises(ValueError, match=error):
            parse_band(text)

    def test_it_parses_a_category_with_opacity_and_weight(self):
        assert parse_category("1:water:#1F78B4:0.8:2.5") == CategorySpec(
            1, "water", "#1f78b4", 0.8, 2.5
        )

    @pytest.mark.parametrize(
        ("text", "error"),
        [
            ("1:water:#1f78b4:1.5", "from 0 to 1"),
            ("1:water:#1f78b4:0.5:-1", "cannot be negative"),
            ("1:water:blue", "#1f78b4"),
            ("1", "VALUE:NAME"),
        ],
    )
    def test_it_names_what_is_wrong_with_a_category(self, text, error):
        with pytest.raises(ValueError, match=error):
            parse_category(text)
