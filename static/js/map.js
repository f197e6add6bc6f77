/* Grid map: draws divisions and grids from our own GeoJSON on a plain background (no tile server). */
(function () {
  "use strict";
  const GRID_COLOURS = {residential: "#4c8bf5", school: "#f5a623", hospital: "#e0245e", industrial: "#7b61ff",
                        market: "#17a673", scenic: "#2bb3c0"};

  function plainMap(el) {
    return L.map(el, {zoomSnap: 0.25, attributionControl: false, preferCanvas: true});
  }

  function showPanel(url) {
    if (window.htmx) { htmx.ajax("GET", url, {target: "#panel"}); } else { window.location = url; }
  }

  function gridStyle(f) {
    return {color: "#2a4a7f", weight: 0.8, fillColor: GRID_COLOURS[f.properties.kind] || "#4c8bf5",
            fillOpacity: f.properties.staff ? 0.28 : 0.08};
  }

  function divisionStyle(f) {
    const street = f.properties.layer === "street", district = f.properties.layer === "district";
    return {color: district ? "#111" : street ? "#b03030" : "#666", weight: district ? 2.5 : street ? 1.8 : 1,
            dashArray: f.properties.layer === "community" ? "3 3" : null, fill: false, interactive: false};
  }

  function mainMap(el) {
    const map = plainMap(el);
    fetch(el.dataset.src, {credentials: "same-origin"}).then((r) => r.json()).then((fc) => {
      const grids = fc.features.filter((f) => f.properties.layer === "grid");
      const divisions = fc.features.filter((f) => f.properties.layer !== "grid");
      const byCode = {};
      const gridLayer = L.geoJSON({type: "FeatureCollection", features: grids}, {
        style: gridStyle,
        onEachFeature: (f, layer) => {
          byCode[f.properties.code] = layer;
          layer.bindTooltip(f.properties.name, {sticky: true});
          layer.on("click", () => showPanel("/grids/" + f.properties.code + "/"));
        },
      }).addTo(map);
      L.geoJSON({type: "FeatureCollection", features: divisions}, {style: divisionStyle}).addTo(map);
      const bounds = gridLayer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, {padding: [10, 10]}); } else { map.setView([28, 120.6], 11); }
      el.dataset.grids = String(grids.length);
      if (grids.length === 1) { showPanel("/grids/" + grids[0].properties.code + "/"); }
      el.dataset.ready = "1";
      document.addEventListener("click", (ev) => {
        const link = ev.target.closest("[data-grid]");
        if (link && byCode[link.dataset.grid]) { map.fitBounds(byCode[link.dataset.grid].getBounds(), {maxZoom: 15}); }
      });
    });
  }

  function miniMap(el) {
    const map = plainMap(el);
    const layer = L.geoJSON(JSON.parse(el.dataset.geometry), {style: {color: "#2a4a7f", fillOpacity: 0.2}}).addTo(map);
    map.fitBounds(layer.getBounds(), {padding: [20, 20]});
  }

  document.addEventListener("DOMContentLoaded", () => {
    const main = document.getElementById("map");
    if (main) { mainMap(main); }
    const mini = document.getElementById("minimap");
    if (mini && mini.dataset.geometry && mini.dataset.geometry !== "null") { miniMap(mini); }
  });
})();
