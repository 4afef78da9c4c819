// Progressive enhancement: the page is complete without this script. With it, the
// meeting's facts and public agenda follow the live stream (Server-Sent Events).
(function () {
  "use strict";
  var main = document.getElementById("inhalt");
  if (!main || !main.dataset.liveUrl || !window.EventSource) { return; }

  var MEETING = { scheduled: "Geplant", running: "Sitzung läuft", interrupted: "Unterbrochen",
                  closed: "Beendet" };
  var ITEM = { pending: "Offen", called: "In Beratung", voting: "Abstimmung läuft",
               decided: "Beschlossen", deferred: "Vertagt" };
  var OUTCOME = { accepted: "Angenommen", rejected: "Abgelehnt" };
  var METHOD = { open: "Offene Abstimmung", roll_call: "Namentliche Abstimmung",
                 secret: "Geheime Abstimmung" };
  var OPTION = { yes: "Ja", no: "Nein", abstain: "Enthaltung" };
  var status = document.getElementById("live-status");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function setText(id, text) { var n = document.getElementById(id); if (n) { n.textContent = text; } }
  function n(v) { return Number(v || 0); }

  function resultNode(r) {
    var box = el("div", { "class": "result", "data-result": r.outcome || "" });
    var summary = el("p", { "class": "result-summary" });
    summary.appendChild(el("strong", {}, (OUTCOME[r.outcome] || "Ergebnis") + " – Ja " + n(r.yes) +
      ", Nein " + n(r.no) + ", Enthaltung " + n(r.abstain)));
    box.appendChild(summary);
    box.appendChild(el("p", { "class": "result-meta" }, (METHOD[r.method] || "") +
      (r.show_of_hands ? " (per Handzeichen festgestellt)" : "")));
    if (r.explanation) { box.appendChild(el("p", { "class": "result-explanation" }, r.explanation)); }
    if (r.named_votes && r.named_votes.length) {
      box.appendChild(el("h4", {}, "Namentliche Stimmabgabe"));
      var list = el("ul", { "class": "named-votes" });
      r.named_votes.forEach(function (v) {
        list.appendChild(el("li", {}, v.name + ": " + (OPTION[v.option_id] || v.option_id)));
      });
      box.appendChild(list);
    }
    return box;
  }

  function presence(m) {
    // Same wording as the server: quorum only while the session is open.
    if (m.status === "scheduled") { return "Sitzung noch nicht eröffnet"; }
    if (m.status === "closed") { return "Sitzung beendet"; }
    return n(m.present) + " von " + n(m.members) + " Mitgliedern anwesend – " +
      (m.quorate ? "beschlussfähig" : "nicht beschlussfähig");
  }

  function itemNode(item, current) {
    var attrs = { id: "top-" + item.id, "class": current ? "agenda-item current" : "agenda-item",
                  "data-status": item.status || "pending" };
    if (current) { attrs["aria-current"] = "step"; }
    var li = el("li", attrs);
    var h = el("h3");
    h.appendChild(el("span", { "class": "number" }, item.number || ""));
    h.appendChild(document.createTextNode(" " + (item.title || "")));
    li.appendChild(h);
    if (current) { li.appendChild(el("p", { "class": "now", "data-now": "" }, "Wird gerade beraten")); }
    var st = el("p", { "class": "item-status" }, "Stand: ");
    st.appendChild(el("span", { "data-item-status": "" }, ITEM[item.status] || item.status || "Offen"));
    li.appendChild(st);
    if (item.live_vote) {
      li.appendChild(el("p", { "class": "live-vote", "data-live-vote": "" }, "Abstimmung läuft: " +
        n(item.live_vote.ballots_cast) + " von " + n(item.live_vote.roll_size) + " Stimmen abgegeben"));
    }
    if (item.result) { li.appendChild(resultNode(item.result)); }
    return li;
  }

  function render(m) {
    setText("meeting-title", m.title || "");
    setText("meeting-body", m.body_name || "");
    var st = document.getElementById("meeting-status");
    if (st) { st.dataset.status = m.status; st.textContent = MEETING[m.status] || m.status; }
    var p = document.getElementById("meeting-presence");
    if (p) {
      p.dataset.present = n(m.present); p.dataset.members = n(m.members);
      p.dataset.quorate = m.quorate ? "true" : "false";
      p.textContent = presence(m);
    }
    var items = (m.agenda || []).slice().sort(function (a, b) { return n(a.position) - n(b.position); });
    var old = document.getElementById("agenda");
    if (old && items.length) {
      var list = el("ol", { id: "agenda", "class": "agenda" });
      var open = m.status === "running" || m.status === "interrupted";
      var current = open ? (m.current_item_id || "") : "";
      items.forEach(function (item) { list.appendChild(itemNode(item, current && item.id === current)); });
      old.replaceWith(list);
    }
  }

  var source = new EventSource(main.dataset.liveUrl);
  source.addEventListener("meeting", function (event) {
    var version = Number(event.lastEventId || 0);
    if (version && version < Number(main.dataset.version || 0)) { return; }
    main.dataset.version = String(version);
    render(JSON.parse(event.data));
    if (status) {
      status.textContent = "Live: aktualisiert um " +
        new Date().toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" }) + " Uhr";
    }
  });
  source.addEventListener("error", function () {
    if (status) { status.textContent = "Live-Verbindung unterbrochen; neuer Versuch läuft …"; }
  });
})();
