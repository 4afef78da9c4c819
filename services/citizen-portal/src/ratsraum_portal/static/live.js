// Progressive enhancement: the page is complete without this script. With it, the
// meeting's facts and public agenda follow the live stream (Server-Sent Events).
(function () {
  "use strict";
  var main = document.getElementById("inhalt");
  if (!main || !main.dataset.liveUrl || !window.EventSource) { return; }

  // The page's language: the server embeds the catalogue texts this script needs.
  var textsNode = document.getElementById("live-texts");
  var TEXTS = textsNode ? JSON.parse(textsNode.textContent) : {};
  function t(key, values, fallback) {
    var template = TEXTS[key];
    if (template === undefined) { return fallback === undefined ? key : fallback; }
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return values && values[name] !== undefined ? String(values[name]) : "";
    });
  }
  function word(group, value) { return t(group + "." + value, {}, value || ""); }
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
    var box = el("div", { "class": "rr-result", "data-result": r.outcome || "" });
    var summary = el("p", { "class": "kern-body result-summary" });
    summary.appendChild(el("strong", {}, t("outcome." + r.outcome, {}, t("outcome.none")) + " – " +
      t("option.yes") + " " + n(r.yes) + ", " + t("option.no") + " " + n(r.no) + ", " +
      t("option.abstain") + " " + n(r.abstain)));
    box.appendChild(summary);
    box.appendChild(el("p", { "class": "kern-body kern-body--small" }, (r.method ? word("method", r.method) : "") +
      (r.show_of_hands ? " " + t("meeting.show_of_hands") : "")));
    if (r.explanation) { box.appendChild(el("p", { "class": "kern-body kern-body--small" }, r.explanation)); }
    if (r.named_votes && r.named_votes.length) {
      box.appendChild(el("h4", { "class": "kern-body kern-body--bold" }, t("meeting.named_votes")));
      var list = el("ul", { "class": "rr-named-votes" });
      r.named_votes.forEach(function (v) {
        list.appendChild(el("li", {}, v.name + ": " + word("option", v.option_id)));
      });
      box.appendChild(list);
    }
    return box;
  }

  function presence(m) {
    // Same wording as the server: quorum only while the session is open.
    if (m.status === "scheduled") { return t("presence.not_open"); }
    if (m.status === "closed") { return t("presence.ended"); }
    return t("presence.line", { present: n(m.present), members: n(m.members),
      verdict: t(m.quorate ? "presence.quorate" : "presence.not_quorate") });
  }

  function itemNode(item, current) {
    var attrs = { id: "top-" + item.id, "class": current ? "rr-agenda-item rr-agenda-item--current" : "rr-agenda-item",
                  "data-status": item.status || "pending" };
    if (current) { attrs["aria-current"] = "step"; }
    var li = el("li", attrs);
    var h = el("h3", { "class": "kern-heading-small" });
    h.appendChild(el("span", { "class": "rr-number" }, item.number || ""));
    h.appendChild(document.createTextNode(" " + (item.title || "")));
    li.appendChild(h);
    if (current) { li.appendChild(el("p", { "class": "kern-body kern-body--bold rr-now", "data-now": "" }, t("meeting.now"))); }
    var st = el("p", { "class": "kern-body kern-body--small" }, t("meeting.item_state") + " ");
    st.appendChild(el("span", { "data-item-status": "" }, word("item_status", item.status || "pending")));
    li.appendChild(st);
    if (item.live_vote) {
      li.appendChild(el("p", { "class": "kern-body kern-body--bold rr-live-vote", "data-live-vote": "" }, t("meeting.vote_running") + " " +
        t("vote.progress", { cast: n(item.live_vote.ballots_cast), roll: n(item.live_vote.roll_size) })));
    }
    if (item.result) { li.appendChild(resultNode(item.result)); }
    return li;
  }

  function render(m) {
    setText("meeting-title", m.title || "");
    setText("meeting-body", m.body_name || "");
    var st = document.getElementById("meeting-status");
    if (st) { st.dataset.status = m.status; st.textContent = word("status", m.status); }
    var p = document.getElementById("meeting-presence");
    if (p) {
      p.dataset.present = n(m.present); p.dataset.members = n(m.members);
      p.dataset.quorate = m.quorate ? "true" : "false";
      p.textContent = presence(m);
    }
    var items = (m.agenda || []).slice().sort(function (a, b) { return n(a.position) - n(b.position); });
    var old = document.getElementById("agenda");
    if (old && items.length) {
      var list = el("ol", { id: "agenda", "class": "rr-agenda" });
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
    var meeting = JSON.parse(event.data);
    render(meeting);
    // The livestream and the attendance list (public-live.js) follow the same snapshot.
    document.dispatchEvent(new CustomEvent("ratsraum:meeting", { detail: meeting }));
    if (status) {
      var now = new Date();
      var time = ("0" + now.getHours()).slice(-2) + ":" + ("0" + now.getMinutes()).slice(-2);
      status.textContent = t("live.updated", { time: time });
    }
  });
  source.addEventListener("error", function () {
    if (status) { status.textContent = t("live.lost"); }
  });
})();
