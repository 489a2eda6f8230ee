/* Leave form: refresh the server-rendered working-days preview when the type or dates change, as soon as both dates
   are given (the other fields may still be empty: the server checks only what the count needs).
   Progressive enhancement only: without JavaScript the "Preview" button does the same. */
(function () {
  "use strict";
  var form = document.getElementById("leave-form");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var target = document.getElementById("leave-preview");
  var timer = null;
  function refresh() {
    var start = document.getElementById("id_start_date"), end = document.getElementById("id_end_date");
    if (!start || !end || !start.value || !end.value) { return; }
    var data = new FormData(form);
    data.delete("document");
    data.set("preview", "1");
    data.delete("submit");
    fetch(form.getAttribute("data-preview-url"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("leave-preview");
        var errors = doc.querySelector("#leave-form .errors, #leave-form .error");
        target.textContent = "";
        if (fresh && fresh.children.length) {
          Array.prototype.forEach.call(fresh.children, function (n) { target.appendChild(document.importNode(n, true)); });
        } else if (errors) {
          var p = document.createElement("p");
          p.className = "error";
          p.textContent = errors.textContent.trim();
          target.appendChild(p);
        }
      })
      .catch(function () { /* the Preview button still works */ });
  }
  ["id_leave_type", "id_start_date", "id_end_date", "id_emergency", "id_first_hajj"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) {
      el.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 250); });
    }
  });
}());
