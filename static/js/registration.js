// A phone-first registration (issue 18 item 4). Without JavaScript the form works as it is
// served: sections fold with <details>, 添加家庭成员 and 查看系统建议 post the form and the page
// comes back at the new row or at the suggestion. With JavaScript they stay on the page: a
// family row is cloned from the <template>, a removed row folds away, and the suggestion is
// asked of the server (elders.suggestions, the rules of caseman/rules) as facts are entered.
(function () {
  "use strict";
  var form = document.querySelector("form.register");
  if (!form) { return; }

  function openAround(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }

  // --- errors: the summary takes the focus, each link opens its section and its field -------
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-error-link]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    openAround(target);
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
  function openHash() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target) { openAround(target); }
  }
  window.addEventListener("hashchange", openHash);
  openHash();
  // Fields a draft filled back in (static/js/drafts.js) or marked wrong are shown, not folded.
  Array.prototype.forEach.call(form.querySelectorAll(".draft-restored, .has-error"), openAround);

  // --- family rows ---------------------------------------------------------------------------
  var members = form.querySelector("[data-members]");
  var template = document.getElementById("member-template");
  var addButton = form.querySelector("[name=add_member]");
  var count = form.querySelector("[data-member-count]");

  function rows() { return members.querySelectorAll("fieldset[data-member]"); }
  function showCount() {
    if (!count) { return; }
    var n = 0;
    Array.prototype.forEach.call(rows(), function (row) {
      if (!row.classList.contains("removed")) { n++; }
    });
    count.textContent = count.getAttribute("data-member-count").replace("{n}", n);
  }
  function watchRemove(row) {
    var box = row.querySelector("input[name$='-remove']");
    if (!box) { return; }
    box.addEventListener("change", function () {
      row.classList.toggle("removed", box.checked);
      showCount();
    });
  }
  if (members && template && addButton && template.content) {
    Array.prototype.forEach.call(rows(), watchRemove);
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(members.getAttribute("data-next-index") || "0", 10);
      members.setAttribute("data-next-index", String(index + 1));
      var html = template.innerHTML
        .replace(/__index__/g, String(index))
        .replace(/__number__/g, String(rows().length + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.querySelector("fieldset");
      var empty = members.querySelector("[data-no-members]");
      if (empty) { empty.remove(); }
      members.appendChild(row);
      watchRemove(row);
      showCount();
      var name = row.querySelector("input[type=text], input:not([type])");
      if (name) { name.focus({ preventScroll: true }); }
      row.scrollIntoView({ block: "nearest" });
      form.dispatchEvent(new Event("change", { bubbles: true })); // the draft keeps the row
    });
  }

  // --- the suggestion, as facts are entered --------------------------------------------------
  var url = form.getAttribute("data-suggest-url");
  var box = document.getElementById("suggestions");
  var checkButton = form.querySelector("[name=check]");
  var timer = null;
  var asked = 0;
  // Fields whose change cannot alter the suggestion: no need to ask.
  var QUIET = /^(categories|is_key|key_override_reason|category_override_reason|other_reason|note|not_duplicate_reason|version|csrf_token|_draft)$/;

  function ask(apply) {
    if (!url || !box || !window.fetch || !window.FormData) { return Promise.reject(); }
    var mine = ++asked;
    box.setAttribute("aria-busy", "true");
    var data = new FormData(form);
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok || (response.headers.get("Content-Type") || "").indexOf("json") < 0) {
        throw new Error("no suggestion");
      }
      return response.json();
    }).then(function (result) {
      if (mine !== asked) { return; } // an older answer arriving late
      box.innerHTML = result.html;
      box.removeAttribute("aria-busy");
      if (apply && result.categories) {
        Array.prototype.forEach.call(form.querySelectorAll("input[name=categories]"), function (c) {
          c.checked = result.categories.indexOf(c.value) >= 0;
        });
        Array.prototype.forEach.call(form.querySelectorAll("input[name=is_key]"), function (r) {
          r.checked = r.value === result.is_key;
        });
        form.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }, function (error) {
      box.removeAttribute("aria-busy");
      throw error;
    });
  }

  if (checkButton) {
    checkButton.addEventListener("click", function (event) {
      event.preventDefault();
      ask(true).catch(function () {
        // Signed out or offline: post the form as without JavaScript (drafts keep the input).
        var flag = document.createElement("input");
        flag.type = "hidden";
        flag.name = checkButton.name;
        flag.value = checkButton.value || "y";
        form.appendChild(flag);
        form.action = checkButton.getAttribute("formaction") || form.action;
        form.submit();
      });
    });
  }
  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (!name || QUIET.test(name)) { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { ask(false).catch(function () { /* keep the last */ }); }, 500);
  });
})();
