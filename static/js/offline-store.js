// The browser's offline store (issue 18 item 1), shared by the pages (offline.js) and the
// service worker (sw.js): visit and care records kept while there is no network, in IndexedDB
// under their key (the form's submission key, also sent as X-Idempotency-Key), and a few
// settings (the logged-in user, the names of their elders, when their pages were kept).
// wipe() empties everything the site keeps in the browser: the store and the kept pages.
(function (scope) {
  "use strict";
  var NAME = "caseman-offline";
  var CACHE_PREFIX = "caseman-";
  var KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  var wiped = false; // after wipe(), nothing may open (and so create again) the database

  function open() {
    return new Promise(function (resolve, reject) {
      if (wiped) { reject(new Error("wiped")); return; }
      var request = scope.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("records")) {
          db.createObjectStore("records", { keyPath: "key" }).createIndex("user", "user");
        }
        if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", { keyPath: "name" }); }
      };
      request.onsuccess = function () {
        var db = request.result;
        db.onversionchange = function () { db.close(); }; // let wipe() delete the database
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("blocked")); };
    });
  }

  // Run fn(store) in one transaction; resolves with what fn's request gave, once committed.
  function run(storeName, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var result;
        var request = fn(tx.objectStore(storeName));
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    scope.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  scope.CasemanOfflineStore = {
    KEY: KEY,
    uuid: uuid,
    putRecord: function (record) {
      return run("records", "readwrite", function (s) { return s.put(record); });
    },
    getRecord: function (key) {
      return run("records", "readonly", function (s) { return s.get(key); });
    },
    deleteRecord: function (key) {
      return run("records", "readwrite", function (s) { return s.delete(key); });
    },
    // The records of one user, oldest first.
    listRecords: function (user) {
      return run("records", "readonly", function (s) {
        return s.index("user").getAll(String(user));
      }).then(function (rows) {
        return (rows || []).sort(function (a, b) { return a.at - b.at; });
      });
    },
    getMeta: function (name) {
      return run("meta", "readonly", function (s) { return s.get(name); }).then(function (row) {
        return row ? row.value : undefined;
      });
    },
    setMeta: function (name, value) {
      return run("meta", "readwrite", function (s) { return s.put({ name: name, value: value }); });
    },
    // Everything the site keeps in this browser for offline use goes.
    wipe: function () {
      wiped = true;
      var dropCaches = scope.caches ? scope.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; })
          .map(function (n) { return scope.caches.delete(n); }));
      }) : Promise.resolve();
      var dropDatabase = new Promise(function (resolve) {
        var request = scope.indexedDB.deleteDatabase(NAME);
        request.onsuccess = request.onerror = function () { resolve(); };
      });
      return Promise.all([dropCaches, dropDatabase]);
    }
  };
})(self);
