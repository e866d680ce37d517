import pytest

from tunes.models import Backbone

pytestmark = pytest.mark.django_db


class TestShowBackbone:
    def test_it_says_where_weights_come_from(self, signed_in):
        backbone = Backbone.objects.get(name="Prithvi_EO_V1_100M")

        page = signed_in.get(backbone.get_absolute_url()).content.decode()
        assert "ibm-nasa-geospatial/Prithvi-EO-1.0-100M/Prithvi_EO_V1_100M.pt" in page
        assert "random initialisation" in page

        backbone.weights_path = "/weights/prithvi.pt"
        backbone.weights_check_message = "120 of 121 weight tensors loaded"
        backbone.save()
        page = signed_in.get(backbone.get_absolute_url()).content.decode()
        assert "/weights/prithvi.pt" in page
        assert "120 of 121 weight tensors loaded" in page
