// Progressive enhancement only: every page works without this file.
// No inline script anywhere, so the CSP can forbid it.
(function () {
  "use strict";

  var messages = {};
  function msg(key, values) {
    var text = messages[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text; // corpus text is never HTML
    return node;
  }

  // ----- search box: focus on load, caret at the end ------------------------------------------
  function focusSearch() {
    var input = document.querySelector(".search-input");
    if (!input || location.hash) return;
    input.focus();
    var end = input.value.length;
    try { input.setSelectionRange(end, end); } catch (e) { /* type=search may refuse */ }
  }

  // Filters apply at once; the query stays in the URL so results can be shared.
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        var form = select.form;
        if (!form || (select.dataset.year && !yearsInOrder(form))) return;
        if (select.dataset.autosubmit === "always" || (form.q && form.q.value.trim())) form.submit();
      });
    });
  }

  // ----- year range: a start after the end cannot be chosen (the server refuses it too) ----------
  function yearsInOrder(form) {
    var from = form.elements.year_from, to = form.elements.year_to;
    if (!from || !to) return true;
    Array.prototype.forEach.call(to.options, function (o) { o.disabled = !!(o.value && from.value && +o.value < +from.value); });
    Array.prototype.forEach.call(from.options, function (o) { o.disabled = !!(o.value && to.value && +o.value > +to.value); });
    var ok = !(from.value && to.value && +from.value > +to.value);
    to.setCustomValidity(ok ? "" : msg("year_hint"));
    return ok;
  }

  // ----- copy citation ---------------------------------------------------------------------------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = el("textarea", "offscreen");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error("copy failed"));
    });
  }

  function onCopy(button) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    var source = document.getElementById(button.dataset.copyFrom);
    copyText(source ? source.textContent.trim() : "").then(function () {
      button.textContent = msg("copied");
      button.classList.add("is-done");
    }, function () {
      button.textContent = msg("copy_failed");
    }).then(function () {
      setTimeout(function () { button.textContent = label; button.classList.remove("is-done"); }, 1600);
    });
  }

  // ----- similar clauses from other documents, expanded inline ------------------------------------
  function renderChips(resp) {
    var box = el("div", "chips");
    [["lead", "chip-lead", msg("lead_short")], ["cooperating", "chip-coop", msg("coop_short")],
     ["persons", "chip-person", msg("person_short")]]
      .forEach(function (role) {
        (resp[role[0]] || []).forEach(function (name) {
          var chip = el("span", "chip " + role[1]);
          chip.appendChild(el("span", "chip-role", role[2]));
          chip.appendChild(document.createTextNode(name));
          box.appendChild(chip);
        });
      });
    return box.childNodes.length ? box : null;
  }

  function renderSimilar(container, data) {
    container.textContent = "";
    container.appendChild(el("h3", "similar-title", msg("similar_title")));
    if (!data.results.length) {
      container.appendChild(el("p", "muted", msg("similar_none")));
      return;
    }
    var list = el("ol", "similar-list");
    data.results.forEach(function (hit) {
      var item = el("li", "similar-item");
      item.dataset.clause = hit.id;
      var head = el("div", "similar-head");
      var link = el("a", "citation", hit.citation);
      link.href = withLang(hit.url);
      head.appendChild(link);
      head.appendChild(el("span", "similar-region", hit.document.region || msg("unknown_region")));
      if (hit.copy) head.appendChild(el("span", "badge badge-copy", msg("copy_badge")));
      var judged = hit.relevance !== null && hit.relevance !== undefined;
      head.appendChild(el("span", "score", judged ? msg("relevance") + " " + hit.relevance.toFixed(2)
                                                  : msg("similarity") + " " + hit.score.toFixed(2)));
      item.appendChild(head);
      item.appendChild(el("p", "similar-text", hit.text));
      var chips = renderChips(hit.responsibility);
      if (chips) item.appendChild(chips);
      if (data.clause) {  // the two clauses side by side, their shared phrases marked
        var pair = el("a", "similar-pair", msg("side_by_side"));
        pair.href = withLang("/similar/compare?a=" + encodeURIComponent(data.clause) + "&b=" + encodeURIComponent(hit.id));
        item.appendChild(pair);
      }
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  function onSimilar(button) {
    var container = document.getElementById(button.getAttribute("aria-controls"));
    if (!container) return;
    var open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      container.hidden = true;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    button.setAttribute("aria-expanded", "true");
    container.hidden = false;
    if (container.dataset.loaded) return;
    container.textContent = "";
    container.appendChild(el("p", "muted", msg("similar_loading")));
    var url = withLang("/api/clauses/" + encodeURIComponent(button.dataset.similar) +
      "/similar?k=5&scope=other-documents");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
          return data;
        });
      })
      .then(function (data) {
        renderSimilar(container, data);
        container.dataset.loaded = "1";
      })
      .catch(function (error) {
        container.textContent = "";
        container.appendChild(el("p", "alert", msg("similar_failed") + error.message));
      });
  }

  // ----- document page: #<clause id> scrolls to and highlights the clause; a passage's -----------
  // ----- pieces come as "#<id> <id>" and are highlighted together ---------------------------------
  function highlightTarget() {
    document.querySelectorAll(".clause.is-target").forEach(function (node) {
      node.classList.remove("is-target");
    });
    if (!location.hash) return;
    var fragment;
    try { fragment = decodeURIComponent(location.hash.slice(1)); } catch (e) { fragment = location.hash.slice(1); }
    var targets = fragment.split(" ").map(function (id) { return document.getElementById(id); })
      .filter(function (node) { return node; });
    if (!targets.length) return;
    targets.forEach(function (node) { node.classList.add("is-target"); });
    targets[0].scrollIntoView({ block: "center" });
  }

  // Links the script builds keep the page's ?lang= (error messages of the API follow it too).
  function withLang(url) {
    var lang = new URLSearchParams(location.search).get("lang");
    if (!lang) return url;
    var parts = url.split("#");
    parts[0] += (parts[0].indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
    return parts.join("#");
  }

  // ----- find in the document: marks matches in place and steps through them -----------------------
  function clearFinds(root) {
    root.querySelectorAll("mark.find").forEach(function (mark) {
      mark.replaceWith(document.createTextNode(mark.textContent));
    });
    root.normalize();
  }

  function markFinds(root, needle) {
    var lower = needle.toLowerCase(), nodes = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var count = 0;
    nodes.forEach(function (node) {
      var text = node.nodeValue, at = text.toLowerCase().indexOf(lower);
      if (at < 0 || node.parentNode.closest(".clause-resp")) return;
      var frag = document.createDocumentFragment(), pos = 0;
      for (; at >= 0; at = text.toLowerCase().indexOf(lower, pos)) {
        frag.appendChild(document.createTextNode(text.slice(pos, at)));
        var mark = el("mark", "find", text.slice(at, at + needle.length));
        mark.id = "find-" + (++count);
        frag.appendChild(mark);
        pos = at + needle.length;
      }
      frag.appendChild(document.createTextNode(text.slice(pos)));
      node.replaceWith(frag);
    });
    return count;
  }

  function findInDocument() {
    var form = document.querySelector(".find-form"), root = document.querySelector(".doc-text");
    if (!form || !root) return;
    var status = form.querySelector(".find-status"), current = 0, last = null;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var needle = form.elements.find.value.trim();
      if (needle !== last) {
        clearFinds(root);
        last = needle;
        current = 0;
        var count = needle ? markFinds(root, needle) : 0;
        status.textContent = !needle ? "" : count ? msg("find_count", { count: count }) : msg("find_none", { text: needle });
        var params = new URLSearchParams(location.search);
        needle ? params.set("find", needle) : params.delete("find");
        history.replaceState(null, "", "?" + params.toString());
      }
      var marks = root.querySelectorAll("mark.find");
      if (!marks.length) return;
      marks.forEach(function (m) { m.classList.remove("is-current"); });
      var mark = marks[current++ % marks.length];
      mark.classList.add("is-current");
      mark.scrollIntoView({ block: "center" });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy-from], a[data-similar]");
    if (!button) return;
    if (button.dataset.copyFrom !== undefined) return onCopy(button);
    event.preventDefault();  // without this script the link opens the similar-clauses page
    onSimilar(button);
  });

  document.addEventListener("DOMContentLoaded", function () {
    try { messages = JSON.parse(document.body.dataset.messages || "{}"); } catch (e) { messages = {}; }
    document.querySelectorAll("button[data-copy-from]").forEach(function (b) { b.hidden = false; });
    document.querySelectorAll(".search-form").forEach(yearsInOrder);
    focusSearch();
    autosubmit();
    findInDocument();
    if (document.body.classList.contains("page-document")) {
      // The contents open above the text on a phone: folded there, a tap away.
      if (window.matchMedia("(max-width: 900px)").matches) {
        document.querySelectorAll(".toc-details").forEach(function (d) { d.open = false; });
      }
      highlightTarget();
      window.addEventListener("hashchange", highlightTarget);
    }
  });
})();
