/* Command centre: overview charts (ECharts), the layered map (Leaflet + markercluster + heat), the big screen
   and the hotspot map. All data comes from our own endpoints; no tiles, no CDN. */
(function () {
  "use strict";
  const charts = [];
  const COLOURS = ["#2a6ebb", "#2e9d5b", "#f0a020", "#d64545", "#7b61ff", "#17a2b8", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#1f77b4", "#ff7f0e"];

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin"}).then((r) => {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }

  // -- charts --------------------------------------------------------------------------------------------------
  function chartOption(kind, data, dark) {
    const text = dark ? "#d8e2f0" : "#333";
    const base = {color: COLOURS, textStyle: {color: text}, grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
                  tooltip: {trigger: kind === "channels" ? "item" : "axis"}, animation: false};
    const axis = {axisLabel: {color: text}, axisLine: {lineStyle: {color: dark ? "#55657a" : "#aaa"}},
                  splitLine: {lineStyle: {color: dark ? "#2b3a4f" : "#eee"}}};
    if (kind === "channels") {
      return Object.assign(base, {series: [{type: "pie", radius: ["35%", "70%"], label: {color: text},
        data: data.channels.map((c) => ({name: c.name, value: c.n}))}]});
    }
    if (kind === "categories" || kind === "streets") {
      const rows = (kind === "categories" ? data.categories : data.streets).slice(0, 12).reverse();
      return Object.assign(base, {
        xAxis: Object.assign({type: "value"}, axis),
        yAxis: Object.assign({type: "category", data: rows.map((r) => r.name)}, axis),
        series: kind === "streets"
          ? [{type: "bar", stack: "s", name: "open", data: rows.map((r) => r.n - r.red)},
             {type: "bar", stack: "s", name: "red", data: rows.map((r) => r.red), itemStyle: {color: "#d64545"}}]
          : [{type: "bar", data: rows.map((r) => r.n), label: {show: true, position: "right", color: text}}],
      });
    }
    if (kind === "trend") {
      return Object.assign(base, {
        xAxis: Object.assign({type: "category", data: data.trend.map((d) => d.day.slice(5))}, axis),
        yAxis: Object.assign({type: "value"}, axis),
        series: [{type: "line", smooth: true, areaStyle: {opacity: 0.15}, data: data.trend.map((d) => d.n)}],
      });
    }
    if (kind === "forecast" && data.total) {
      const hist = data.total.history, weeks = data.total.weeks;
      const labels = hist.map((h) => h.week_end.slice(5)).concat(weeks.map((w) => w.end.slice(5)));
      const pad = hist.slice(0, -1).map(() => null);
      return Object.assign(base, {
        legend: {top: 0, textStyle: {color: text}},
        grid: {left: 8, right: 16, top: 32, bottom: 8, containLabel: true},
        xAxis: Object.assign({type: "category", data: labels}, axis),
        yAxis: Object.assign({type: "value"}, axis),
        series: [
          {type: "line", name: data.labels ? data.labels.actual : "actual", data: hist.map((h) => h.n)},
          {type: "line", name: data.labels ? data.labels.forecast : "forecast", lineStyle: {type: "dashed"},
           data: pad.concat([hist[hist.length - 1].n], weeks.map((w) => w.n))},
        ],
      });
    }
    return null;
  }

  function drawCharts(root, data) {
    if (!window.echarts || !data) { return; }
    root.querySelectorAll(".echart[data-chart]").forEach((el) => {
      const dark = el.dataset.theme === "dark";
      const option = chartOption(el.dataset.chart, data, dark);
      if (!option) { return; }
      const chart = echarts.getInstanceByDom(el) || echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(option, true);
      el.dataset.drawn = "1";
      if (!charts.includes(chart)) { charts.push(chart); }
    });
  }

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  // -- maps ----------------------------------------------------------------------------------------------------
  function plainMap(el, options) {
    return L.map(el, Object.assign({zoomSnap: 0.25, maxZoom: 18, attributionControl: false}, options || {}));  // SVG: polygons stay inspectable
  }

  function scale(value, max, reverse) {
    if (value === null || value === undefined) { return "#d9dde3"; }
    let t = max > 0 ? Math.min(value / max, 1) : 0;
    if (reverse) { t = 1 - t; }
    const stops = [[255, 247, 188], [254, 196, 79], [240, 59, 32], [165, 15, 21]];
    const i = Math.min(Math.floor(t * (stops.length - 1)), stops.length - 2), f = t * (stops.length - 1) - i;
    const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
    return "rgb(" + c.join(",") + ")";
  }

  function metricValue(figures, code, metric) {
    if (metric === "open") { return figures.open_now[code] ? figures.open_now[code].open : 0; }
    const f = figures.period[code];
    if (!f) { return metric === "reported" ? 0 : null; }
    return f[metric];
  }

  function legend(el, metric, max) {
    if (!el) { return; }
    const rate = metric.endsWith("_rate");
    const steps = [0, 0.25, 0.5, 0.75, 1];
    el.innerHTML = steps.map((s) => {
      const label = rate ? Math.round(s * 100) + "%" : Math.round(s * max);
      return '<span><i style="background:' + scale(rate ? s : s * max, rate ? 1 : max, rate) + '"></i>' + label + "</span>";
    }).join("");
  }

  function commandMap(el) {
    const labels = readJson("map-labels") || {};
    const map = plainMap(el);
    const form = document.getElementById("map-filters");
    const status = document.getElementById("map-status");
    const panel = document.getElementById("area-panel");
    const layers = {};
    let gridLayer = null, shapes = null;
    const cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50});
    const heat = L.heatLayer([], {radius: 22, blur: 18, maxZoom: 14});
    const staff = L.layerGroup(), track = L.layerGroup(), places = L.layerGroup();
    const control = L.control.layers(null, null, {collapsed: false}).addTo(map);

    function query() {
      const params = new URLSearchParams(new FormData(form));
      params.delete("metric");
      return params.toString();
    }

    function openPanel(code) {
      const url = el.dataset.area.replace("CODE", code) + "?" + query();
      if (window.htmx) { htmx.ajax("GET", url, {target: "#area-panel"}); }
    }

    function colour(figures) {
      const metric = form.elements.metric.value;
      const rate = metric.endsWith("_rate");
      let max = 0;
      shapes.forEach((f) => { const v = metricValue(figures, f.properties.code, metric); if (v > max) { max = v; } });
      gridLayer.setStyle((f) => {
        const v = metricValue(figures, f.properties.code, metric);
        return {color: "#44546a", weight: 0.6, fillOpacity: 0.65, fillColor: scale(v, rate ? 1 : max, rate)};
      });
      gridLayer.eachLayer((layer) => {
        const code = layer.feature.properties.code, p = figures.period[code] || {}, o = figures.open_now[code] || {};
        layer.setTooltipContent(layer.feature.properties.name + "<br>" + (p.reported || 0) + " / " + (o.open || 0) +
          (o.red ? ' <b style="color:#d64545">' + o.red + "</b>" : ""));
      });
      legend(document.getElementById("legend"), metric, max);
      el.dataset.coloured = "1";
    }

    function loadData() {
      const q = query();
      el.dataset.loaded = "0";
      const figures = getJson(el.dataset.figures + "?" + q).then(colour);
      const points = getJson(el.dataset.points + "?" + q).then((data) => {
        cluster.clearLayers();
        const markers = data.points.map((p) => {
          const m = L.circleMarker([p[2], p[1]], {radius: 5, weight: 1, color: "#fff",
            fillColor: p[4] === "red" ? "#d64545" : p[4] === "yellow" ? "#f0a020" : "#2a6ebb", fillOpacity: 0.9});
          m.bindPopup('<a href="/cases/' + p[0] + '/">' + p[0] + "</a><br>" + p[5]);
          return m;
        });
        cluster.addLayers(markers);
        status.textContent = data.shown + " " + (data.more ? (labels.newest || "") : (labels.shown || ""));
        el.dataset.pointCount = String(data.shown);
      });
      const cells = getJson(el.dataset.heat + "?" + q).then((data) => {
        heat.setLatLngs(data.cells.map((c) => [c[0], c[1], data.max ? c[2] / data.max : 0]));
      });
      return Promise.all([figures, points, cells]).then(() => { el.dataset.loaded = "1"; });
    }

    function loadStaff() {
      if (!el.dataset.staff) { return Promise.resolve(); }
      return getJson(el.dataset.staff).then((data) => {
        staff.clearLayers();
        data.staff.forEach((p) => {
          const fresh = p.minutes_ago < 120;
          const m = L.circleMarker([p.lat, p.lon], {radius: 7, weight: 2, color: "#fff",
            fillColor: fresh ? "#2e9d5b" : "#8a96a3", fillOpacity: 1});
          m.bindTooltip(p.name + " · " + p.grids.join("、") + "<br>" + p.at.replace("T", " ") + " (" + p.minutes_ago + " " +
            (labels.minutes || "") + ")");
          m.on("click", () => showTrack(p.id));
          staff.addLayer(m);
        });
        el.dataset.staffCount = String(data.staff.length);
      });
    }

    // Key places, hazard sources and key items from the registry (its own scoped endpoint): kind by shape colour,
    // risk by the ring.
    const KIND_COLOUR = {key_place: "#2a6ebb", hazard: "#d64545", key_item: "#9b59b6"};
    const RISK_RING = {high: "#111", medium: "#f0a020", low: "#fff"};
    function loadPlaces() {
      if (!el.dataset.places) { return Promise.resolve(); }
      return getJson(el.dataset.places).then((fc) => {
        places.clearLayers();
        fc.features.forEach((f) => {
          const p = f.properties, c = f.geometry.coordinates;
          const m = L.circleMarker([c[1], c[0]], {radius: 6, weight: 2, color: RISK_RING[p.risk] || "#fff",
            fillColor: KIND_COLOUR[p.kind] || "#555", fillOpacity: 0.95});
          m.bindPopup('<a href="' + p.url + '">' + p.name + "</a><br>" + p.category);
          places.addLayer(m);
        });
        el.dataset.placeCount = String(fc.features.length);
      });
    }

    function showTrack(userId) {
      getJson(el.dataset.track + "?user=" + userId + "&date=" + el.dataset.today).then((data) => {
        track.clearLayers();
        const line = data.points.map((p) => [p[2], p[1]]);
        if (line.length) {
          L.polyline(line, {color: "#7b61ff", weight: 3}).addTo(track);
          data.points.forEach((p) => L.circleMarker([p[2], p[1]], {radius: 3, color: "#7b61ff"}).bindTooltip(p[0] + " " + p[3]).addTo(track));
          map.addLayer(track);
          map.fitBounds(L.latLngBounds(line).pad(0.3), {maxZoom: 16});
        }
        panel.innerHTML = "<h2>" + data.name + "</h2><p>" + data.grids.join("、") + "</p><p>" + data.date + " · " +
          data.points.length + " · " + data.km + " " + (labels.km || "") + "</p>";
      });
    }

    getJson(el.dataset.shapes).then((fc) => {
      shapes = fc.features.filter((f) => f.properties.layer === "grid");
      const outlines = fc.features.filter((f) => f.properties.layer === "street" || f.properties.layer === "district");
      gridLayer = L.geoJSON({type: "FeatureCollection", features: shapes}, {
        style: {color: "#44546a", weight: 0.6, fillOpacity: 0.2},
        onEachFeature: (f, layer) => { layer.bindTooltip(f.properties.name, {sticky: true}); layer.on("click", () => openPanel(f.properties.code)); },
      }).addTo(map);
      L.geoJSON({type: "FeatureCollection", features: outlines}, {style: (f) => ({color: f.properties.layer === "district" ? "#111" : "#8b1d1d",
        weight: f.properties.layer === "district" ? 2.4 : 1.6, fill: false, interactive: false})}).addTo(map);
      layers.grids = gridLayer;
      control.addOverlay(gridLayer, labels.grids || "grids");
      control.addOverlay(cluster, labels.cases || "cases");
      control.addOverlay(heat, labels.heat || "heat");
      if (el.dataset.staff) { control.addOverlay(staff, labels.staff || "staff"); control.addOverlay(track, labels.track || "track"); map.addLayer(staff); }
      if (el.dataset.places) { control.addOverlay(places, labels.places || "places"); map.addLayer(places); }
      map.addLayer(cluster);
      const bounds = gridLayer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, {padding: [8, 8]}); } else { map.setView([28, 120.6], 11); }
      el.dataset.grids = String(shapes.length);
      return Promise.all([loadData(), loadStaff(), loadPlaces()]);
    }).then(() => { el.dataset.ready = "1"; }).catch((err) => { status.textContent = String(err); throw err; });

    form.addEventListener("submit", (ev) => { ev.preventDefault(); history.replaceState(null, "", "?" + new URLSearchParams(new FormData(form))); loadData(); });
    form.elements.metric.addEventListener("change", () => { getJson(el.dataset.figures + "?" + query()).then(colour); });
  }

  function screenMap(el, dark) {
    const map = plainMap(el, {zoomControl: false});
    Promise.all([getJson(el.dataset.shapes), getJson(el.dataset.figures), getJson(el.dataset.heat)]).then(([fc, figures, cells]) => {
      const grids = fc.features.filter((f) => f.properties.layer === "grid");
      let max = 0;
      grids.forEach((f) => { const v = metricValue(figures, f.properties.code, "open"); if (v > max) { max = v; } });
      const layer = L.geoJSON({type: "FeatureCollection", features: grids}, {
        style: (f) => ({color: dark ? "#3b5b85" : "#44546a", weight: 0.5, fillOpacity: 0.75, fillColor: scale(metricValue(figures, f.properties.code, "open"), max)}),
      }).addTo(map);
      L.geoJSON({type: "FeatureCollection", features: fc.features.filter((f) => f.properties.layer === "street")},
        {style: {color: dark ? "#9fc3ff" : "#8b1d1d", weight: 1.4, fill: false, interactive: false}}).addTo(map);
      layer.eachLayer((l) => {
        const o = figures.open_now[l.feature.properties.code] || {};
        l.bindTooltip(l.feature.properties.name + ": " + (o.open || 0) + (o.red ? " (" + o.red + ")" : ""), {sticky: true});
      });
      el.dataset.grids = String(grids.length);
      L.heatLayer(cells.cells.map((c) => [c[0], c[1], cells.max ? c[2] / cells.max : 0]), {radius: 18, blur: 16}).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), {padding: [10, 10]}); }
      el.dataset.ready = "1";
    });
  }

  function hotMap(el) {
    const cells = readJson("hot-cells") || [];
    const map = plainMap(el);
    getJson(el.dataset.shapes).then((fc) => {
      const outline = L.geoJSON({type: "FeatureCollection", features: fc.features.filter((f) => f.properties.layer !== "grid" && f.properties.layer !== "community")},
        {style: {color: "#555", weight: 1, fill: false, interactive: false}}).addTo(map);
      cells.forEach((c) => L.polygon(c.boundary, {color: "#d64545", weight: 1.5, fillOpacity: 0.35})
        .bindTooltip(c.count + " / " + c.expected + " · Gi* " + c.gi_z).addTo(map));
      if (outline.getBounds().isValid()) { map.fitBounds(outline.getBounds()); }
      el.dataset.ready = "1";
    });
  }

  function clock(el) {
    const tick = () => { el.textContent = new Date().toLocaleString(document.documentElement.lang || "zh-CN", {hour12: false}); };
    tick();
    setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawCharts(document, readJson("overview-data"));
    const forecast = readJson("forecast-data");
    if (forecast) { drawCharts(document, forecast); }
    const main = document.getElementById("cmdmap");
    if (main) { commandMap(main); }
    const wall = document.getElementById("screen-map");
    if (wall) { screenMap(wall, true); }
    const small = document.getElementById("overview-map");
    if (small) { screenMap(small, false); }
    const hot = document.getElementById("hotmap");
    if (hot) { hotMap(hot); }
    const time = document.getElementById("clock");
    if (time) { clock(time); }
  });
  document.addEventListener("htmx:afterSettle", () => {
    const live = document.getElementById("live");
    for (let i = charts.length - 1; i >= 0; i--) {
      if (!charts[i].getDom().isConnected) { charts[i].dispose(); charts.splice(i, 1); }
    }
    if (live) { drawCharts(live, readJson("overview-data")); }
  });
})();
