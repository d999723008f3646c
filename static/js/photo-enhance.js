// "Perbaiki foto" on the product edit page: the panel listens on the product's WebSocket and
// re-reads its HTML from the server on every event (labels stay in the page's language).
// Polling every 3 s covers a missing or dropped socket while a job is still running.
(function () {
  "use strict";
  var panel = document.getElementById("enhance-jobs");
  if (!panel) return;
  var busy = false, again = false;
  function active() { return !!panel.querySelector('[data-status="queued"], [data-status="running"]'); }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(panel.dataset.panelUrl, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) panel.innerHTML = html; })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var ws = null;
  function connect() {
    try {
      ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + panel.dataset.wsPath);
      // Anything that happened between rendering the page and the socket opening is read once.
      ws.onopen = refresh;
      ws.onmessage = refresh;
      ws.onclose = function () { ws = null; };
    } catch (err) { ws = null; }
  }
  connect();
  setInterval(function () {
    if ((!ws || ws.readyState !== 1) && active()) refresh();
  }, 3000);
})();
