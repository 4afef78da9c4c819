// Progressive enhancement of the public part's live parts (the page is complete without it):
// plays the livestream (natively where the browser can play HLS, else with hls.js, served by
// the portal), keeps the list of members present current, and ends both at once when the
// closed part begins. Snapshots arrive from live.js as "ratsraum:meeting" events.
(function () {
  "use strict";
  var HLS_TYPE = "application/vnd.apple.mpegurl";
  var HLS_SCRIPT = "/static/vendor/hls.light.min.js";
  var textsNode = document.getElementById("live-texts");
  var TEXTS = textsNode ? JSON.parse(textsNode.textContent) : {};
  function t(key, values) {
    var template = TEXTS[key] === undefined ? key : TEXTS[key];
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return values && values[name] !== undefined ? String(values[name]) : "";
    });
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function https(value) { return typeof value === "string" && value.indexOf("https://") === 0 ? value : ""; }

  var hls = null;
  var hlsLoading = null;
  var reloading = false;

  function loadHls() {
    if (window.Hls) { return Promise.resolve(window.Hls); }
    if (!hlsLoading) {
      hlsLoading = new Promise(function (resolve, reject) {
        var script = el("script", { src: HLS_SCRIPT });
        script.onload = function () { resolve(window.Hls); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return hlsLoading;
  }

  function attach(video, url) {
    if (video.canPlayType(HLS_TYPE)) { return; } // the browser plays HLS itself (<source>)
    loadHls().then(function (Hls) {
      if (!Hls || !Hls.isSupported() || !video.isConnected) { return; }
      // Only the playlist now; the video itself loads when the viewer presses play. No worker:
      // hls.js would start it from a blob: script, which the page's policy does not allow.
      hls = new Hls({ autoStartLoad: false, enableWorker: false });
      hls.loadSource(url);
      hls.attachMedia(video);
      video.addEventListener("play", function () { if (hls) { hls.startLoad(); } });
    }).catch(function () { /* the link under the player still works */ });
  }

  function stopStream() {
    if (hls) { hls.destroy(); hls = null; }
    var section = document.getElementById("livestream");
    if (!section) { return; }
    var video = document.getElementById("stream-player");
    if (video) { video.pause(); video.removeAttribute("src"); video.load(); }
    section.remove();
  }

  function streamSection(stream) {
    var url = https(stream.url);
    var section = el("section", { id: "livestream", "class": "rr-section", "aria-labelledby": "livestream-title",
                                  "data-stream-url": url });
    section.appendChild(el("h2", { id: "livestream-title", "class": "kern-heading-medium" }, t("stream.title")));
    var video = el("video", { id: "stream-player", "class": "rr-player", controls: "",
                              preload: "none", playsinline: "", crossorigin: "anonymous",
                              "aria-labelledby": "livestream-title" });
    video.appendChild(el("source", { src: url, type: HLS_TYPE }));
    var captions = https(stream.captions_url);
    if (captions) {
      video.appendChild(el("track", { kind: "captions", src: captions, default: "",
                                      srclang: document.documentElement.lang || "de",
                                      label: t("stream.captions") }));
    }
    video.appendChild(el("p", {}, t("stream.no_video")));
    section.appendChild(video);
    var link = el("p", { "class": "kern-body" });
    link.appendChild(el("a", { id: "stream-link", "class": "kern-link", href: url }, t("stream.open_link")));
    section.appendChild(link);
    return section;
  }

  function refusedNote(section, names) {
    var old = document.getElementById("stream-refused");
    if (old) { old.remove(); }
    if (names.length) {
      section.appendChild(el("p", { id: "stream-refused", "class": "kern-body kern-body--small" },
                             t("stream.refused", { names: names.join(", ") })));
    }
  }

  function showStream(box, stream) {
    var url = stream ? https(stream.url) : "";
    var section = document.getElementById("livestream");
    if (!url) { stopStream(); return; }
    if (!section || section.dataset.streamUrl !== url) {
      // The page's security policy names the stream origins it may play; a stream from any
      // other host needs the page anew (the server then allows that stream's origin).
      var allowed = (box.dataset.mediaOrigins || "").split(" ");
      if (allowed.indexOf(new URL(url).origin) < 0) {
        // A few times per address, each a little later (the page may come from a read model
        // a moment behind the live feed), so an origin the server refuses cannot loop.
        var tries = sessionStorage.getItem("rr-stream-reload") === url ?
          Number(sessionStorage.getItem("rr-stream-reloads") || 0) : 0;
        if (tries < 3 && !reloading) {
          reloading = true;
          sessionStorage.setItem("rr-stream-reload", url);
          sessionStorage.setItem("rr-stream-reloads", String(tries + 1));
          setTimeout(function () { window.location.reload(); }, 300 * (tries + 1));
        }
        return;
      }
      // A new address: a new player. The same address keeps playing untouched.
      stopStream();
      section = streamSection(stream);
      box.insertBefore(section, box.firstChild);
      attach(document.getElementById("stream-player"), url);
    }
    refusedNote(section, stream.refused_names || []);
  }

  function showAttendance(box, attendees) {
    var section = document.getElementById("attendance");
    if (!section) {
      section = el("section", { id: "attendance", "class": "rr-section", "aria-labelledby": "attendance-title" });
      section.appendChild(el("h2", { id: "attendance-title", "class": "kern-heading-medium" }, t("attendance.title")));
      section.appendChild(el("p", { "class": "kern-body" }, t("attendance.intro")));
      section.appendChild(el("p", { id: "attendees" }));
      box.appendChild(section);
    }
    var list;
    if (attendees.length) {
      // The same table the server renders (_live_public.html).
      list = el("table", { id: "attendees", "class": "kern-table rr-attendees" });
      list.appendChild(el("caption", { "class": "kern-sr-only" }, t("attendance.title")));
      var head = el("tr", { "class": "kern-table__row" });
      head.appendChild(el("th", { "class": "kern-table__header", scope: "col" }, t("attendance.person")));
      head.appendChild(el("th", { "class": "kern-table__header", scope: "col" }, t("attendance.how")));
      list.appendChild(el("thead")).appendChild(head);
      var body = list.appendChild(el("tbody", { "class": "kern-table__body" }));
      attendees.forEach(function (a) {
        var row = el("tr", { "class": "kern-table__row", "data-presence": a.presence || "" });
        row.appendChild(el("td", { "class": "kern-table__cell" }, a.name || ""));
        row.appendChild(el("td", { "class": "kern-table__cell" }, t("attendance." + a.presence)));
        body.appendChild(row);
      });
    } else {
      list = el("p", { id: "attendees", "class": "kern-body" }, t("attendance.none"));
    }
    document.getElementById("attendees").replaceWith(list);
  }

  function closedNote(box, closed) {
    var note = document.getElementById("live-closed-part");
    if (closed && !note) {
      // A KERN info alert, as the server renders it (_kern.html's alert).
      note = el("div", { id: "live-closed-part", "class": "kern-alert kern-alert--info" });
      var header = note.appendChild(el("div", { "class": "kern-alert__header" }));
      header.appendChild(el("span", { "class": "kern-icon kern-icon--info", "aria-hidden": "true" }));
      header.appendChild(el("span", { "class": "kern-title" }, t("attendance.closed_part")));
      box.insertBefore(note, box.firstChild);
    } else if (!closed && note) { note.remove(); }
  }

  function update(m) {
    var box = document.getElementById("live-public");
    if (!box) { return; }
    var running = m.status === "running" || m.status === "interrupted";
    var live = running && !m.closed_part;
    box.dataset.livePublic = live ? "true" : "false";
    closedNote(box, m.status === "running" && !!m.closed_part);
    if (!live) {
      stopStream();
      var section = document.getElementById("attendance");
      if (section) { section.remove(); }
      return;
    }
    showStream(box, m.stream);
    showAttendance(box, m.attendees || []);
  }

  var first = document.getElementById("stream-player");
  var firstSection = document.getElementById("livestream");
  if (first && firstSection) { attach(first, firstSection.dataset.streamUrl); }
  document.addEventListener("ratsraum:meeting", function (event) { update(event.detail); });
})();
