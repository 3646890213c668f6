"""Offline visit and care entry (issue 18 item 1, row 40): an installable web app.

The service worker (static/js/sw.js, served at /sw.js for the whole site) keeps the visitor's
pages for the field: 离线探访 (their own assigned elders), and for each elder the visit form, the
care form and a short case summary, all masked as in lists. A visit or care record sent while
there is no network is kept in the browser's IndexedDB under its submission key and sent again
when the network returns (static/js/offline.js), to the same address as the form, which then
answers in JSON (:mod:`caseman.offline.replies`): the server checks it exactly as online, a
repeat of the same key is recognised and never saved twice, and a refusal comes back with its
messages for the visitor. Logout and a disabled account empty the browser's offline store.
"""
