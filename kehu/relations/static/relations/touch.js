// REL-2 外勤签到: the place of a visit is asked from the phone only once the salesperson ticks
// the consent box; without an answer the touch is logged without a place.
(function () {
  "use strict";
  const consent = document.getElementById("id_location_consent");
  const status = document.getElementById("place-status");
  const lat = document.getElementById("id_latitude");
  const lng = document.getElementById("id_longitude");
  if (!consent || !status || !lat || !lng) return;
  consent.addEventListener("change", function () {
    lat.value = "";
    lng.value = "";
    status.textContent = "";
    if (!consent.checked || !navigator.geolocation) return;
    status.textContent = status.dataset.asking;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      status.textContent = status.dataset.found;
    }, function () {
      status.textContent = status.dataset.refused;
    }, {timeout: 10000, maximumAge: 60000});
  });
})();
