/* Drafts of long forms in this browser (localStorage), so that nothing typed is lost to an expired session or a closed
   tab. A form opts in with data-draft="<form name>" data-draft-user="<user id>": the draft is kept per user and form,
   restored when the form is shown again empty, and removed once the server has accepted the form (the next page
   shows a success message and not the form), when the user discards it, at logout and after three days. Files,
   passwords, hidden fields and the CSRF token are never kept. Progressive enhancement: the form works without it.
   Every signed-in page loads it (base.html, data-draft-owner): a logout from any page clears the drafts, and the
   first page of someone else signing in on this computer drops the drafts an expired session left behind. */
(function () {
  "use strict";
  if (window.serambiDrafts) { return; }  // base.html and a form's page both load it
  window.serambiDrafts = true;
  var script = document.currentScript;
  var owner = script && script.getAttribute("data-draft-owner");
  var PREFIX = "serambi:draft:";
  var MAX_AGE = 3 * 24 * 3600 * 1000;
  var store;
  try {
    store = window.localStorage;
    store.setItem(PREFIX + "probe", "1");
    store.removeItem(PREFIX + "probe");
  } catch (e) { return; }

  function keyOf(form) { return PREFIX + form.getAttribute("data-draft-user") + ":" + form.getAttribute("data-draft"); }
  function read(key) {
    try {
      var d = JSON.parse(store.getItem(key));
      if (d && d.values && Date.now() - d.saved < MAX_AGE) { return d; }
    } catch (e) { /* a damaged draft is dropped below */ }
    store.removeItem(key);
    return null;
  }
  function write(key, d) { try { store.setItem(key, JSON.stringify(d)); } catch (e) { /* full: no draft */ } }
  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && !/^(file|password|hidden|submit|button|reset)$/.test(el.type);
    });
  }
  function values(form) {
    var v = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { v[el.name] = el.value; } }
      else if (el.type === "checkbox") { v[el.name] = el.checked; }
      else { v[el.name] = el.value; }
    });
    return v;
  }
  function fill(form, v) {
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(v, el.name)) { return; }
      if (el.type === "radio") { el.checked = el.value === v[el.name]; }
      else if (el.type === "checkbox") { el.checked = !!v[el.name]; }
      else { el.value = v[el.name]; }
      el.dispatchEvent(new Event("change", { bubbles: true }));  // e.g. the leave form's live preview
    });
  }
  function each(fn) {
    for (var i = store.length - 1; i >= 0; i--) {
      var k = store.key(i);
      if (k && k.indexOf(PREFIX) === 0) { fn(k); }
    }
  }

  // a shared computer: nothing another user typed stays readable by whoever signs in next
  if (owner) { each(function (k) { if (k.indexOf(PREFIX + owner + ":") !== 0) { store.removeItem(k); } }); }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft][data-draft-user]"));
  var here = {};
  forms.forEach(function (form) { here[keyOf(form)] = true; });

  // a form sent from this browser was accepted: the page says so and does not show the form again
  if (document.querySelector(".banner-success")) {
    each(function (k) { var d = read(k); if (d && d.sent && !here[k]) { store.removeItem(k); } });
  } else {
    each(read);  // drops expired drafts
  }

  forms.forEach(function (form) {
    var key = keyOf(form);
    var draft = read(key);
    var notice = document.querySelector("[data-session-notice]");
    if (form.hasAttribute("data-draft-bound")) {
      // the server showed the sent form again (an error): what it shows is the latest draft
      write(key, { saved: Date.now(), values: values(form) });
    } else if (draft) {
      fill(form, draft.values);
      var restored = notice && notice.querySelector('[data-state="restored"]');
      if (restored) { restored.hidden = false; }
    }
    var timer = null;
    function save() {
      clearTimeout(timer);
      timer = setTimeout(function () { write(key, { saved: Date.now(), values: values(form) }); }, 300);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      write(key, { saved: Date.now(), values: values(form), sent: Date.now() });
    });
    var discard = notice && notice.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        store.removeItem(key);
        form.reset();
        discard.parentNode.hidden = true;
      });
    }
  });

  // logging out on this computer leaves no draft behind
  Array.prototype.forEach.call(document.querySelectorAll('[data-testid="logout"]'), function (button) {
    if (button.form) { button.form.addEventListener("submit", function () { each(function (k) { store.removeItem(k); }); }); }
  });
}());
