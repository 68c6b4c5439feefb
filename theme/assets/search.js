/*
 * OCOP catalog search: progressive enhancement of the search page.
 *
 * Markup (every page may have the form; only the search page has the list):
 *
 *   <form class="ocop-search" action="/en/search/" role="search" data-base="/">
 *     <input type="search" name="q"> <button>Search</button>
 *   </form>
 *   <div class="ocop-search-nojs">…plain note and links to the listings…</div>
 *   <p class="ocop-search-status" role="status"></p>   (optional, made if missing)
 *   <ol class="ocop-search-results"></ol>
 *
 * Without JavaScript (or without dynamic import()) the form submits to the
 * search page, which shows its plain note. With it, on the page that has
 * ol.ocop-search-results, this script loads <base>pagefind/pagefind.js from
 * the site itself, searches the index of the page's <html lang> as the
 * visitor types, and renders the first 20 results as links with title,
 * producer/category/place and excerpt. All text goes in through textContent;
 * Pagefind's excerpt is rebuilt keeping only its <mark> elements.
 *
 * data-base (on the form, else on <html>): the site's base URL, default "/".
 * data-index-tag (same places, optional): a build id passed to Pagefind as
 * metaCacheTag, so its entry file can be cached (offline use) per build.
 * data-max-words (on the form, optional): words of the query searched, default 6.
 * data-msg-loading|none|one|count|more|error (on the form, optional): message
 * overrides; {q}, {n} and {shown} are replaced.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 20;
  var DEBOUNCE_MS = 250;
  // Pagefind fetches one index chunk (up to ~100 KB at 10,000 products) per
  // distinct word; a cap on words keeps a pasted sentence under the 1 MB budget.
  var MAX_WORDS = 6;
  var MESSAGES = {
    vi: {
      loading: "Đang tìm…",
      none: "Không tìm thấy kết quả nào cho “{q}”.",
      one: "1 kết quả cho “{q}”.",
      count: "{n} kết quả cho “{q}”.",
      more: "{n} kết quả cho “{q}”; hiện {shown} kết quả đầu.",
      error: "Không tải được công cụ tìm kiếm."
    },
    en: {
      loading: "Searching…",
      none: "No results for “{q}”.",
      one: "1 result for “{q}”.",
      count: "{n} results for “{q}”.",
      more: "{n} results for “{q}”; showing the first {shown}.",
      error: "The search could not be loaded."
    },
    zh: {
      loading: "正在搜索…",
      none: "没有找到“{q}”的结果。",
      one: "“{q}”共有 1 个结果。",
      count: "“{q}”共有 {n} 个结果。",
      more: "“{q}”共有 {n} 个结果，显示前 {shown} 个。",
      error: "无法加载搜索功能。"
    }
  };

  function attr(form, name) {
    return form.getAttribute(name) || document.documentElement.getAttribute(name);
  }

  function messages(form) {
    var lang = (document.documentElement.lang || "vi").toLowerCase().split("-")[0];
    var base = MESSAGES[lang] || MESSAGES.en;
    var out = {};
    Object.keys(base).forEach(function (key) {
      out[key] = form.getAttribute("data-msg-" + key) || base[key];
    });
    return out;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // Pagefind's excerpt is page text with <mark> around the matched words.
  // Parse it in an inert document and copy only text and <mark> over.
  function excerptFragment(html) {
    var out = document.createDocumentFragment();
    var doc = new DOMParser().parseFromString("<!doctype html><body>" + String(html || ""), "text/html");
    (function walk(node) {
      for (var child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3) {
          out.appendChild(document.createTextNode(child.nodeValue));
        } else if (child.nodeType === 1) {
          if (child.nodeName === "MARK") {
            var mark = document.createElement("mark");
            mark.textContent = child.textContent;
            out.appendChild(mark);
          } else {
            walk(child);
          }
        }
      }
    })(doc.body);
    return out;
  }

  // Only same-origin http(s) links: the index is ours, but stay strict.
  function safeHref(url) {
    try {
      var u = new URL(url, window.location.href);
      if ((u.protocol === "http:" || u.protocol === "https:") && u.origin === window.location.origin) {
        return u.pathname + u.search + u.hash;
      }
    } catch (e) { /* fall through */ }
    return null;
  }

  function resultItem(data) {
    var href = safeHref(data.url);
    if (!href) return null;
    var meta = data.meta || {};
    var li = document.createElement("li");
    li.className = "ocop-search-result";
    var a = document.createElement("a");
    a.href = href;
    a.className = "ocop-search-title";
    a.textContent = meta.title || data.url;
    li.appendChild(a);
    var facts = [meta.producer, meta.category, meta.place].filter(function (x) { return x; });
    if (facts.length) {
      var p = document.createElement("p");
      p.className = "ocop-search-facts";
      p.textContent = facts.join(" · ");
      li.appendChild(p);
    }
    if (data.excerpt) {
      var ex = document.createElement("p");
      ex.className = "ocop-search-excerpt";
      ex.appendChild(excerptFragment(data.excerpt));
      li.appendChild(ex);
    }
    return li;
  }

  function setup(form, list) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var msg = messages(form);
    var status = document.querySelector(".ocop-search-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "ocop-search-status";
      list.parentNode.insertBefore(status, list);
    }
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var base = new URL(attr(form, "data-base") || "/", window.location.href);
    if (!/\/$/.test(base.pathname)) base.pathname += "/";
    var bundle = new URL("pagefind/pagefind.js", base).href;
    var tag = attr(form, "data-index-tag");
    var maxWords = parseInt(form.getAttribute("data-max-words"), 10) || MAX_WORDS;
    var loading = null;
    function load() {
      if (!loading) {
        loading = import(bundle).then(function (pagefind) {
          var opts = { baseUrl: base.pathname };
          if (tag) opts.metaCacheTag = tag;
          return pagefind.options(opts).then(function () { return pagefind; });
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }

    var seq = 0;
    var timer = null;
    function show(text) { status.textContent = text; }

    function run(query) {
      var q = query.trim().split(/\s+/).slice(0, maxWords).join(" ");
      var mine = ++seq;
      if (!q) {
        clear(list);
        show("");
        return;
      }
      show(msg.loading);
      load()
        .then(function (pagefind) { return pagefind.search(q); })
        .then(function (search) {
          if (mine !== seq || !search) return null;
          var top = search.results.slice(0, MAX_RESULTS);
          return Promise.all(top.map(function (r) { return r.data(); })).then(function (datas) {
            if (mine !== seq) return;
            var frag = document.createDocumentFragment();
            datas.forEach(function (d) {
              var li = resultItem(d);
              if (li) frag.appendChild(li);
            });
            clear(list);
            list.appendChild(frag);
            var n = search.results.length;
            var values = { q: q, n: n, shown: datas.length };
            var key = n === 0 ? "none" : n > datas.length ? "more" : n === 1 ? "one" : "count";
            show(format(msg[key], values));
          });
        })
        .catch(function (err) {
          if (mine !== seq) return;
          show(msg.error);
          if (window.console) console.error(err);
        });
    }

    function remember(q) {
      if (!window.history || !history.replaceState) return;
      var url = new URL(window.location.href);
      if (q.trim()) url.searchParams.set("q", q); else url.searchParams.delete("q");
      history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      remember(input.value);
      run(input.value);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        remember(input.value);
        run(input.value);
      }, DEBOUNCE_MS);
    });

    Array.prototype.forEach.call(document.querySelectorAll(".ocop-search-nojs"), function (el) {
      el.hidden = true;
    });
    var initial = new URL(window.location.href).searchParams.get("q") || "";
    if (initial) {
      input.value = initial;
      run(initial);
    }
  }

  function init() {
    var list = document.querySelector("ol.ocop-search-results");
    if (!list) return; // not the search page: the form just submits to it
    // Prefer the form in the same <main> as the results (the header may have one too).
    var main = list.closest("main");
    var form = (main && main.querySelector("form.ocop-search")) ||
      document.querySelector("form.ocop-search");
    if (form) setup(form, list);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
