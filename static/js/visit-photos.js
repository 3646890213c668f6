// Photos and place at a visit (issue 18 item 3). The place box appears only where the browser
// can tell its position; ticking it (the elder agreed) asks for the position once and fills the
// hidden fields sent with the form. Without JavaScript the photos still go with the form.
(function () {
  "use strict";
  function message(key, value) {
    var template = document.getElementById("place-messages");
    var node = template && template.content ? template.content.querySelector("[data-key=" + key + "]") : null;
    var text = node ? node.textContent : "";
    return value === undefined ? text : text.replace("{m}", value).replace("{n}", value);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".photo-section"), function (section) {
    var inputs = section.querySelectorAll("[data-photo-input]");
    var count = section.querySelector("[data-photo-count]");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () {
        var n = 0;
        Array.prototype.forEach.call(inputs, function (i) { n += i.files ? i.files.length : 0; });
        if (count) {
          count.textContent = n ? count.getAttribute("data-photo-count").replace("{n}", n) : "";
        }
      });
    });
  });

  var box = document.querySelector("[data-place]");
  if (!box || !navigator.geolocation) { return; }
  box.hidden = false;
  var consent = box.querySelector("input[name=place_consent]");
  var status = box.querySelector("[data-place-status]");
  var lat = box.querySelector("input[name=place_latitude]");
  var lng = box.querySelector("input[name=place_longitude]");
  var accuracy = box.querySelector("input[name=place_accuracy]");

  function clear() { lat.value = ""; lng.value = ""; accuracy.value = ""; }
  if (consent.checked && lat.value) {
    status.textContent = message("done", accuracy.value || "?");
  }
  consent.addEventListener("change", function () {
    if (!consent.checked) { clear(); status.textContent = ""; return; }
    status.textContent = message("asking");
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      accuracy.value = String(Math.round(position.coords.accuracy || 0));
      status.textContent = message("done", accuracy.value);
    }, function () {
      clear();
      consent.checked = false;
      status.textContent = message("refused");
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
})();
