// The inference lab's map: choosing an area (draw a box, type its edges or
// click a scene's outline) and showing a run's layers. The basemap is the
// vendored Natural Earth country borders: no tile server is ever contacted.
(function () {
  "use strict";

  var SIDES = ["west", "south", "east", "north"];

  function mapData() {
    var element = document.getElementById("lab-map-data");
    return element ? JSON.parse(element.textContent) : {};
  }

  function createMap(element) {
    var map = L.map(element, {worldCopyJump: true, minZoom: 1, maxZoom: 20});
    map.setView([20, 0], 2);
    // The basemap is vector data; its own pane keeps it under the run's
    // tile layers, which live in the tile pane.
    map.createPane("basemap").style.zIndex = 150;
    map.getContainer().classList.add("lab-map-ready");
    fetch(element.dataset.basemap)
      .then(function (response) { return response.json(); })
      .then(function (world) {
        var countries = topojson.feature(world, world.objects.countries);
        countries.features.forEach(splitAtAntimeridian);
        L.geoJSON(countries, {
          pane: "basemap",
          interactive: false,
          style: {color: "#8a94a6", weight: 0.8, fillColor: "#e9edf3", fillOpacity: 1},
        }).addTo(map);
      })
      .catch(function () { /* the map still works without its basemap */ });
    return map;
  }

  // Natural Earth cuts the countries that straddle the antimeridian (Russia,
  // Fiji) with rings that jump from 180 to -180 degrees; drawn flat, such a
  // jump is a line across the whole map. Each ring is split at its jumps and
  // the pieces on either side become polygons of their own.
  function splitAtAntimeridian(feature) {
    var geometry = feature.geometry;
    if (!geometry) return;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : null;
    if (!polygons) return;
    var result = [];
    polygons.forEach(function (polygon) {
      var points = polygon[0].slice(0, -1);
      var jumps = [];
      points.forEach(function (point, i) {
        var previous = points[(i + points.length - 1) % points.length];
        if (Math.abs(point[0] - previous[0]) > 180) jumps.push(i);
      });
      if (!jumps.length) { result.push(polygon); return; }
      var sides = {east: [], west: []};
      var run = [];
      for (var k = 0; k < points.length; k++) {
        var i = (jumps[0] + k) % points.length;
        if (k > 0 && jumps.indexOf(i) >= 0) {
          sides[run[0][0] > 0 ? "east" : "west"] = sides[run[0][0] > 0 ? "east" : "west"].concat(run);
          run = [];
        }
        run.push(points[i]);
      }
      sides[run[0][0] > 0 ? "east" : "west"] = sides[run[0][0] > 0 ? "east" : "west"].concat(run);
      ["east", "west"].forEach(function (side) {
        var ring = sides[side];
        if (ring.length > 2) result.push([ring.concat([ring[0]])]);
      });
    });
    feature.geometry = {type: "MultiPolygon", coordinates: result};
  }

  function boundsOf(bbox) {
    return L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]);
  }

  // --- Choosing the area and dates of a new run --------------------------

  function setUpChooser(map, data) {
    var form = document.getElementById("run-form");
    if (!form) return;
    var inputs = SIDES.map(function (side) { return form.elements[side]; });
    var box = null;

    function typedBbox() {
      var values = inputs.map(function (input) { return parseFloat(input.value); });
      if (values.some(isNaN) || values[0] >= values[2] || values[1] >= values[3]) return null;
      return values;
    }
    function showBox(fit) {
      var bbox = typedBbox();
      if (box) { map.removeLayer(box); box = null; }
      if (!bbox) return;
      box = L.rectangle(boundsOf(bbox), {color: "#0f62fe", weight: 2, fillOpacity: 0.08})
        .addTo(map);
      if (fit) map.fitBounds(box.getBounds(), {maxZoom: 14, padding: [20, 20]});
    }
    function fillBbox(bounds) {
      var values = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
      inputs.forEach(function (input, i) { input.value = values[i].toFixed(6); });
      showBox(false);
    }
    inputs.forEach(function (input) {
      input.addEventListener("change", function () { showBox(true); });
    });

    (data.footprints || []).forEach(function (scene) {
      var label = scene.name + " · " + scene.acquired +
        (scene.placeholder ? " (placeholder date)" : "") +
        (scene.collection ? " · " + scene.collection : "") + " · " + scene.bands;
      var bounds = boundsOf(scene.bbox);
      function choose() {
        fillBbox(bounds);
        map.fitBounds(bounds, {maxZoom: 14, padding: [20, 20]});
      }
      L.rectangle(bounds, {color: "#198038", weight: 1, fillOpacity: 0.05})
        .bindTooltip(label).on("click", choose).addTo(map);
      // A scene a few kilometres wide is a dot at world scale: a marker
      // keeps it findable at every zoom.
      L.circleMarker(bounds.getCenter(), {radius: 6, color: "#198038", weight: 2, fillOpacity: 0.6})
        .bindTooltip(label).on("click", choose).addTo(map);
    });
    if (data.footprints && data.footprints.length && !typedBbox()) {
      var all = L.latLngBounds([]);
      data.footprints.forEach(function (scene) { all.extend(boundsOf(scene.bbox)); });
      map.fitBounds(all, {maxZoom: 10, padding: [20, 20]});
    }
    showBox(true);

    // Drawing: press the button, then drag a box; the map does not pan
    // meanwhile.
    var button = document.getElementById("draw-box");
    var start = null, drawing = false, sketch = null;
    button.addEventListener("click", function () {
      drawing = true;
      map.dragging.disable();
      map.getContainer().classList.add("lab-drawing");
      button.textContent = "Drag on the map…";
    });
    map.on("mousedown", function (event) {
      if (!drawing) return;
      start = event.latlng;
      sketch = L.rectangle(L.latLngBounds(start, start), {color: "#0f62fe", weight: 2, dashArray: "4"})
        .addTo(map);
    });
    map.on("mousemove", function (event) {
      if (sketch) sketch.setBounds(L.latLngBounds(start, event.latlng));
    });
    map.on("mouseup", function (event) {
      if (!sketch) return;
      var bounds = L.latLngBounds(start, event.latlng);
      map.removeLayer(sketch);
      sketch = null;
      drawing = false;
      map.dragging.enable();
      map.getContainer().classList.remove("lab-drawing");
      button.textContent = "Draw a box on the map";
      if (!bounds.getNorthEast().equals(bounds.getSouthWest())) fillBbox(bounds);
    });

    // Only the fields of the chosen imagery source show.
    function showSourceFields() {
      var chosen = form.querySelector("input[name=source]:checked");
      var source = chosen ? chosen.value : "catalog";
      form.querySelectorAll("[data-when-source]").forEach(function (fieldset) {
        fieldset.hidden = fieldset.dataset.whenSource.split(" ").indexOf(source) < 0;
      });
    }
    form.querySelectorAll("input[name=source]").forEach(function (radio) {
      radio.addEventListener("change", showSourceFields);
    });
    showSourceFields();
  }

  // --- Showing a run's layers ---------------------------------------------

  function setUpRun(map, data) {
    var layers = {};

    function statusElement() { return document.getElementById("run-status"); }

    function showBbox() {
      var text = statusElement() && statusElement().dataset.bbox;
      if (!text) return null;
      var bbox = text.split(",").map(parseFloat);
      var bounds = boundsOf(bbox);
      if (!map._labFitted) {
        map.fitBounds(bounds, {maxZoom: 16, padding: [20, 20]});
        map._labFitted = true;
        L.rectangle(bounds, {color: "#0f62fe", weight: 1, fill: false, interactive: false}).addTo(map);
      }
      return bounds;
    }

    function addLayers() {
      var status = statusElement();
      if (!status || status.dataset.status !== "finished") return;
      var bounds = showBbox();
      data.layers.forEach(function (layer) {
        if (!layers[layer.key]) {
          layers[layer.key] = L.tileLayer(layer.url, {
            zIndex: layer.z_index,
            bounds: bounds || undefined,
            maxZoom: 20,
          }).addTo(map);
        }
      });
      document.querySelectorAll("[data-layer-toggle]").forEach(function (box) {
        box.checked = map.hasLayer(layers[box.dataset.layerToggle]);
        box.onchange = function () {
          var layer = layers[box.dataset.layerToggle];
          if (box.checked) layer.addTo(map); else map.removeLayer(layer);
        };
      });
      document.querySelectorAll("[data-layer-opacity]").forEach(function (slider) {
        var layer = layers[slider.dataset.layerOpacity];
        slider.value = layer.options.opacity;
        slider.oninput = function () { layer.setOpacity(parseFloat(slider.value)); };
      });
    }

    showBbox();
    addLayers();
    // The status panel is swapped in by htmx polling; when it reports the
    // run finished, the layers appear without reloading the page.
    document.addEventListener("htmx:afterSettle", function () {
      showBbox();
      addLayers();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("lab-map");
    if (!element || !window.L) return;
    var map = createMap(element);
    var data = mapData();
    if (element.dataset.mode === "run") setUpRun(map, data); else setUpChooser(map, data);
  });
})();
