// The WhatsApp inbox (dashboard/whatsapp_views.py). The server renders every pane; this file
// keeps them live and makes the forms quick:
// - listens on ws/whatsapp/inbox/ and, on each event, re-reads the HTML of the pane it touches
//   (chat list, open conversation, session panel), so labels stay in the page's language;
//   while the socket is down it polls the same partials every 4 s;
// - posts the inbox forms with fetch (`X-Inbox: 1`: 204 or the error as text) and refreshes;
// - composer: Enter sends, Shift+Enter is a new line, "/" opens the canned replies;
// - the QR countdown ticks every second and the session panel is re-read when the QR expires.
(function () {
  "use strict";
  var root = document.querySelector("[data-inbox]");
  if (!root || !window.fetch) return;
  var chatId = root.dataset.chat || "";
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var live = false;
  var wide = window.matchMedia("(min-width: 900px)");

  function $(selector) { return root.querySelector(selector); }

  // --- re-reading panes -------------------------------------------------------------------
  var busy = {}, again = {}, last = {};
  // Never wipe what the seller is typing in a pane (e.g. the simulator's buyer text): later.
  function typing(target) {
    var el = document.activeElement;
    return !!(el && target.contains(el) && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && el.value);
  }
  function reload(name, url, target, after) {
    if (!url || !target) return;
    if (busy[name]) { again[name] = true; return; }
    if (typing(target)) { setTimeout(function () { reload(name, url, target, after); }, 1500); return; }
    busy[name] = true;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && typing(target)) { again[name] = true; return; }
        if (html !== null && html !== last[name]) {
          last[name] = html;
          target.innerHTML = html;
          if (after) after();
        }
      })
      .catch(function () {})
      .then(function () {
        busy[name] = false;
        if (again[name]) { again[name] = false; reload(name, url, target, after); }
      });
  }
  function listUrl() {
    var q = root.dataset.query ? root.dataset.query + "&" : "";
    return root.dataset.listUrl + "?" + q + "open=" + encodeURIComponent(chatId);
  }
  function refreshList() { reload("list", listUrl(), document.getElementById("wa-chat-list")); }
  function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 80; }
  function toBottom() { var t = document.getElementById("wa-messages"); if (t) t.scrollTop = t.scrollHeight; }
  function refreshMessages() {
    var thread = document.getElementById("wa-messages");
    if (!chatId || !thread) return;
    var stick = nearBottom(thread);
    reload("messages", root.dataset.messagesUrl, thread, function () { if (stick) toBottom(); });
  }
  function refreshSession() { reload("session", root.dataset.sessionUrl, document.getElementById("wa-session"), tick); }
  // The chat header's labels: the server accepted exactly the ticked boxes, so draw those
  // (DOM nodes, no HTML parsing: the page's CSP forbids what a re-parsed page would bring).
  function refreshHeader(form) {
    var title = root.querySelector(".wa-conv-title");
    if (!title) return;
    var row = title.querySelector(".wa-chat-labels");
    if (row) row.remove();
    var ticked = Array.prototype.slice.call(form.querySelectorAll("input[name=labels]:checked"));
    if (!ticked.length) return;
    row = document.createElement("span");
    row.className = "wa-chat-labels";
    ticked.forEach(function (input) {
      var dot = input.parentNode.querySelector(".wa-dot");
      var chip = document.createElement("span");
      chip.className = "wa-label " + (dot ? (dot.className.match(/wa-c-\w+/) || [""])[0] : "");
      chip.setAttribute("data-testid", "chat-label");
      chip.textContent = input.parentNode.textContent.trim();
      row.appendChild(chip);
    });
    title.appendChild(row);
  }
  function refreshAll() { refreshList(); refreshMessages(); refreshSession(); }

  // --- live events ------------------------------------------------------------------------
  var retry = 1000;
  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.ws);
    ws.onopen = function () { live = true; retry = 1000; root.dataset.live = "1"; refreshAll(); };
    ws.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      var kind = data && data.kind;
      if (kind === "session") { refreshSession(); return; }
      refreshList();
      var about = (data.chat && data.chat.id) || (data.message && data.message.chat_id) || "";
      if (chatId && (!about || about === chatId)) refreshMessages();
    };
    ws.onclose = function (event) {
      live = false; root.dataset.live = "0";
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  if (window.WebSocket) { try { connect(); } catch (e) {} }
  setInterval(function () { if (!live) refreshAll(); }, 4000);
  // A session still starting has no QR yet: ask again every 2 s rather than wait for the event.
  setInterval(function () {
    var panel = root.querySelector("[data-session-panel] [data-state]");
    if (panel && panel.dataset.state === "STARTING") refreshSession();
  }, 2000);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") refreshAll(); });

  // --- QR countdown -----------------------------------------------------------------------
  var expiredAsked = 0;
  function tick() {
    var el = root.querySelector("[data-countdown]");
    if (!el || !el.dataset.expires) return;
    var left = Math.round((Date.parse(el.dataset.expires) - Date.now()) / 1000);
    el.textContent = String(Math.max(0, left));
    // A rotated QR: ask the server for the new one (at most every 2 s while it catches up).
    if (left <= 0 && Date.now() - expiredAsked > 2000) { expiredAsked = Date.now(); refreshSession(); }
  }
  setInterval(tick, 1000);
  tick();

  // --- forms ------------------------------------------------------------------------------
  function showError(form, text) {
    var box = form.querySelector("[data-composer-error]") || root.querySelector("[data-composer-error]");
    if (box && form.hasAttribute("data-composer-form")) { box.textContent = text; box.hidden = !text; return; }
    if (text) window.alert(text);
  }
  function post(form) {
    var button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    return fetch(form.getAttribute("action") || location.href, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: {"X-Inbox": "1", "X-CSRFToken": csrf}
    }).then(function (r) {
      if (r.ok) return "";
      return r.text().then(function (t) { return t && t.length < 500 ? t : root.dataset.errorGeneric; });
    }).catch(function () { return root.dataset.errorGeneric; })
      .then(function (error) {
        if (button) button.disabled = false;
        showError(form, error);
        refreshAll();
        return error;
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !root.contains(form)) return;
    if (form.hasAttribute("data-inbox-form")) {
      event.preventDefault();
      post(form).then(function (error) {
        var pick = form.closest("details.wa-label-pick");
        if (!error && pick) { pick.open = false; refreshHeader(form); }
      });
    } else if (form.hasAttribute("data-composer-form")) {
      event.preventDefault();
      var box = form.querySelector("[data-composer]");
      if (!box || !box.value.trim()) return;
      post(form).then(function (error) {
        if (!error) { box.value = ""; grow(box); toBottom(); }
        box.focus();
      });
    }
  });

  // --- composer: Enter sends, Shift+Enter new line, "/" canned replies ---------------------
  function grow(box) { box.style.height = "auto"; box.style.height = Math.min(box.scrollHeight, 160) + "px"; }
  function menu() { return root.querySelector("[data-canned]"); }
  function items() { var m = menu(); return m ? Array.prototype.slice.call(m.querySelectorAll("[data-shortcut]")) : []; }
  // Replies whose {resi}/{total} have no true value for this buyer are shown greyed, never chosen.
  function visibleItems() { return items().filter(function (i) { return !i.hidden && i.getAttribute("aria-disabled") !== "true"; }); }
  function select(item) {
    items().forEach(function (i) { i.removeAttribute("aria-selected"); });
    if (item) { item.setAttribute("aria-selected", "true"); item.scrollIntoView({ block: "nearest" }); }
  }
  function filterMenu(box) {
    var m = menu();
    if (!m) return;
    var match = /^\/([\w-]*)$/.exec(box.value);
    if (!match && !m.dataset.forced) { m.hidden = true; return; }
    var word = match ? match[1].toLowerCase() : "";
    items().forEach(function (i) { i.hidden = !!word && i.dataset.shortcut.indexOf(word) !== 0; });
    m.hidden = false;
    select(visibleItems()[0]);
  }
  function closeMenu() { var m = menu(); if (m) { m.hidden = true; delete m.dataset.forced; } }
  function choose(item) {
    var box = root.querySelector("[data-composer]");
    if (!box || !item || item.getAttribute("aria-disabled") === "true") return;
    box.value = item.dataset.fill;
    closeMenu();
    grow(box);
    box.focus();
  }
  root.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-composer")) {
      grow(event.target);
      filterMenu(event.target);
    }
  });
  root.addEventListener("keydown", function (event) {
    var box = event.target;
    if (!box.hasAttribute || !box.hasAttribute("data-composer")) return;
    var m = menu();
    var open = m && !m.hidden;
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var list = visibleItems();
      var at = list.findIndex(function (i) { return i.getAttribute("aria-selected") === "true"; });
      var next = list[(at + (event.key === "ArrowDown" ? 1 : list.length - 1)) % list.length];
      select(next);
      event.preventDefault();
    } else if (open && event.key === "Escape") {
      closeMenu();
      event.preventDefault();
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (open) {
        var chosen = m.querySelector("[aria-selected=true]");
        if (chosen) { choose(chosen); return; }
      }
      if (box.form && typeof box.form.requestSubmit === "function") box.form.requestSubmit();
    }
  });
  root.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("[data-shortcut]");
    if (item && root.contains(item)) { choose(item); return; }
    var toggle = event.target.closest && event.target.closest("[data-canned-toggle]");
    if (toggle) {
      var m = menu();
      if (!m) return;
      if (m.hidden) {
        m.dataset.forced = "1";
        items().forEach(function (i) { i.hidden = false; });
        m.hidden = false;
        select(visibleItems()[0]);
      } else { closeMenu(); }
    }
  });

  // The orders and quick actions sit open beside the conversation on wide screens.
  function openTools() {
    var tools = root.querySelector("[data-wide-open]");
    if (tools && wide.matches) tools.open = true;
  }
  openTools();
  toBottom();
})();
