/* Hisper search box: enhances <form role="search"> holding <div id="hisper-search" data-base="/">
 * and <input name="q">. Results as you type from the sharded browser index, read by search.wasm
 * (plain exports, see search/src/wasm.rs). No framework, no request leaves the site, no eval.
 * In the header the results are a list of the first 10 with a link to all of them; on the search
 * page (BASE search/) they are the full results page, 50 at a time, each with its probe status,
 * downloads and tool count. Without JS the form still submits to BASE search/?q=, whose page
 * lists prebuilt results for common searches; without wasm a message says so. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 90;
  var LIMIT = 10;      // the header's list
  var PAGE = 50;       // the search page's results, per "more"
  var MAX = 1000;      // the module answers at most this many
  var FILTER_KEYS = [["kind", "Kind"], ["source", "Source"], ["status", "Status"], ["category", "Category"], ["transport", "Transport"], ["feature", "Feature"], ["findings", "Findings"]];
  var engine = null; // Promise of {search(q, filters) -> Promise<[{doc, score, rec}]>}
  var uid = 0;

  function indexBase(base) { return base + "search/"; }

  function fetchBytes(url, opts) {
    return fetch(url, opts).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
      return r.arrayBuffer();
    });
  }

  function loadEngine(base) {
    if (engine) return engine;
    var idx = indexBase(base);
    var enc = new TextEncoder();
    var dec = new TextDecoder();
    engine = Promise.all([
      fetchBytes(idx + "root.txt", { cache: "no-cache" }),
      WebAssembly.instantiateStreaming
        ? WebAssembly.instantiateStreaming(fetch(idx + "search.wasm"), {})
            .catch(function () {
              return fetchBytes(idx + "search.wasm").then(function (b) { return WebAssembly.instantiate(b, {}); });
            })
        : fetchBytes(idx + "search.wasm").then(function (b) { return WebAssembly.instantiate(b, {}); })
    ]).then(function (parts) {
      var rootBytes = new Uint8Array(parts[0]);
      var x = parts[1].instance.exports;
      function put(bytes) {
        var p = x.hs_alloc(bytes.length);
        new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
        return p;
      }
      function out() {
        return dec.decode(new Uint8Array(x.memory.buffer, x.hs_out_ptr(), x.hs_out_len()));
      }
      var rp = put(rootBytes);
      var rc = x.hs_init(rp, rootBytes.length);
      x.hs_free(rp, rootBytes.length);
      if (rc !== 0) throw new Error(out());
      var rootText = dec.decode(rootBytes);
      var build = "";
      var filters = {};
      rootText.split("\n").forEach(function (line) {
        var f = line.split("\t");
        if (f[0] === "build") build = f[1];
        if (f[0] === "f" && f.length >= 4) {
          (filters[f[1]] = filters[f[1]] || []).push([f[2], +f[3]]);
        }
      });
      var loaded = {};
      var records = {};
      function provide(name) {
        if (loaded[name]) return loaded[name];
        loaded[name] = fetchBytes(idx + name + "?v=" + build).then(function (buf) {
          var b = new Uint8Array(buf);
          var nb = enc.encode(name);
          var np = put(nb), bp = put(b);
          var rc2 = x.hs_provide(np, nb.length, bp, b.length);
          x.hs_free(np, nb.length); x.hs_free(bp, b.length);
          if (rc2 !== 0) throw new Error(out());
        });
        loaded[name].catch(function () { delete loaded[name]; });
        return loaded[name];
      }
      function record(doc) {
        if (!records[doc]) {
          records[doc] = fetch(idx + "r/" + Math.floor(doc / 1000) + "/" + doc + ".json?v=" + build)
            .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
          records[doc].catch(function () { delete records[doc]; });
        }
        return records[doc];
      }
      function step(q, ftext, rounds, limit) {
        var qb = enc.encode(q), fb = enc.encode(ftext);
        var qp = put(qb), fp = put(fb);
        var rc3 = x.hs_search(qp, qb.length, fp, fb.length, limit || LIMIT);
        x.hs_free(qp, qb.length); x.hs_free(fp, fb.length);
        var text = out();
        if (rc3 === 1 && rounds < 8) {
          return Promise.all(text.split("\n").filter(Boolean).map(provide)).then(function () {
            return step(q, ftext, rounds + 1, limit);
          });
        }
        if (rc3 !== 0) return Promise.reject(new Error(text || "search failed"));
        return Promise.resolve(text.split("\n").filter(Boolean).map(function (l) {
          var f = l.split("\t");
          return { doc: +f[0], score: +f[1] / 1000, matched: +f[2] };
        }));
      }
      return {
        filters: filters,
        record: record,
        ids: function (q, f, limit) { return step(q, filtersText(f), 0, limit); },
        search: function (q, f, limit) {
          return step(q, filtersText(f), 0, limit).then(function (hits) {
            return Promise.all(hits.map(function (h) {
              return record(h.doc).then(function (rec) { h.rec = rec; return h; });
            }));
          });
        }
      };
    });
    engine.catch(function () { engine = null; });
    return engine;
  }

  function filtersText(f) {
    var lines = [];
    Object.keys(f || {}).forEach(function (k) { if (f[k]) lines.push(k + "=" + f[k]); });
    return lines.join("\n");
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  function enhance(host) {
    var form = host.closest("form");
    if (!form || host.getAttribute("data-enhanced")) return;
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    host.setAttribute("data-enhanced", "1");
    // The page's "search needs JavaScript" note: the script runs, so hide it (shown again if the
    // wasm module cannot load).
    var notes = document.querySelectorAll(".nojs-note");
    function showNotes(on) { for (var k = 0; k < notes.length; k++) notes[k].hidden = !on; }
    showNotes(false);
    var base = host.getAttribute("data-base") || "/";
    if (base.charAt(base.length - 1) !== "/") base += "/";
    var n = ++uid;
    var listId = "hisper-results-" + n;
    var onSearchPage = location.pathname.replace(/\/+$/, "/") === (base + "search/");
    var panel = el("div", { "class": "hs-panel" });
    var filterBox = el("div", { "class": "hs-filters", hidden: "" });
    var status = el("p", { "class": "hs-status", role: "status", "aria-live": "polite" });
    var list = el("ul", { id: listId, role: "listbox", "class": "hs-results", "aria-label": "Search results" });
    var moreBox = el("p", { "class": "hs-morebox" });
    panel.appendChild(filterBox); panel.appendChild(status); panel.appendChild(list); panel.appendChild(moreBox);
    host.appendChild(panel);
    host.classList.add("hs-host");
    if (onSearchPage) host.classList.add("hs-page");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    showPanel();
    var selects = {};
    var shownLimit = PAGE;
    var active = -1;
    var items = [];
    var timer = null;
    var seq = 0;
    var lastQuery = null;
    var prevText = null;

    function currentFilters() {
      var f = {};
      Object.keys(selects).forEach(function (k) { if (selects[k].value) f[k] = selects[k].value; });
      return f;
    }

    function setActive(i) {
      if (!items.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (i + items.length) % items.length;
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    // The panel (filters, status, results) floats over the page under the header box: it shows
    // only while the box is in use with a query, and closes with the list, so it never stays
    // over the page (on a phone, over the title) once focus has left the box. On the search
    // page the panel is the page's content (the full results page) and stays.
    function showPanel() { panel.hidden = !(onSearchPage || input.value.trim()); }

    function close() {
      input.setAttribute("aria-expanded", "false");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (onSearchPage) return;
      list.hidden = true;
      panel.hidden = true;
    }

    // Shows hits[from..] (the list is cleared when from is 0); total is how many the query has.
    // Results appear in rank order as their records arrive, never reordered.
    function statusText(st) {
      if (st === "ok") return "verified";
      if (st === "needs_config") return "runs, needs configuration";
      return st && st !== "unprobed" ? st.replace(/_/g, " ") : "";
    }

    function compact(n) {
      if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1).replace(/\.0$/, "") + "M";
      if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1).replace(/\.0$/, "") + "k";
      return String(n);
    }

    // The facts of one result: on the results page every one, in the header list the short ones.
    function facts(r, full) {
      var out = [];
      if (r.k && r.k !== "server") out.push(r.k);
      var st = statusText(r.st);
      if (st) out.push(st);
      if (r.tc != null) out.push(r.tc + (r.tc === 1 ? " tool" : " tools"));
      if (r.dl) out.push(compact(r.dl) + " downloads/month");
      if (full && r.sr) out.push(compact(r.sr) + " stars");
      if (full && r.p) out.push(r.p + " platform package" + (r.p === 1 ? "" : "s"));
      out.push((r.s || []).join(", "));
      return out.filter(Boolean).join(" \u00b7 ");
    }

    function render(hits, q, total, from) {
      if (!from) {
        list.textContent = "";
        items = [];
        active = -1;
        input.removeAttribute("aria-activedescendant");
      }
      hits.slice(from || 0).forEach(function (h) {
        var r = h.rec || {};
        var li = el("li", { id: listId + "-" + items.length, role: "option", "aria-selected": "false", "class": "hs-item" });
        var a = el("a", { href: base + "servers/" + encodeURIComponent(r.u || "") + "/", tabindex: "-1" });
        a.appendChild(el("span", { "class": "hs-name" }, r.t && r.t !== r.n ? r.t + " (" + r.n + ")" : r.n));
        var meta = facts(r, onSearchPage);
        if (r.st) li.setAttribute("data-status", r.st);
        if (meta) a.appendChild(el("span", { "class": "hs-meta" }, meta));
        if (r.d) a.appendChild(el("span", { "class": "hs-desc" }, r.d));
        li.appendChild(a);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { location.href = a.getAttribute("href"); });
        list.appendChild(li);
        items.push(li);
      });
      list.hidden = false;
      if (form.contains(document.activeElement)) showPanel();
      list.setAttribute("data-query", q);
      input.setAttribute("aria-expanded", total ? "true" : "false");
      var limit = onSearchPage ? shownLimit : LIMIT;
      var more = total >= limit && limit < MAX;
      status.textContent = total ? total + (more ? "+" : "") + " results" : "No servers match \u201c" + q + "\u201d.";
      moreBox.textContent = "";
      if (total && more && items.length >= total) {
        if (onSearchPage) {
          var b = el("button", { type: "button", "class": "hs-more" }, "More results");
          b.addEventListener("click", function () { shownLimit = Math.min(MAX, shownLimit + PAGE); lastQuery = null; run(); });
          moreBox.appendChild(b);
        } else {
          moreBox.appendChild(el("a", { href: base + "search/?q=" + encodeURIComponent(q), "class": "hs-all" },
            "All results for \u201c" + q + "\u201d"));
        }
      }
    }

    function fail(err) {
      status.textContent = "";
      status.appendChild(document.createTextNode("Search is unavailable here (" +
        (typeof WebAssembly === "undefined" ? "WebAssembly is off" : "the search module could not load") + "). "));
      var a = el("a", { href: base + "browse/" }, "Browse all servers");
      status.appendChild(a);
      status.appendChild(document.createTextNode(" instead."));
      host.classList.add("hs-failed");
      showNotes(true);
      if (window.console && err) console.warn("hisper search:", err && err.message ? err.message : err);
    }

    // The module works but an index file or a result's record did not arrive (a network hiccup,
    // a half-deployed site): say so, keep the box, and offer to try again (failed requests are
    // not cached, so trying again asks anew).
    function trouble(err) {
      lastQuery = null;
      status.textContent = "";
      status.appendChild(document.createTextNode("Some results could not load. "));
      var again = el("button", { type: "button", "class": "hs-retry" }, "Try again");
      again.addEventListener("click", function () { lastQuery = null; run(); input.focus(); });
      status.appendChild(again);
      status.appendChild(document.createTextNode(" or "));
      status.appendChild(el("a", { href: base + "browse/" }, "browse all servers"));
      status.appendChild(document.createTextNode("."));
      if (window.console && err) console.warn("hisper search:", err && err.message ? err.message : err);
    }

    function buildFilters(eng) {
      if (filterBox.childNodes.length) return;
      FILTER_KEYS.forEach(function (kv) {
        var values = eng.filters[kv[0]];
        if (!values || !values.length) return;
        var id = "hs-f-" + n + "-" + kv[0];
        var label = el("label", { "for": id }, kv[1] + " ");
        var sel = el("select", { id: id, "data-key": kv[0] });
        sel.appendChild(el("option", { value: "" }, "any"));
        values.slice().sort(function (a, b) { return b[1] - a[1]; }).forEach(function (v) {
          sel.appendChild(el("option", { value: v[0] }, v[0].replace(/_/g, " ") + " (" + v[1] + ")"));
        });
        var params = new URLSearchParams(location.search);
        if (onSearchPage && params.get(kv[0])) sel.value = params.get(kv[0]);
        sel.addEventListener("change", function () { lastQuery = null; run(); });
        selects[kv[0]] = sel;
        label.appendChild(sel);
        filterBox.appendChild(label);
      });
      filterBox.hidden = false;
    }

    function syncUrl(q) {
      if (!onSearchPage || !window.history || !history.replaceState) return;
      var params = new URLSearchParams();
      if (q) params.set("q", q);
      var f = currentFilters();
      Object.keys(f).forEach(function (k) { params.set(k, f[k]); });
      var s = params.toString();
      history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
    }

    function run() {
      var q = input.value;
      var key = q + "\u0000" + filtersText(currentFilters());
      if (key === lastQuery) return;
      lastQuery = key;
      var mine = ++seq;
      syncUrl(q.trim());
      if (!q.trim()) { list.textContent = ""; items = []; status.textContent = ""; moreBox.textContent = ""; close(); return; }
      if (key.split("\u0000")[0] !== prevText) { prevText = key.split("\u0000")[0]; shownLimit = PAGE; }
      status.textContent = "Searching\u2026";
      var engineReady = false;
      loadEngine(base).then(function (eng) {
        engineReady = true;
        buildFilters(eng);
        return eng.ids(q, currentFilters(), onSearchPage ? shownLimit : LIMIT).then(function (hits) {
          if (mine !== seq) return;
          if (!hits.length) { render(hits, q.trim(), 0, 0); return; }
          // Each record is its own request: show the ranked results as soon as those before
          // them are in, rather than after the slowest of ten.
          var shown = 0;
          return Promise.all(hits.map(function (h) {
            return eng.record(h.doc).then(function (rec) {
              h.rec = rec;
              var n = shown;
              while (n < hits.length && hits[n].rec) n++;
              if (mine === seq && n > shown) { render(hits.slice(0, n), q.trim(), hits.length, shown); shown = n; }
            });
          }));
        });
      }).then(null, function (err) {
        if (mine === seq) (engineReady ? trouble : fail)(err);
      });
    }

    input.addEventListener("input", function () {
      showPanel();
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });
    input.addEventListener("focus", function () {
      loadEngine(base).then(buildFilters, fail);
      showPanel();
      if (items.length && input.value.trim()) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    });
    // Warm up before the first keystroke: the root and the module load while the pointer
    // approaches, and at once on the search page (which exists to search).
    function warmUp() { loadEngine(base).then(buildFilters, function () {}); }
    input.addEventListener("pointerenter", warmUp);
    input.addEventListener("touchstart", warmUp, { passive: true });
    if (onSearchPage) warmUp();
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden && items.length) list.hidden = false; setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Escape") { close(); }
      else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        location.href = items[active].querySelector("a").getAttribute("href");
      }
    });
    // Focus leaving the form (the box, a filter, a result) closes the panel.
    form.addEventListener("focusout", function () { setTimeout(function () { if (!form.contains(document.activeElement)) close(); }, 150); });
    form.addEventListener("submit", function (e) {
      if (onSearchPage) { e.preventDefault(); clearTimeout(timer); lastQuery = null; run(); }
    });

    var initial = new URLSearchParams(location.search).get("q");
    if (onSearchPage && initial) { input.value = initial; run(); }
    // A value typed before this script ran (the page showed the box while the script was still
    // arriving) had no listener to hear it: search it now, and it shows as soon as the module
    // has loaded. Only when the box has the focus (or on the search page): a value the browser
    // restored on going back is not a search the visitor is making now.
    else if (input.value.trim() && (onSearchPage || document.activeElement === input)) {
      warmUp();
      run();
    }
  }

  function init() {
    var hosts = document.querySelectorAll("[id=hisper-search]");
    for (var i = 0; i < hosts.length; i++) enhance(hosts[i]);
  }

  // For tests and benchmarks: raw ranked ids without the UI.
  function baseOf(base) {
    var host = document.querySelector("[id=hisper-search]");
    return base || (host && host.getAttribute("data-base")) || "/";
  }
  window.hisperSearch = {
    query: function (q, filters, base, limit) {
      return loadEngine(baseOf(base)).then(function (eng) { return eng.search(q, filters || {}, limit); });
    },
    // The ranked hits ({doc, score, matched}) without their records, and one record.
    ids: function (q, filters, base) {
      return loadEngine(baseOf(base)).then(function (eng) { return eng.ids(q, filters || {}); });
    },
    record: function (doc, base) {
      return loadEngine(baseOf(base)).then(function (eng) { return eng.record(doc); });
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
