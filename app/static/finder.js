/* "In mijn buurt" (templates/_finder.html): asks the browser for its position
   and opens /buurt?lat=..&lon=.. on our own server; nothing else sees it.
   Rounded to 4 decimals (about 10 m): enough to find the wijk and the
   projects around, no more precise than needed. Without geolocation (or JS)
   the button stays hidden and the wijk chooser and search remain. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-finder-near]");
  if (!boxes.length || !("geolocation" in navigator)) return;
  Array.prototype.forEach.call(boxes, function (box) {
    var button = box.querySelector("button");
    var status = box.querySelector(".finder-status");
    box.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "Je positie wordt opgevraagd…";
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude.toFixed(4), lon = position.coords.longitude.toFixed(4);
        status.textContent = "Je wijk wordt geopend…";
        window.location.assign(box.getAttribute("data-url") + "?lat=" + encodeURIComponent(lat) +
                               "&lon=" + encodeURIComponent(lon));
      }, function (error) {
        button.disabled = false;
        status.textContent = error.code === 1
          ? "Je gaf geen toestemming om je positie te gebruiken. Kies je wijk of zoek je straat."
          : "Je positie kon niet bepaald worden. Kies je wijk of zoek je straat.";
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
