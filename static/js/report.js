/* Reporting map: the district outline on a plain background; a tap puts the pin and fills lon/lat. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("pickmap");
    if (!el) { return; }
    const map = L.map(el, {attributionControl: false, zoomSnap: 0.25});
    const lon = document.querySelector("input[name=lon]"), lat = document.querySelector("input[name=lat]");
    let pin = null;
    function place(latlng) {
      if (pin) { pin.setLatLng(latlng); } else { pin = L.circleMarker(latlng, {radius: 8, color: "#b03030"}).addTo(map); }
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
    }
    fetch(el.dataset.outline).then((r) => r.json()).then((fc) => {
      const layer = L.geoJSON(fc, {style: {color: "#1d2733", weight: 2, fillOpacity: 0.05}}).addTo(map);
      const b = (el.dataset.bounds || "").split(",").map(Number);
      map.fitBounds(b.length === 4 && b.every(isFinite) ? [[b[0], b[1]], [b[2], b[3]]] : layer.getBounds());
      if (lon.value && lat.value) { place(L.latLng(+lat.value, +lon.value)); }
      el.dataset.ready = "1";
    });
    map.on("click", (ev) => place(ev.latlng));
    const locate = document.getElementById("locate-me");
    if (locate && navigator.geolocation) {
      locate.addEventListener("click", () => navigator.geolocation.getCurrentPosition(
        (pos) => { const here = L.latLng(pos.coords.latitude, pos.coords.longitude); place(here); map.setView(here, 16); },
        () => { locate.textContent = locate.dataset.failed || locate.textContent; },
        {enableHighAccuracy: true, timeout: 10000},
      ));
    } else if (locate) { locate.hidden = true; }
    const spot = document.querySelector("input[name=solved_on_spot]"), after = document.querySelector(".after-photos");
    if (spot && after) {
      const sync = () => { after.hidden = !spot.checked; };
      spot.addEventListener("change", sync);
      sync();
    }
  });
})();
