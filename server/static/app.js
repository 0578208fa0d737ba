// Progressive enhancement only: every page works without this file.
// No inline script anywhere, so the CSP can forbid it.
(function () {
  "use strict";

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
        if (form && form.q && form.q.value.trim()) form.submit();
      });
    });
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
    copyText(button.dataset.copy).then(function () {
      button.textContent = "已复制";
      button.classList.add("is-done");
    }, function () {
      button.textContent = "复制失败";
    }).then(function () {
      setTimeout(function () { button.textContent = label; button.classList.remove("is-done"); }, 1600);
    });
  }

  // ----- similar clauses from other documents, expanded inline ------------------------------------
  function renderChips(resp) {
    var box = el("div", "chips");
    [["lead", "chip-lead", "牵头"], ["cooperating", "chip-coop", "配合"], ["persons", "chip-person", "责任人"]]
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
    container.appendChild(el("h3", "similar-title", "其他文件中的相似条款"));
    if (!data.results.length) {
      container.appendChild(el("p", "muted", "其他文件中没有相似条款。"));
      return;
    }
    var list = el("ol", "similar-list");
    data.results.forEach(function (hit) {
      var item = el("li", "similar-item");
      item.dataset.clause = hit.id;
      var head = el("div", "similar-head");
      var link = el("a", "citation", hit.citation);
      link.href = hit.url;
      head.appendChild(link);
      head.appendChild(el("span", "similar-region", hit.document.region || "地区不详"));
      head.appendChild(el("span", "score", "相似度 " + hit.score.toFixed(2)));
      item.appendChild(head);
      item.appendChild(el("p", "similar-text", hit.text));
      var chips = renderChips(hit.responsibility);
      if (chips) item.appendChild(chips);
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
    container.appendChild(el("p", "muted", "正在查找相似条款…"));
    var url = "/api/clauses/" + encodeURIComponent(button.dataset.similar) +
      "/similar?k=5&scope=other-documents";
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
        container.appendChild(el("p", "alert", "相似条款加载失败：" + error.message));
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

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy], button[data-similar]");
    if (!button) return;
    if (button.dataset.copy !== undefined) onCopy(button);
    else onSimilar(button);
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusSearch();
    autosubmit();
    if (document.body.classList.contains("page-document")) {
      highlightTarget();
      window.addEventListener("hashchange", highlightTarget);
    }
  });
})();
