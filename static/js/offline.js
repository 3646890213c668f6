// Offline visit and care entry (issue 18 item 1), the page's side. The service worker (sw.js)
// keeps a record form sent without network in the offline store (offline-store.js); this
// script, on every page of a logged-in user:
// - registers the service worker and keeps the user's pages for the field (the pack: 离线探访,
//   and the visit form, care form and case summary of each of their own elders);
// - shows "N 条记录待发送" in the header;
// - sends the kept records when the network returns (and on each page load): the same form,
//   to the same address, with a fresh CSRF token, the key in X-Idempotency-Key and
//   Accept: application/json; the server checks it as online; a record saved (or saved
//   before: same key) leaves the store, a refused one stays with the server's messages;
// - lists them on 离线探访 (/offline/), where a refused one opens its form filled in again;
// - empties the store and the kept pages after a logout, and when the account is disabled.
(function () {
  "use strict";
  var Store = window.CasemanOfflineStore;
  var textNode = document.getElementById("offline-texts");
  if (!Store || !window.indexedDB || !textNode) { return; }
  var T = JSON.parse(textNode.getAttribute("data-texts") || "{}");
  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var PAGES = "caseman-pages";
  var FILES = "caseman-files";
  var PACK_EVERY = 10 * 60 * 1000;
  var RECORD_FORM = /^\/elders\/(\d+)\/(visits|care)\/new$/;
  var loginNeeded = false;

  function say(name, params) {
    var text = T[name] || "";
    Object.keys(params || {}).forEach(function (key) { text = text.split("{" + key + "}").join(params[key]); });
    return text;
  }

  function wipeEverything() {
    var unregister = navigator.serviceWorker ? navigator.serviceWorker.getRegistrations()
      .then(function (all) { return Promise.all(all.map(function (r) { return r.unregister(); })); })
      .catch(function () {}) : Promise.resolve();
    return Promise.all([Store.wipe(), unregister]);
  }

  // After a logout: nothing of the last user stays in this browser. The logout's
  // Clear-Site-Data may still be emptying the same storage, and a step that meets it half-way
  // can fail: the whole wipe is tried again (each step is harmless twice). The body says when
  // it is done, or that it failed.
  function wipeAfterLogout(tries) {
    return wipeEverything().catch(function (error) {
      if (tries <= 1) { throw error; }
      return new Promise(function (resolve) { setTimeout(resolve, 300); })
        .then(function () { return wipeAfterLogout(tries - 1); });
    });
  }
  if (body.hasAttribute("data-drafts-wipe")) {
    wipeAfterLogout(5).then(function () { body.setAttribute("data-offline-wiped", ""); },
      function () { body.setAttribute("data-offline-wiped", "failed"); });
    return;
  }
  if (!user) { return; }

  if (navigator.serviceWorker && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }

  // --- the header: a link to 离线探访 and the badge -------------------------------------
  var nav = document.querySelector(".mainnav");
  if (nav && T.url && !nav.querySelector("[data-offline-nav]")) {
    var link = document.createElement("a");
    link.href = T.url;
    link.textContent = T.nav;
    link.setAttribute("data-offline-nav", "");
    nav.appendChild(link);
  }
  var badge = document.createElement("a");
  badge.className = "offline-badge";
  badge.href = T.url || "/offline/";
  badge.hidden = true;
  badge.setAttribute("role", "status");
  var header = document.querySelector(".topbar");
  if (header) { header.insertBefore(badge, header.querySelector(".userbox")); }

  function records() { return Store.listRecords(user).catch(function () { return []; }); }

  function render() {
    return records().then(function (rows) {
      var waiting = rows.filter(function (r) { return r.state !== "refused"; });
      var refused = rows.filter(function (r) { return r.state === "refused"; });
      var parts = [];
      if (waiting.length) {
        parts.push(say("waiting", { n: waiting.length }) + (loginNeeded ? "（" + T.login + "）" : ""));
      }
      if (refused.length) { parts.push(say("refused", { n: refused.length })); }
      badge.textContent = parts.join(" · ");
      badge.hidden = !parts.length;
      badge.classList.toggle("refused", refused.length > 0);
      body.setAttribute("data-offline-waiting", String(waiting.length));
      body.setAttribute("data-offline-refused", String(refused.length));
      renderLists(waiting, refused);
    });
  }

  // --- 离线探访: the lists of records -----------------------------------------------------
  function message(text) {
    var box = document.getElementById("offline-message");
    if (!box || !text) { return; }
    box.textContent = text;
    box.hidden = false;
  }

  function titleOf(record, names) {
    var who = (names && names[record.elder]) || say("elder", { id: record.elder });
    // The site's one clock (CASEMAN_TIMEZONE), not the phone's zone; the page's language.
    var time = new Intl.DateTimeFormat(document.documentElement.lang || "zh-CN", {
      timeZone: T.zone || "Asia/Shanghai", year: "numeric", month: "long", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).format(new Date(record.at));
    return { who: who, kind: T[record.kind] || record.kind, when: say("recorded", { time: time }) };
  }

  function item(record, names, refused) {
    var li = document.createElement("li");
    li.className = "offline-record" + (refused ? " refused" : "");
    li.setAttribute("data-key", record.key);
    var title = titleOf(record, names);
    var head = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = title.kind + " · " + title.who;
    var small = document.createElement("span");
    small.className = "muted";
    small.textContent = " " + title.when;
    head.appendChild(strong);
    head.appendChild(small);
    li.appendChild(head);
    if (refused) {
      var list = document.createElement("ul");
      list.className = "offline-errors";
      (record.errors || []).forEach(function (error) {
        var line = document.createElement("li");
        line.textContent = (error.label ? error.label + "：" : "") + error.message;
        list.appendChild(line);
      });
      li.appendChild(list);
      var actions = document.createElement("div");
      actions.className = "offline-actions";
      var open = document.createElement("a");
      open.className = "button primary";
      open.href = record.action + "#offline=" + record.key;
      open.textContent = T.reopen;
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "button";
      drop.textContent = T.discard;
      drop.addEventListener("click", function () {
        if (window.confirm(T.confirm_discard)) { Store.deleteRecord(record.key).then(render); }
      });
      actions.appendChild(open);
      actions.appendChild(drop);
      li.appendChild(actions);
    }
    return li;
  }

  function renderLists(waiting, refused) {
    var waitingBox = document.getElementById("offline-waiting");
    var refusedBox = document.getElementById("offline-refused");
    if (!waitingBox || !refusedBox) { return; }
    Store.getMeta("elders").then(function (names) {
      [[waitingBox, waiting, false], [refusedBox, refused, true]].forEach(function (set) {
        var ul = set[0].querySelector("ul");
        ul.textContent = "";
        set[1].forEach(function (record) { ul.appendChild(item(record, names, set[2])); });
        set[0].hidden = !set[1].length;
      });
    });
  }

  // --- sending ------------------------------------------------------------------------------
  function state() {
    return fetch("/offline/state", {
      credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect") { return { status: "login" }; }
      return response.json().catch(function () { return { status: "later" }; });
    }, function () { return { status: "offline" }; });
  }

  function send(record, token) {
    var form = new FormData();
    record.fields.forEach(function (pair) {
      if (pair[0] !== "csrf_token" && pair[0] !== "submission_key" && pair[0] !== "_draft") {
        form.append(pair[0], pair[1]);
      }
    });
    form.append("csrf_token", token);
    form.append("submission_key", record.key);
    return fetch(record.action, {
      method: "POST", body: form, credentials: "same-origin", redirect: "manual",
      headers: { Accept: "application/json", "X-Idempotency-Key": record.key, "X-CSRFToken": token }
    }).then(function (response) {
      if (response.type === "opaqueredirect") { return { result: "login" }; }
      if (response.status === 404) {
        return { result: "refused", errors: [{ label: "", message: T.not_found }] };
      }
      return response.json().then(function (answer) {
        if (answer.status === "saved" || answer.status === "duplicate") { return { result: "saved" }; }
        if (answer.status === "refused") { return { result: "refused", errors: answer.errors || [] }; }
        return { result: "later" };
      }, function () {
        // Not JSON: a page (the CSRF token refused, a server error): try again later.
        return { result: response.status === 400 ? "token" : "later" };
      });
    }, function () { return { result: "offline" }; });
  }

  // One sender at a time, across the pages of this browser (a page reloaded as the network
  // returns would otherwise send beside the one it replaces; the key keeps it to one save).
  function oneAtATime(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("caseman-offline-send", work);
    }
    return work();
  }

  var sending = null;
  function sendAll() {
    if (sending) { return sending; }
    sending = oneAtATime(sendWaiting).then(function (sent) {
      if (sent) {
        message(say("sent", { n: sent }));
        keepPages(true);
      }
      return sent;
    }).catch(function () { return 0; }).then(function (sent) {
      sending = null;
      return render().then(function () {
        body.setAttribute("data-offline-sent", String(sent));
        return sent;
      });
    });
    return sending;
  }

  function sendWaiting() {
    return records().then(function (rows) {
      var waiting = rows.filter(function (r) { return r.state !== "refused"; });
      if (!waiting.length) { return 0; }
      return state().then(function (answer) {
        if (answer.status === "disabled") {
          return wipeEverything().then(function () { window.location.assign("/login"); return 0; });
        }
        if (answer.status !== "ok" || answer.user !== user) {
          loginNeeded = answer.status === "login";
          if (loginNeeded) { message(T.login_needed); }
          return 0;
        }
        loginNeeded = false;
        var token = answer.csrf_token;
        var sent = 0;
        var retried = false;
        function next(i) {
          if (i >= waiting.length) { return Promise.resolve(sent); }
          var record = waiting[i];
          return send(record, token).then(function (outcome) {
            if (outcome.result === "saved") {
              sent++;
              return Store.deleteRecord(record.key).then(function () { return next(i + 1); });
            }
            if (outcome.result === "refused") {
              record.state = "refused";
              record.errors = outcome.errors;
              return Store.putRecord(record).then(function () { return next(i + 1); });
            }
            if (outcome.result === "token" && !retried) {
              retried = true;
              return state().then(function (again) {
                if (again.status !== "ok") { return sent; }
                token = again.csrf_token;
                return next(i);
              });
            }
            if (outcome.result === "login") { loginNeeded = true; message(T.login_needed); }
            return sent; // offline or the server busy: the rest wait for the next try
          });
        }
        return next(0);
      });
    });
  }
  window.CasemanOffline = { send: sendAll, render: render, keepPages: function () { return keepPages(true); } };

  // --- keeping the pages for the field ----------------------------------------------------
  function keepPages(force) {
    if (!T.url || !navigator.onLine || !window.caches) { return Promise.resolve(); }
    return Store.getMeta("packed").then(function (last) {
      if (!force && last && last.user === user && Date.now() - last.at < PACK_EVERY) { return; }
      return fetch("/offline/pack.json", {
        credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" }
      }).then(function (response) {
        if (response.status !== 200) { return; }
        return response.json().then(function (pack) {
          if (pack.user !== user) { return; }
          var fresh = last && last.user !== user ? caches.delete(PAGES) : Promise.resolve();
          return fresh.then(function () { return caches.open(PAGES); }).then(function (cache) {
            var wanted = {};
            return pack.pages.reduce(function (done, path) {
              return done.then(function () {
                var url = new URL(path, window.location.href).href;
                wanted[url] = true;
                return fetch(url, {
                  credentials: "same-origin", redirect: "manual", headers: { "X-Offline-Pack": "1" }
                }).then(function (page) {
                  if (page.status !== 200 || page.type !== "basic") { return; }
                  return page.text().then(function (html) {
                    var headers = new Headers(page.headers);
                    headers.delete("Content-Length");
                    headers.delete("Vary");
                    // A kept copy says so: its forms get a fresh key each time (offline.js).
                    var marked = html.replace("<body ", "<body data-offline-copy ");
                    return cache.put(url, new Response(marked, { status: 200, headers: headers }));
                  });
                }).catch(function () {});
              });
            }, Promise.resolve()).then(function () {
              return cache.keys().then(function (kept) {
                return Promise.all(kept.filter(function (r) { return !wanted[r.url]; })
                  .map(function (r) { return cache.delete(r); }));
              });
            });
          }).then(function () {
            return caches.open(FILES).then(function (files) {
              return files.addAll(pack.files).catch(function () {});
            });
          }).then(function () {
            return Promise.all([
              Store.setMeta("elders", pack.elders),
              Store.setMeta("packed", { user: user, at: Date.now(), count: Object.keys(pack.elders).length })
            ]);
          });
        });
      });
    }).then(function () {
      return Store.getMeta("packed").then(function (packed) {
        var kept = document.getElementById("offline-kept");
        if (kept && packed && packed.user === user) { kept.textContent = say("kept", { n: packed.count }); }
        body.setAttribute("data-offline-kept", packed && packed.user === user ? String(packed.count) : "");
      });
    }).catch(function () {});
  }

  // --- the record forms ---------------------------------------------------------------------
  var path = window.location.pathname;
  var recordForm = RECORD_FORM.test(path) ? document.querySelector("main form[method=post]") : null;
  var keyField = recordForm ? recordForm.querySelector("input[name=submission_key]") : null;
  // A kept copy of a form is opened again and again: each opening is a new record.
  if (keyField && body.hasAttribute("data-offline-copy")) { keyField.value = Store.uuid(); }

  // A refused record opened again: its values back in the form, under its own key, so that a
  // save (online, or kept again) replaces it rather than adding a second record.
  var refill = /^#offline=([0-9a-f-]{36})$/i.exec(window.location.hash);
  if (recordForm && keyField && refill) {
    Store.getRecord(refill[1]).then(function (record) {
      if (!record || record.user !== user) { return; }
      var values = {};
      record.fields.forEach(function (pair) {
        if (typeof pair[1] === "string") { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); }
      });
      var used = {};
      Array.prototype.forEach.call(recordForm.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "csrf_token" || !(el.name in values)) { return; }
        var wanted = values[el.name];
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = wanted.indexOf(el.value) >= 0;
        } else if (el.type !== "submit" && el.type !== "button") {
          var index = used[el.name] || 0;
          used[el.name] = index + 1;
          el.value = index < wanted.length ? wanted[index] : "";
        }
      });
      keyField.value = record.key;
      var note = document.createElement("p");
      note.className = "flash flash-info";
      note.setAttribute("role", "status");
      note.textContent = T.refilled;
      recordForm.parentNode.insertBefore(note, recordForm);
      (record.errors || []).forEach(function (error) {
        var field = error.field && recordForm.querySelector("[name=" + error.field + "]");
        var box = field && field.closest(".field");
        if (box && !box.querySelector(".field-error")) {
          var line = document.createElement("p");
          line.className = "field-error";
          line.textContent = error.message;
          box.appendChild(line);
        }
      });
      recordForm.addEventListener("submit", function (event) {
        // The record waits again with what is sent now: saved online, the next sending finds
        // its key already saved and forgets it; refused again, it comes back with the message.
        event.preventDefault();
        var fields = [];
        new FormData(recordForm).forEach(function (value, name) {
          if (name !== "csrf_token" && name !== "_draft") { fields.push([name, value]); }
        });
        record.fields = fields;
        record.state = "waiting";
        record.errors = [];
        // The record's page after the save must not carry "#offline=…" (redirects keep it).
        if (window.history.replaceState) {
          window.history.replaceState(null, "", window.location.pathname + window.location.search);
        }
        Store.putRecord(record).then(function () { recordForm.submit(); }, function () { recordForm.submit(); });
      }, { once: true });
    });
  }

  // Just kept by the service worker: say so, and forget the form's draft (drafts.js), which
  // would otherwise come back as if nothing had been saved.
  var kept = /[?&]kept=([0-9a-f-]{36})/i.exec(window.location.search);
  if (kept) {
    message(T.queued);
    Store.getRecord(kept[1]).then(function (record) {
      if (record && record.user === user) {
        try { window.localStorage.removeItem("caseman-draft:" + user + ":" + record.action); } catch (e) { /* none */ }
      }
    });
    if (window.history.replaceState) { window.history.replaceState(null, "", window.location.pathname); }
  }

  Store.setMeta("user", user).catch(function () {});
  Store.getMeta("packed").then(function (packed) {
    var keptNote = document.getElementById("offline-kept");
    if (keptNote && packed && packed.user === user) { keptNote.textContent = say("kept", { n: packed.count }); }
  }).catch(function () {});
  var sendButton = document.querySelector("[data-offline-send]");
  if (sendButton) { sendButton.addEventListener("click", function () { sendAll(); }); }
  window.addEventListener("online", function () { sendAll().then(function () { keepPages(false); }); });
  render().then(function () {
    if (!navigator.onLine) { return; }
    return sendAll().then(function () { return keepPages(path === "/offline/"); });
  });
})();
