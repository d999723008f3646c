// Back-office tab bars (.tabs) on a phone: seven tabs do not fit, so the bar scrolls sideways.
// Show the current tab (scrolled into view on load) and fade + arrow hints on the side(s)
// where more tabs are hidden.
(function () {
  "use strict";
  document.querySelectorAll(".tabs").forEach(function (nav) {
    var list = nav.querySelector("ul");
    if (!list) return;
    function hint() {
      var max = list.scrollWidth - list.clientWidth;
      nav.classList.toggle("more-left", list.scrollLeft > 2);
      nav.classList.toggle("more-right", list.scrollLeft < max - 2);
    }
    var current = list.querySelector("[aria-current=page]");
    if (current) {
      var item = current.parentElement;
      // Centre the current tab without scrolling the page itself.
      list.scrollLeft = Math.max(0, item.offsetLeft - (list.clientWidth - item.offsetWidth) / 2);
    }
    list.addEventListener("scroll", hint, {passive: true});
    window.addEventListener("resize", hint);
    hint();
  });
})();
