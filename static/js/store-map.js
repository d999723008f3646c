// Store location on the dashboard settings page: tap the map, drag the marker or "use my
// location"; all of them fill the lat/lng inputs, which stay visible and typeable. Without
// Leaflet or without tiles (offline, blocked) the page still works with the inputs alone.
(function () {
  "use strict";
  var box = document.getElementById("store-map");
  if (!box) {
    return;
  }
  var lat = document.getElementById(box.dataset.lat);
  var lng = document.getElementById(box.dataset.lng);
  var status = document.getElementById("map-status");
  var locate = document.getElementById("use-my-location");
  var BLITAR = [-8.0983, 112.1681];
  var map = null;
  var marker = null;

  function say(text) {
    if (status) {
      status.textContent = text || "";
    }
  }
  function current() {
    var a = parseFloat(lat.value);
    var b = parseFloat(lng.value);
    return isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180 ? [a, b] : null;
  }
  function fill(a, b) {
    lat.value = a.toFixed(6);
    lng.value = b.toFixed(6);
  }
  function place(point, zoom) {
    if (!map) {
      return;
    }
    if (marker) {
      marker.setLatLng(point);
    } else {
      marker = window.L.marker(point, { draggable: true, title: box.dataset.markerTitle, alt: box.dataset.markerTitle }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        fill(p.lat, p.lng);
      });
    }
    map.setView(point, zoom || Math.max(map.getZoom(), 16));
  }

  if (window.L) {
    var start = current();
    map = window.L.map(box, { scrollWheelZoom: false }).setView(start || BLITAR, start ? 16 : 13);
    var tiles = window.L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    });
    var failed = false;
    tiles.on("tileerror", function () {
      if (!failed) {
        failed = true;
        box.classList.add("map-offline");
        map.invalidateSize();
        say(box.dataset.tilesFailed);
      }
    });
    tiles.addTo(map);
    if (start) {
      place(start, 16);
    }
    map.on("click", function (event) {
      fill(event.latlng.lat, event.latlng.lng);
      place([event.latlng.lat, event.latlng.lng]);
    });
    [lat, lng].forEach(function (input) {
      input.addEventListener("change", function () {
        var point = current();
        if (point) {
          place(point);
        }
      });
    });
  } else {
    box.hidden = true;
  }

  if (!locate) {
    return;
  }
  if (!("geolocation" in navigator)) {
    locate.hidden = true;
    return;
  }
  locate.addEventListener("click", function () {
    say(locate.dataset.locating);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        fill(position.coords.latitude, position.coords.longitude);
        place([position.coords.latitude, position.coords.longitude], 17);
        say(locate.dataset.located);
      },
      function () {
        say(locate.dataset.denied);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
