// Share buttons of the set-up checklist (dashboard overview):
//   <div data-share-report="/dashboard/toko/dibagikan/"> … <a data-share="whatsapp"> <button data-share="copy" data-url="…">
// Each share tells the server once (a beacon with the CSRF token), so the checklist ticks itself.
(function () {
  "use strict";
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  function report(box) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (navigator.sendBeacon) {
      navigator.sendBeacon(box.dataset.shareReport, body);
    } else {
      fetch(box.dataset.shareReport, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
    }
  }
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-share]") : null;
    var box = target ? target.closest("[data-share-report]") : null;
    if (!box) {
      return;
    }
    if (target.dataset.share === "copy") {
      var done = function () {
        target.textContent = target.dataset.copied;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(target.dataset.url).then(done, function () {});
      } else {
        window.prompt("", target.dataset.url);
      }
    }
    report(box);
  });
})();
