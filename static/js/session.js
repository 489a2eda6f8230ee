/* Idle timeout warning for components/session_notice.html. Progressive enhancement: without JavaScript the notice
   states the timeout. The server signs a session out after data-idle-seconds without a request and notes activity at
   most once a minute, so the deadline counted here is one minute earlier than the server's. */
(function () {
  "use strict";
  var notice = document.querySelector("[data-session-notice]");
  if (!notice) { return; }
  var idle = parseInt(notice.getAttribute("data-idle-seconds"), 10) * 1000;
  if (!idle) { return; }
  var SEEN = "serambi:session-seen";  // the latest request from any tab of this browser
  var WARN_BEFORE = 120 * 1000;
  var margin = Math.min(60 * 1000, idle / 4);

  function show(state) {
    Array.prototype.forEach.call(notice.querySelectorAll("[data-state]"), function (p) {
      var keep = p.getAttribute("data-state") === state ||
        (p.getAttribute("data-state") === "restored" && !p.hidden && state !== "ended");
      p.hidden = !keep;
    });
    notice.className = "banner session-notice banner-" + (state === "warning" || state === "ended" ? "warning" : "info");
  }
  function seen(at) {
    try {
      if (at) { window.localStorage.setItem(SEEN, String(at)); }
      return Math.max(parseInt(window.localStorage.getItem(SEEN), 10) || 0, loaded);
    } catch (e) { return loaded; }
  }
  var loaded = Date.now();
  var ended = false;
  seen(loaded);
  show(document.querySelector("form[data-draft]") ? "draft" : "static");

  function tick() {
    if (ended) { return; }
    var left = seen() + idle - margin - Date.now();
    if (left <= 0) {
      ended = true;
      show("ended");
    } else if (left <= WARN_BEFORE) {
      show("warning");
    } else if (!notice.querySelector('[data-state="warning"]').hidden) {
      show(document.querySelector("form[data-draft]") ? "draft" : "static");
    }
  }
  var keep = notice.querySelector("[data-session-keep]");
  if (keep) {
    keep.addEventListener("click", function () {
      // any request the server answers for this session counts as activity; a redirect means it has ended
      fetch(notice.getAttribute("data-keepalive-url"), { method: "HEAD", credentials: "same-origin", cache: "no-store" })
        .then(function (r) {
          if (r.ok && !r.redirected) { seen(Date.now()); tick(); } else { ended = true; show("ended"); }
        })
        .catch(function () { /* offline: the warning stays */ });
    });
  }
  tick();
  window.setInterval(tick, 15 * 1000);
}());
