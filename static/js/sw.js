// The service worker of the site (issue 18 item 1), served at /sw.js for the whole site.
//
// - Pages: from the network; without network, the copy static/js/offline.js kept (the
//   visitor's 离线探访, and for each of their elders the visit form, the care form and the case
//   summary), else 离线探访 itself. Nothing else is kept: the pack names only the user's own
//   elders, masked as in lists.
// - Static files: the kept copy at once, refreshed from the network behind it.
// - A visit or care form sent without network (or to a server that cannot be reached) is kept
//   in the offline store (offline-store.js) under its submission key, and the browser is sent
//   to 离线探访, which says so; offline.js sends it when the network returns.
importScripts("/static/js/offline-store.js");

var FILES = "caseman-files";
var PAGES = "caseman-pages";
var RECORD_FORM = /^\/elders\/(\d+)\/(visits|care)\/new$/;
var OFFLINE_HOME = "/offline/";
var WAIT_FOR_PAGE = 8000; // ms: a kept page is shown rather than waiting longer on a weak signal

self.addEventListener("install", function (event) {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function keptPage(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (found) {
      return found || cache.match(OFFLINE_HOME, { ignoreSearch: true, ignoreVary: true });
    });
  });
}

// Logging in and out is never answered with a kept page: a kept page is of the user who was
// logged in, and the page after a logout is the one that empties the store (offline.js).
var NEVER_KEPT = /^\/(login|logout)(\/|$)/;

function page(request) {
  var network = fetch(request);
  if (NEVER_KEPT.test(new URL(request.url).pathname)) { return network; }
  var waited = new Promise(function (resolve) { setTimeout(resolve, WAIT_FOR_PAGE); })
    .then(function () { return keptPage(request); })
    .then(function (kept) { return kept || network; });
  return Promise.race([network, waited]).catch(function () {
    return keptPage(request).then(function (kept) { return kept || Response.error(); });
  });
}

function staticFile(request) {
  return caches.open(FILES).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (kept) {
        fresh.catch(function () { /* offline: the kept copy serves */ });
        return kept;
      }
      return fresh;
    });
  });
}

// A record form sent: to the server if it answers, else kept in the offline store.
function sendOrKeep(request, match) {
  var copy = request.clone();
  return fetch(request).then(function (response) {
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      return keep(copy, match).catch(function () { return response; });
    }
    return response;
  }, function () {
    return keep(copy, match);
  });
}

function keep(request, match) {
  var Store = self.CasemanOfflineStore;
  return Promise.all([request.formData(), Store.getMeta("user")]).then(function (got) {
    var form = got[0];
    var user = got[1];
    if (!user) { return Response.error(); }
    var key = String(form.get("submission_key") || "");
    if (!Store.KEY.test(key)) { key = Store.uuid(); }
    var fields = [];
    form.forEach(function (value, name) {
      if (name === "csrf_token" || name === "_draft" || name === "submission_key") { return; }
      fields.push([name, value]);
    });
    fields.push(["submission_key", key]);
    var record = {
      key: key,
      user: String(user),
      kind: match[2] === "visits" ? "visit" : "care",
      elder: match[1],
      action: new URL(request.url).pathname,
      fields: fields,
      at: Date.now(),
      state: "waiting",
      errors: []
    };
    return Store.putRecord(record).then(function () {
      return Response.redirect(new URL(OFFLINE_HOME + "?kept=" + key, request.url).href, 303);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    var match = RECORD_FORM.exec(url.pathname);
    if (match && request.mode === "navigate") { event.respondWith(sendOrKeep(request, match)); }
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  }
});
