// The dashboard's AI assistant panel. POSTs to /api/ai/chat and reads the text/event-stream
// answer with fetch + ReadableStream as it arrives: `{"text"}` deltas grow the assistant's
// bubble, `{"tool", "status", "result"}` become small cards (with a link when the result has
// one), `[DONE]` ends the turn. The conversation id is kept for this tab, so the chat goes on
// across dashboard pages; "Riwayat" lists earlier conversations. Keyboard: Enter sends,
// Shift+Enter is a new line, Escape closes the panel.
(function () {
  "use strict";
  var panel = document.querySelector("[data-ai-panel]");
  var opener = document.querySelector("[data-ai-open]");
  if (!panel || !opener || !window.fetch || !window.TextDecoder) return;
  var texts = {};
  try { texts = JSON.parse(document.getElementById("ai-texts").textContent); } catch (e) {}
  var log = panel.querySelector("[data-ai-log]");
  var form = panel.querySelector("[data-ai-form]");
  var input = panel.querySelector("[data-ai-input]");
  var send = panel.querySelector("[data-ai-send]");
  var historyList = panel.querySelector("[data-ai-history]");
  var historyToggle = panel.querySelector("[data-ai-history-toggle]");
  var KEY = "tokoblitar.ai.session";
  var RECENT_MS = 7 * 24 * 3600 * 1000; // reopen the latest conversation when it is under a week old
  var sessionId = sessionStorage.getItem(KEY) || "";
  var loaded = false;
  var busy = false;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  var hintNode = log.querySelector("[data-ai-hint]");
  var starterHint = hintNode ? hintNode.cloneNode(true) : null; // "Baru" shows it again
  function showHint() { if (starterHint && !log.querySelector("[data-ai-hint]")) log.appendChild(starterHint.cloneNode(true)); }
  function hideHint() { var hint = log.querySelector("[data-ai-hint]"); if (hint) hint.remove(); }

  // **bold** only, built as nodes (never innerHTML): the model's text stays text.
  function renderRich(node, text) {
    node.textContent = "";
    text.split("**").forEach(function (part, i) {
      node.appendChild(i % 2 ? el("strong", null, part) : document.createTextNode(part));
    });
  }
  function bubble(role, text) {
    hideHint();
    var node = el("div", "ai-msg " + role);
    node.dataset.role = role;
    if (role === "assistant") renderRich(node, text || ""); else node.textContent = text || "";
    log.appendChild(node);
    scroll();
    return node;
  }
  // The site's rupiah format ("Rp 15.000", no-break space), with the page language's grouping.
  var english = (document.documentElement.lang || "id").toLowerCase().indexOf("en") === 0;
  function rupiah(n) {
    return "Rp\u00a0" + Math.round(Number(n || 0)).toLocaleString(english ? "en-US" : "id-ID");
  }
  function toolCard(event) {
    hideHint();
    var ok = event.status === "ok";
    var r = event.result || {};
    var card = el("div", "ai-card" + (ok ? "" : " error"));
    card.dataset.tool = event.tool;
    card.dataset.testid = "ai-tool-card";
    card.setAttribute("data-testid", "ai-tool-card");
    // A failed run never gets the success heading ("Kode promo dibuat"): its own heading.
    var label = ok ? (texts.tools && texts.tools[event.tool]) || event.tool : texts.failed_title || texts.failed;
    card.appendChild(el("strong", null, label + (ok && r.name ? ": " + r.name : ok && r.code ? ": " + r.code : "")));
    var detail = "";
    if (!ok) detail = r.error || texts.failed || "Gagal";
    else if (event.tool === "create_product") detail = rupiah(r.price) + " · " + (texts.stock || "stok") + " " + r.stock;
    else if (event.tool === "get_order_summary") {
      detail = r.orders + " " + (texts.orders || "pesanan") + " · " + r.paid_orders + " " + (texts.paid || "dibayar") +
        " · " + (texts.revenue || "omzet") + " " + rupiah(r.revenue);
    } else if (event.tool === "sync_to_marketplace") detail = "✓ " + r.synced + " · ✕ " + r.failed;
    else detail = texts.ok || "Berhasil";
    card.appendChild(el("span", "ai-card-status", detail));
    if (typeof r.url === "string" && r.url.charAt(0) === "/") { // a failure may point where to fix it
      var link = el("a", null, (texts.open || "Buka") + " →");
      link.href = r.url;
      card.appendChild(document.createTextNode(" "));
      card.appendChild(link);
    }
    log.appendChild(card);
    scroll();
  }
  function showError(message) {
    hideHint();
    log.appendChild(el("div", "ai-msg error", message || texts.error));
    scroll();
  }
  function setSession(id) {
    sessionId = id || "";
    if (sessionId) sessionStorage.setItem(KEY, sessionId); else sessionStorage.removeItem(KEY);
  }
  function headers(extra) {
    var h = {"Accept-Language": document.documentElement.lang || "id", "X-CSRFToken": panel.dataset.csrf};
    for (var k in extra || {}) h[k] = extra[k];
    return h;
  }

  function handle(event, state) {
    if (event === "[DONE]") return;
    if (event.session_id) { setSession(event.session_id); return; }
    if (typeof event.text === "string") {
      if (!state.bubble) { state.bubble = bubble("assistant", ""); state.text = ""; }
      state.text += event.text;
      state.bubble.textContent = state.text; // plain while streaming; bold applied at the end
      state.bubble.dataset.streaming = "1";
      scroll();
      return;
    }
    if (event.tool) {
      if (state.bubble) { renderRich(state.bubble, state.text); state.bubble = null; }
      toolCard(event);
      return;
    }
    if (event.error) showError(event.error);
  }

  function chat(message) {
    busy = true;
    send.disabled = true;
    bubble("user", message);
    var state = {bubble: null, text: ""};
    var body = {message: message};
    if (sessionId) body.session_id = sessionId;
    return fetch(panel.dataset.chatUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: headers({"Content-Type": "application/json", "Accept": "text/event-stream"}),
      body: JSON.stringify(body),
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("text/event-stream") !== 0) {
        return response.json().then(function (data) {
          if (response.status === 404 && sessionId) setSession("");
          showError((data && data.error) || texts.error);
        }, function () { showError(texts.error); });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) return;
          buffer += decoder.decode(chunk.value, {stream: true});
          var frames = buffer.split("\n\n");
          buffer = frames.pop();
          frames.forEach(function (frame) {
            frame.split("\n").forEach(function (line) {
              if (line.indexOf("data: ") !== 0) return;
              var data = line.slice(6);
              if (data === "[DONE]") { handle("[DONE]", state); return; }
              try { handle(JSON.parse(data), state); } catch (e) {}
            });
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      showError(texts.error);
    }).then(function () {
      if (state.bubble) { renderRich(state.bubble, state.text); delete state.bubble.dataset.streaming; }
      panel.dataset.turns = String(Number(panel.dataset.turns || 0) + 1);
      busy = false;
      send.disabled = false;
      input.focus();
    });
  }

  function loadConversation(id) {
    return fetch(panel.dataset.listUrl + "/" + encodeURIComponent(id), {credentials: "same-origin", headers: headers()})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        log.textContent = "";
        setSession(id);
        (data.data.items || []).forEach(function (item) {
          if (item.tool) toolCard(item); else if (item.text) bubble(item.role, item.text);
        });
      })
      .catch(function () { setSession(""); });
  }

  function showHistory(show) {
    historyList.hidden = !show;
    log.hidden = show;
    historyToggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) return;
    historyList.textContent = "";
    fetch(panel.dataset.listUrl, {credentials: "same-origin", headers: headers()})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var items = (data && data.data) || [];
        if (!items.length) { historyList.appendChild(el("li", "ai-hint", texts.empty_history)); return; }
        items.forEach(function (c) {
          var li = el("li");
          var b = el("button", null, c.title || c.id);
          if (c.updated_at) {
            var when = new Date(c.updated_at);
            b.appendChild(el("small", "ai-history-date", when.toLocaleString(english ? "en-GB" : "id-ID",
              {day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"})));
          }
          b.type = "button";
          b.addEventListener("click", function () { showHistory(false); loadConversation(c.id); });
          li.appendChild(b);
          historyList.appendChild(li);
        });
        var first = historyList.querySelector("button");
        if (first) first.focus();
      });
  }

  function open() {
    panel.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    if (!loaded && sessionId) { loaded = true; loadConversation(sessionId); }
    else if (!loaded) {
      // After a reload (or in a new tab) the latest conversation comes back, if recent; its
      // transcript is bounded by the API (the last turns only).
      loaded = true;
      fetch(panel.dataset.listUrl, {credentials: "same-origin", headers: headers()})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var latest = data && data.data && data.data[0];
          var recent = latest && Date.now() - new Date(latest.updated_at).getTime() < RECENT_MS;
          if (latest && recent && !sessionId && !log.querySelector(".ai-msg")) loadConversation(latest.id);
        })
        .catch(function () {});
    }
    loaded = true;
    input.focus();
  }
  function close() {
    panel.hidden = true;
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  }

  opener.addEventListener("click", open);
  panel.querySelector("[data-ai-close]").addEventListener("click", close);
  panel.querySelector("[data-ai-new]").addEventListener("click", function () {
    setSession("");
    log.textContent = "";
    showHint();
    showHistory(false);
    input.focus();
  });
  historyToggle.addEventListener("click", function () { showHistory(historyList.hidden); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); close(); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var message = input.value.trim();
    if (!message || busy) return;
    input.value = "";
    chat(message);
  });
})();
