/* Patrol check-in for grid workers: one position now, or a patrol that shares the position every minute
   (or every 50 m walked) until stopped. Positions go to /checkin/ as JSON. */
(function () {
  "use strict";
  const MIN_SECONDS = 60, MIN_METRES = 50;

  function metres(a, b) {
    const r = 6371008, p1 = a.lat * Math.PI / 180, p2 = b.lat * Math.PI / 180;
    const dp = p2 - p1, dl = (b.lon - a.lon) * Math.PI / 180;
    const h = Math.sin(dp / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.getElementById("checkin");
    if (!root) { return; }
    const form = document.getElementById("checkin-form");
    const status = document.getElementById("checkin-status");
    const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    let watch = null, last = null;

    function send(pos, kind) {
      const body = {lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy: pos.coords.accuracy, kind: kind,
                    note: form.elements.note.value};
      return fetch(root.dataset.url, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
        body: JSON.stringify(body)}).then((r) => r.json().then((data) => {
          if (!r.ok) { throw new Error(Object.values(data.errors || {}).flat().join("; ")); }
          last = {lon: body.lon, lat: body.lat, at: Date.now()};
          status.textContent = "✓ " + new Date().toLocaleTimeString() + (data.grid ? " · " + data.grid : "");
        }));
    }

    function fail(err) { status.textContent = "✗ " + (err.message || err); }

    root.querySelector("[data-action=once]").addEventListener("click", () => {
      if (!navigator.geolocation) { fail("no GPS"); return; }
      navigator.geolocation.getCurrentPosition((pos) => send(pos, "check_in").catch(fail), fail,
        {enableHighAccuracy: true, timeout: 20000});
    });

    const patrol = root.querySelector("[data-action=patrol]");
    const startLabel = patrol.textContent;
    patrol.addEventListener("click", () => {
      if (watch !== null) {
        navigator.geolocation.clearWatch(watch);
        watch = null;
        patrol.textContent = startLabel;
        return;
      }
      if (!navigator.geolocation) { fail("no GPS"); return; }
      patrol.textContent = patrol.dataset.stop;
      watch = navigator.geolocation.watchPosition((pos) => {
        const here = {lon: pos.coords.longitude, lat: pos.coords.latitude};
        if (last && (Date.now() - last.at) / 1000 < MIN_SECONDS && metres(last, here) < MIN_METRES) { return; }
        send(pos, "patrol").catch(fail);
      }, fail, {enableHighAccuracy: true, maximumAge: 10000});
    });
  });
})();
