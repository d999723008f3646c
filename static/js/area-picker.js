// Destination picker: the district <select> ([data-area-select], grouped by city) works on its
// own; this adds a search box and province → city narrowing around it. Options carry
// data-province / data-city. Typing ignores case, spaces and dashes ("sanan wetan" finds
// Sananwetan); a search with one match picks it.
(function () {
  "use strict";
  function squash(text) { return (text || "").toLowerCase().replace(/[\s\-.'’]+/g, ""); }

  document.querySelectorAll("[data-area-picker]").forEach(function (root) {
    var select = root.querySelector("[data-area-select]");
    var filters = root.querySelector("[data-area-filters]");
    if (!select || !filters) return;
    var search = filters.querySelector("[data-area-search]");
    var province = filters.querySelector("[data-area-province]");
    var city = filters.querySelector("[data-area-city]");
    var empty = filters.querySelector("[data-area-empty]");
    var placeholder = select.querySelector("option[value='']");
    var areas = Array.prototype.filter.call(select.options, function (o) { return o.value; }).map(function (o) {
      return {value: o.value, name: o.textContent, province: o.dataset.province || "", city: o.dataset.city || "",
              hay: squash(o.textContent + " " + o.dataset.city + " " + o.dataset.province)};
    });

    function unique(list) { return list.filter(function (v, i) { return v && list.indexOf(v) === i; }); }
    function fill(box, values, keep) {
      while (box.options.length > 1) box.remove(1);
      values.forEach(function (v) { box.add(new Option(v, v, false, v === keep)); });
      if (values.indexOf(keep) < 0) box.value = "";
    }
    function fillCities() {
      fill(city, unique(areas.filter(function (a) { return !province.value || a.province === province.value; })
        .map(function (a) { return a.city; })), city.value);
    }
    function matches(a) {
      if (province.value && a.province !== province.value) return false;
      if (city.value && a.city !== city.value) return false;
      var q = search.value.trim();
      if (!q) return true;
      return a.hay.indexOf(squash(q)) >= 0 ||
        q.split(/\s+/).every(function (word) { return a.hay.indexOf(squash(word)) >= 0; });
    }
    function render(pickSingle) {
      var before = select.value;
      var shown = areas.filter(matches);
      while (select.firstChild) select.removeChild(select.firstChild);
      if (placeholder) select.appendChild(placeholder);
      var group = null;
      shown.forEach(function (a) {
        var label = a.city + ", " + a.province;
        if (!group || group.label !== label) { group = document.createElement("optgroup"); group.label = label; select.appendChild(group); }
        var option = new Option(a.name, a.value, false, a.value === before);
        option.dataset.province = a.province; option.dataset.city = a.city;
        group.appendChild(option);
      });
      var values = shown.map(function (a) { return a.value; });
      select.value = values.indexOf(before) >= 0 ? before : (pickSingle && values.length === 1 ? values[0] : "");
      empty.hidden = shown.length > 0;
      if (select.value !== before) select.dispatchEvent(new Event("change", {bubbles: true}));
    }

    fill(province, unique(areas.map(function (a) { return a.province; })), "");
    var current = areas.filter(function (a) { return a.value === select.value; })[0];
    if (current) { province.value = current.province; }
    fillCities();
    if (current) { city.value = current.city; }
    filters.hidden = false;
    render(false);

    province.addEventListener("change", function (e) { e.stopPropagation(); fillCities(); render(true); });
    city.addEventListener("change", function (e) {
      e.stopPropagation();
      var found = areas.filter(function (a) { return a.city === city.value; })[0];
      if (found && !province.value) { province.value = found.province; fillCities(); city.value = found.city; }
      render(true);
    });
    search.addEventListener("input", function () {
      if (search.value.trim()) { province.value = ""; fillCities(); city.value = ""; }
      render(true);
    });
    search.addEventListener("change", function (e) { e.stopPropagation(); });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); select.focus(); } });
  });
})();
