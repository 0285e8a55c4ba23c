/* "In mijn buurt" (templates/_finder.html): asks the browser for its position
   and opens /buurt?lat=..&lon=.. on our own server; nothing else sees it.
   Rounded to 4 decimals (about 10 m): enough to find the wijk and the
   projects around, no more precise than needed. Without geolocation (or JS)
   the button stays hidden and the wijk chooser and search remain.
   When `/` asks for the city first (many wijken), choosing a city fills a
   second list with its wijken from /wijken.json, so the form goes straight
   to the wijk page; without JS the form shows the city's wijken on /wijk. */
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

(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-finder-city-first]"), function (form) {
    var city = form.querySelector("select[name=stad]");
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".finder-status");
    var asked = 0;

    function wijkList() {
      var list = form.querySelector("#finder-wijk");
      if (list) { return list; }
      var label = document.createElement("label");
      label.setAttribute("for", "finder-wijk");
      label.className = "finder-second-label";
      list = document.createElement("select");
      list.id = "finder-wijk";
      list.name = "wijk";
      var row = document.createElement("div");
      row.className = "finder-row";
      row.appendChild(list);
      form.insertBefore(label, status);
      form.insertBefore(row, status);
      row.appendChild(button);   // one button, after the last choice
      return list;
    }

    city.addEventListener("change", function () {
      var ticket = ++asked;
      if (!city.value) { return; }
      status.textContent = "De wijken worden geladen…";
      fetch(form.getAttribute("data-url") + "?stad=" + encodeURIComponent(city.value), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (ticket !== asked) { return; }
          if (!data || !data.wijken.length) { status.textContent = "Geen wijken gevonden: kies Toon de wijken."; return; }
          var list = wijkList();
          form.querySelector(".finder-second-label").textContent = "Kies je wijk in " + data.gemeente;
          list.textContent = "";
          var first = document.createElement("option");
          first.value = "";
          first.textContent = "Kies een wijk…";
          list.appendChild(first);
          data.wijken.forEach(function (wijk) {
            var option = document.createElement("option");
            option.value = wijk.code;
            option.textContent = wijk.naam;
            list.appendChild(option);
          });
          button.textContent = "Toon de projecten";
          status.textContent = data.wijken.length + " wijken in " + data.gemeente + ": kies je wijk in de tweede lijst.";
        })
        .catch(function () { status.textContent = "De wijken konden niet geladen worden: kies Toon de wijken."; });
    });
  });
})();
