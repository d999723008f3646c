// The header's notification bell, live: the server pushes the unread count (and the new
// notification's title) over /ws/notifications/ whenever something happens for this user.
// A dropped socket reconnects with backoff; without it the count is simply the page's own.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.WebSocket) return;
  var count = bell.querySelector("[data-bell-count]");
  var status = document.querySelector("[data-bell-status]");
  var retry = 1000;
  function show(n, title) {
    count.textContent = n > 99 ? "99+" : String(n);
    count.hidden = !n; // app.css: .bell .badge[hidden] { display: none }
    bell.dataset.unread = String(n);
    // The link's name is its own text ("Pemberitahuan" + the count), matching what is seen.
    if (title && status) status.textContent = title;
    if (title) { bell.classList.remove("bell-ring"); void bell.offsetWidth; bell.classList.add("bell-ring"); }
  }
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + bell.dataset.ws);
    ws.onopen = function () { retry = 1000; bell.dataset.live = "1"; };
    ws.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data && typeof data.unread === "number") show(data.unread, data.title || "");
    };
    ws.onclose = function (event) {
      bell.dataset.live = "0";
      if (event.code === 4401 || event.code === 4403) return; // signed out: nothing more to hear
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  try { connect(); } catch (e) {}
  // A dropped socket (or a push lost while the tab slept) is covered by asking for the count:
  // every 20 s while the socket is down, and whenever the tab becomes visible again.
  function poll() {
    if (!bell.dataset.count || !window.fetch) return;
    fetch(bell.dataset.count, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number" && String(data.unread) !== bell.dataset.unread) show(data.unread, ""); })
      .catch(function () {});
  }
  setInterval(function () { if (bell.dataset.live !== "1") poll(); }, 20000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") poll(); });
})();
