// Drafts that survive (issue 18 item 2). A long form marked data-draft keeps what is typed in
// this browser's localStorage, keyed by the user and the form's address, so nothing is lost
// when the session ends before the save: after logging in again the form opens with the values
// filled back in and a banner says so. The draft is forgotten when the server accepts the form
// (base.html lists the saved forms in data-drafts-saved), when it is discarded, after a week,
// and all drafts of the browser on logout. Passwords, CSRF tokens and files are never kept.
// Without JavaScript the forms work as before.
(function () {
  "use strict";
  var PREFIX = "caseman-draft:";
  var REFILLED = "caseman-draft-refilled:";
  var MAX_AGE = 7 * 24 * 3600 * 1000;
  var SKIPPED_TYPES = { password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  var SKIPPED_NAMES = { csrf_token: 1, _draft: 1 };
  var body = document.body;
  var store;
  try {
    store = window.localStorage;
    store.getItem(PREFIX);
  } catch (e) {
    return; // storage refused (private mode, policy): the forms work as before
  }
  var user = body.getAttribute("data-user") || "";

  function keys() {
    var found = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) { found.push(key); }
    }
    return found;
  }

  function read(key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      return draft && draft.values && draft.names ? draft : null;
    } catch (e) {
      return null;
    }
  }

  function forget(key) {
    try { store.removeItem(key); } catch (e) { /* nothing to do */ }
  }

  // Logout empties every draft of the browser, whoever wrote it.
  function wipeAll() { keys().forEach(forget); }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-wipe]"), function (f) {
    f.addEventListener("submit", wipeAll);
  });
  if (body.hasAttribute("data-drafts-wipe")) { wipeAll(); }

  // Old drafts go, whoever wrote them.
  var now = Date.now();
  keys().forEach(function (key) {
    var draft = read(key);
    if (!draft || !(now - draft.at < MAX_AGE)) { forget(key); }
  });
  if (!user) { return; } // nobody logged in: nothing is kept, nothing restored

  function keyFor(path) { return PREFIX + user + ":" + path; }

  // The forms the server just accepted: their drafts are done with.
  var saved = [];
  try { saved = JSON.parse(body.getAttribute("data-drafts-saved") || "[]"); } catch (e) { saved = []; }
  saved.forEach(function (path) { forget(keyFor(path)); });

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && !SKIPPED_TYPES[el.type] && !SKIPPED_NAMES[el.name] &&
        !el.closest("[data-draft-skip]");
    });
  }

  function values(form) {
    var names = [];
    var pairs = [];
    fields(form).forEach(function (el) {
      if (names.indexOf(el.name) < 0) { names.push(el.name); }
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { pairs.push([el.name, el.value]); }
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          if (o.selected) { pairs.push([el.name, o.value]); }
        });
      } else {
        pairs.push([el.name, el.value]);
      }
    });
    return { names: names, values: pairs };
  }

  function mark(el) {
    var box = el.closest(".field") || el;
    box.classList.add("draft-restored");
  }

  // Put the draft's values into the form; returns how many fields changed and which names of
  // the draft the form lacks (family rows added before the session ended).
  function apply(form, draft) {
    var byName = {};
    draft.values.forEach(function (pair) {
      (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]);
    });
    var seen = {};
    var used = {};
    var hidden = [];
    var changed = 0;
    fields(form).forEach(function (el) {
      seen[el.name] = true;
      if (draft.names.indexOf(el.name) < 0) { return; }
      var wanted = byName[el.name] || [];
      var before;
      if (el.type === "checkbox" || el.type === "radio") {
        before = el.checked;
        el.checked = wanted.indexOf(el.value) >= 0;
        if (el.checked !== before) { changed++; mark(el); }
      } else if (el.type === "select-multiple") {
        var differs = false;
        Array.prototype.forEach.call(el.options, function (o) {
          var on = wanted.indexOf(o.value) >= 0;
          if (o.selected !== on) { o.selected = on; differs = true; }
        });
        if (differs) { changed++; mark(el); }
      } else {
        var index = used[el.name] || 0;
        used[el.name] = index + 1;
        var value = index < wanted.length ? wanted[index] : "";
        if (el.type === "hidden") {
          // The submission key and the edited version go back only with what was typed.
          if (el.value !== value) { hidden.push([el, value]); }
        } else if (el.value !== value) {
          el.value = value;
          if (el.value === value) { changed++; mark(el); }
        }
      }
    });
    if (changed) { hidden.forEach(function (pair) { pair[0].value = pair[1]; }); }
    var missing = draft.names.filter(function (name) {
      return !seen[name] && byName[name] && byName[name].some(function (v) { return v !== ""; });
    });
    return { changed: changed, missing: missing };
  }

  function banner(form, key) {
    var template = document.getElementById("draft-banner");
    if (!template || !template.content) { return; }
    var node = template.content.firstElementChild.cloneNode(true);
    node.querySelector("[data-draft-discard]").addEventListener("click", function () {
      forget(key);
      window.location.replace(window.location.pathname + window.location.search);
    });
    form.parentNode.insertBefore(node, form);
  }

  // A family row the page lacks: send the whole draft back once with the form's non-saving
  // button (data-draft-refill, e.g. 添加家庭成员); the server answers with every row filled.
  function refill(form, draft, key) {
    var button = form.querySelector("[data-draft-refill]");
    if (!button) { return false; }
    try {
      if (window.sessionStorage.getItem(REFILLED + key)) { return false; }
      window.sessionStorage.setItem(REFILLED + key, "1");
    } catch (e) {
      return false;
    }
    var post = document.createElement("form");
    post.method = "post";
    post.action = window.location.pathname + window.location.search;
    post.hidden = true;
    function hidden(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    draft.values.forEach(function (pair) { hidden(pair[0], pair[1]); });
    var token = form.querySelector("input[name=csrf_token]");
    if (token) { hidden("csrf_token", token.value); }
    hidden(button.name, button.value || "y");
    document.body.appendChild(post);
    post.submit();
    return true;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    var key = keyFor(window.location.pathname);
    var posted = body.getAttribute("data-method") === "POST";
    var timer = null;

    function save() {
      timer = null;
      var draft = values(form);
      draft.at = Date.now();
      try {
        store.setItem(key, JSON.stringify(draft));
      } catch (e) { /* full or refused: the form still works */ }
    }
    function later() {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, 400);
    }

    if (posted) {
      // The server answered the form again (errors, a conflict, a family row added): what it
      // shows is what was sent, so that is the draft now.
      var refilled = false;
      try {
        refilled = !!window.sessionStorage.getItem(REFILLED + key);
        window.sessionStorage.removeItem(REFILLED + key);
      } catch (e) { refilled = false; }
      save();
      if (refilled) { banner(form, key); }
    } else {
      try { window.sessionStorage.removeItem(REFILLED + key); } catch (e) { /* ignore */ }
      var draft = read(key);
      if (draft) {
        var result = apply(form, draft);
        if (result.missing.length && refill(form, draft, key)) { return; }
        if (result.changed) {
          banner(form, key);
          form.setAttribute("data-draft-restored", String(result.changed));
        } else {
          forget(key); // the page already shows everything the draft held
        }
      }
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      if (timer) { window.clearTimeout(timer); }
      save();
      if (!form.querySelector("input[name=_draft]")) {
        var flag = document.createElement("input");
        flag.type = "hidden";
        flag.name = "_draft";
        flag.value = "1";
        form.appendChild(flag);
      }
    });
    window.addEventListener("pagehide", function () { if (timer) { save(); } });
  });
})();
