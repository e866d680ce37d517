"""A tiny STAC API served on loopback from files a test wrote.

It answers the landing page, item search (GET and POST, filtered by
collection, bbox and datetime) and the asset files themselves, with HTTP range
requests, as GDAL reads a remote GeoTIFF.
"""

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ITEM_SEARCH = "https://api.stacspec.org/v1.0.0/item-search"
CORE = "https://api.stacspec.org/v1.0.0/core"


class StacServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.items: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "StacServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def add_item(
        self,
        item_id: str,
        file: Path,
        bbox: list[float],
        when: str,
        collection: str = "sentinel-1-grd",
        band_names: list[str] | None = None,
    ) -> None:
        west, south, east, north = bbox
        asset = {
            "href": f"{self.url}/files/{file.name}",
            "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            "roles": ["data"],
        }
        if band_names:
            asset["eo:bands"] = [{"name": name} for name in band_names]
        self.items.append(
            {
                "type": "Feature",
                "stac_version": "1.0.0",
                "stac_extensions": [],
                "id": item_id,
                "collection": collection,
                "bbox": bbox,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [west, south],
                            [east, south],
                            [east, north],
                            [west, north],
                            [west, south],
                        ]
                    ],
                },
                "properties": {"datetime": when},
                "assets": {"image": asset},
                "links": [],
            }
        )

    def search(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for item in self.items:
            collections = params.get("collections")
            if collections and item["collection"] not in collections:
                continue
            if params.get("bbox"):
                west, south, east, north = params["bbox"]
                i_west, i_south, i_east, i_north = item["bbox"]
                if i_west > east or i_east < west or i_south > north or i_north < south:
                    continue
            if params.get("datetime"):
                start, _, end = params["datetime"].partition("/")
                when = _parse(item["properties"]["datetime"])
                if start not in ("", "..") and when < _parse(start):
                    continue
                if end not in ("", "..") and when > _parse(end, end_of_day=True):
                    continue
            found.append(item)
        return found[: int(params.get("limit") or 100)]

    def _handler(self):
        stac = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                stac.requests.append(f"GET {self.path}")
                url = urlparse(self.path)
                if url.path in ("", "/"):
                    self._json(stac._landing())
                elif url.path == "/search":
                    query = parse_qs(url.query)
                    params = {key: values[0] for key, values in query.items()}
                    if "bbox" in params:
                        params["bbox"] = [float(v) for v in params["bbox"].split(",")]
                    if "collections" in params:
                        params["collections"] = params["collections"].split(",")
                    self._json(_collection(stac.search(params)))
                elif url.path.startswith("/files/"):
                    self._file(stac.folder / Path(url.path).name, head=False)
                else:
                    self.send_error(404)

            def do_HEAD(self) -> None:
                url = urlparse(self.path)
                if url.path.startswith("/files/"):
                    self._file(stac.folder / Path(url.path).name, head=True)
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                stac.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                params = json.loads(self.rfile.read(length) or b"{}")
                if urlparse(self.path).path == "/search":
                    self._json(_collection(stac.search(params)))
                else:
                    self.send_error(404)

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _file(self, path: Path, head: bool) -> None:
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start, end = 0, len(data) - 1
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes=") and "," not in ranged:
                    first, _, last = ranged[6:].partition("-")
                    start = int(first)
                    end = min(int(last), end) if last else end
                    self.send_response(206)
                    self.send_header(
                        "Content-Range", f"bytes {start}-{end}/{len(data)}"
                    )
                else:
                    self.send_response(200)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "image/tiff")
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                if not head:
                    self.wfile.write(data[start : end + 1])

        return Handler

    def _landing(self) -> dict[str, Any]:
        return {
            "type": "Catalog",
            "stac_version": "1.0.0",
            "id": "test-api",
            "description": "A STAC API served by a test",
            "conformsTo": [CORE, ITEM_SEARCH],
            "links": [
                {"rel": "self", "href": f"{self.url}/"},
                {"rel": "root", "href": f"{self.url}/"},
                {
                    "rel": "search",
                    "href": f"{self.url}/search",
                    "type": "application/geo+json",
                    "method": "GET",
                },
                {
                    "rel": "search",
                    "href": f"{self.url}/search",
                    "type": "application/geo+json",
                    "method": "POST",
                },
            ],
        }


def _collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": items, "links": []}


def _parse(text: str, end_of_day: bool = False) -> datetime:
    text = text.replace("Z", "+00:00")
    if len(text) == 10:
        text += "T23:59:59+00:00" if end_of_day else "T00:00:00+00:00"
    return datetime.fromisoformat(text)
