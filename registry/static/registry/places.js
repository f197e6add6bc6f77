/* Places, hazard sources and key items as markers over the user's grids (our own GeoJSON, no tile server). */
(function () {
  "use strict";
  const COLOURS = {key_place: "#1f5fbf", hazard: "#d0312d", key_item: "#f08c00"};

  function marker(f, latlng) {
    const high = f.properties.risk === "high";
    return L.circleMarker(latlng, {radius: high ? 7 : 5, color: "#fff", weight: 1, fillOpacity: 0.9,
                                   fillColor: COLOURS[f.properties.kind] || "#555"});
  }

  function bigMap(el) {
    const map = L.map(el, {zoomSnap: 0.25, attributionControl: false, preferCanvas: true});
    Promise.all([fetch(el.dataset.grids, {credentials: "same-origin"}).then((r) => r.json()),
                 fetch(el.dataset.src, {credentials: "same-origin"}).then((r) => r.json())]).then(([grids, places]) => {
      const outline = L.geoJSON({type: "FeatureCollection", features: grids.features.filter((f) => f.properties.layer === "grid")},
                                {style: {color: "#2a4a7f", weight: 0.6, fillOpacity: 0.04}, interactive: false}).addTo(map);
      const layer = L.geoJSON(places, {
        pointToLayer: marker,
        onEachFeature: (f, m) => {
          const link = document.createElement("a");
          link.href = f.properties.url;
          link.textContent = f.properties.name;
          const box = document.createElement("div");
          box.append(link, document.createElement("br"), f.properties.category);
          m.bindPopup(box);
        },
      }).addTo(map);
      const bounds = outline.getBounds().isValid() ? outline.getBounds() : layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, {padding: [10, 10]}); } else { map.setView([28, 120.6], 11); }
      el.dataset.markers = String(places.features.length);
      el.dataset.ready = "1";
    });
  }

  function pointMap(el) {
    const point = JSON.parse(el.dataset.point);
    const map = L.map(el, {attributionControl: false}).setView([point[1], point[0]], 16);
    marker({properties: {kind: el.dataset.kind}}, [point[1], point[0]]).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const big = document.getElementById("placesmap");
    if (big) { bigMap(big); }
    const small = document.getElementById("placemap");
    if (small) { pointMap(small); }
  });
})();
