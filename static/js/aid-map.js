// 互助养老地图 on screen: the village's points and elders over the configured tile server.
// Without a tile server (or without this script) the page keeps its plain-grid SVG map.
(function () {
  "use strict";
  var box = document.getElementById("aid-map-tiles");
  if (!box || !window.L) { return; }
  var tiles = box.getAttribute("data-tiles");
  var markers = JSON.parse(box.getAttribute("data-markers") || "[]");
  if (!tiles || !markers.length) { return; }
  var colours = { centre: "#b22222", sub: "#1f6fb2", elder: "#2e8b57" };
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(tiles, {
    maxZoom: 19,
    attribution: box.getAttribute("data-attribution") || ""
  }).addTo(map);
  var bounds = [];
  markers.forEach(function (m) {
    var radius = m.kind === "elder" ? 6 : (m.kind === "centre" ? 10 : 8);
    L.circleMarker([m.latitude, m.longitude], {
      radius: radius, color: colours[m.kind], fillColor: colours[m.kind], fillOpacity: 0.8
    }).bindTooltip(m.label).addTo(map);
    bounds.push([m.latitude, m.longitude]);
  });
  map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
  box.classList.add("ready");
  document.documentElement.classList.add("aid-map-live");
})();
