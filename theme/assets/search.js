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
 * Without JavaScript the form submits to the search page, which shows its
 * plain note. With it, on the page that has ol.ocop-search-results, this
 * script searches the index of the page's <html lang> in
 * <base>search-index/<lang>/ (written by ocop_catalog.outputs.site.search; its docstring
 * describes the files) as the visitor types: it fetches index.json, the term
 * shard of each word and the document chunks of the first 20 results, and
 * renders them as cards: kind (product, producer, sales point), photo, name
 * (the link), a product's stars, certificate status (re-checked against the
 * visitor's date, as ocop.js does for listing cards) and price, then
 * producer/category/place and summary, the words found marked. All text goes
 * in through textContent.
 *
 * Terms are made as in ocop_catalog.outputs.site.search.search_terms: lower case, marks
 * dropped, đ→d, runs of letters and digits; Chinese/Japanese runs as
 * character pairs. Every word of the query must match (a word matches the
 * terms it begins; one-letter words match only themselves); results are
 * ordered by score (name 3, producer/category/place 2, other text 1, twice
 * that for a whole-word match), then by the index's order.
 *
 * data-base (on the form, else on <html>): the site's base URL, default "/".
 * data-kind-product|producer|point, data-stars-label ("{n} stars") (on the form,
 * optional): the words of a card; the status words are <body>'s data-label-*
 * and its data-expiring-days the warning window (base.html).
 * data-max-words (on the form, optional): words of the query searched, default 6.
 * data-msg-loading|none|one|count|more|error (on the form, optional): message
 * overrides; {q}, {n} and {shown} are replaced.
 * <p class="more" hidden><button data-more>…</button></p> (optional, beside the
 * list): "show more results", shown when there are more, shows the next 20.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 20;
  var DEBOUNCE_MS = 250;
  // Each distinct word fetches one term shard (tens of KB); a cap on words
  // keeps a pasted sentence within the download budget.
  var MAX_WORDS = 6;
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var CJK_RUNS = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/;
  var MAX_TERM = 40;
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

  // --- terms, as ocop_catalog.outputs.site.search makes them ---------------------------

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/\p{M}+/gu, "")
      .replace(/[đð]/g, "d").normalize("NFC");
  }

  function tokens(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
  }

  // The query's words: {term, prefix}; a prefix word matches every term it
  // begins. A Chinese/Japanese run is one prefix word if it is one character,
  // else each of its character pairs, matched whole. At most ``maxWords``
  // words (each fetches a shard), counted after runs are split into pairs.
  function queryWords(query, maxWords) {
    var words = [];
    var seen = {};
    function add(term, prefix) {
      var key = term + (prefix ? "*" : "");
      if (!seen[key]) { seen[key] = true; words.push({ term: term, prefix: prefix }); }
    }
    tokens(query).forEach(function (token) {
      token.split(CJK_RUNS).forEach(function (piece, i) {
        if (!piece) return;
        var chars = Array.from(piece);
        if (i % 2 === 0) {
          if (chars.length <= MAX_TERM) add(piece, chars.length > 1);
        } else if (chars.length === 1) {
          add(piece, true);
        } else {
          for (var j = 0; j + 1 < chars.length; j++) add(chars[j] + chars[j + 1], false);
        }
      });
    });
    return words.slice(0, maxWords);
  }

  function termKey(term) {
    var chars = Array.from(term);
    return CJK.test(chars[0]) ? chars[0] : chars.slice(0, 2).join("");
  }

  // FNV-1a (32 bits) over the key's code points, as ocop_catalog.outputs.site.search.shard_of.
  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    Array.from(termKey(term)).forEach(function (ch) {
      h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    });
    return h % shards;
  }

  // --- the index ------------------------------------------------------------

  function Index(folder) {
    this.folder = folder;
    this.files = {};
    this.entry = null;
  }

  Index.prototype.fetch = function (name, fresh) {
    var url = new URL(name, this.folder).href;
    if (!this.files[url]) {
      var files = this.files;
      files[url] = fetch(url, fresh ? { cache: "no-cache" } : {}).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
        return r.json();
      });
      files[url].catch(function () { delete files[url]; });
    }
    return this.files[url];
  };

  Index.prototype.load = function () {
    var self = this;
    if (!this.entry) {
      delete this.files[new URL("index.json", this.folder).href];
      this.entry = this.fetch("index.json", true).then(function (entry) {
        if (entry.format !== 2) throw new Error("unknown search index format " + entry.format);
        return entry;
      });
      this.entry.catch(function () { self.entry = null; });
    }
    return this.entry;
  };

  // Documents that match every word, best first: [{doc, score}].
  // A shard or chunk that is gone means a newer build: read index.json again next time.
  Index.prototype.part = function (name) {
    var self = this;
    return this.fetch(name).catch(function (err) {
      self.entry = null;
      throw err;
    });
  };

  Index.prototype.search = function (words) {
    var self = this;
    return this.load().then(function (entry) {
      var n = entry.shards.length;
      return Promise.all(words.map(function (word) {
        var i = shardOf(word.term, n);
        return self.part("t/" + i + "." + entry.shards[i] + ".json");
      })).then(function (shards) {
        var found = null;
        words.forEach(function (word, w) {
          var shard = shards[w];
          var scores = new Map();
          var terms = word.prefix ? Object.keys(shard).filter(function (t) {
            return t.lastIndexOf(word.term, 0) === 0;
          }) : (Object.prototype.hasOwnProperty.call(shard, word.term) ? [word.term] : []);
          terms.forEach(function (term) {
            var whole = term === word.term ? 2 : 1;
            var doc = 0;
            shard[term].forEach(function (code, k) {
              doc = (k === 0 ? 0 : doc) + (code >> 2);
              var score = (code & 3) * whole;
              if ((scores.get(doc) || 0) < score) scores.set(doc, score);
            });
          });
          if (found === null) {
            found = scores;
          } else {
            var both = new Map();
            found.forEach(function (score, doc) {
              if (scores.has(doc)) both.set(doc, score + scores.get(doc));
            });
            found = both;
          }
        });
        var results = [];
        (found || new Map()).forEach(function (score, doc) { results.push({ doc: doc, score: score }); });
        results.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
        return results;
      });
    });
  };

  // [url, title, facts, summary, kind, image, stars, status, valid_until, revoked, price]
  // of document ``doc`` (empty values at the end left out).
  Index.prototype.doc = function (doc) {
    var self = this;
    return this.load().then(function (entry) {
      var i = Math.floor(doc / entry.per_chunk);
      return self.part("d/" + i + "." + entry.chunks[i] + ".json").then(function (chunk) {
        return chunk[doc - i * entry.per_chunk];
      });
    });
  };

  // --- results --------------------------------------------------------------

  // ``text`` with the words that begin with a query word in <mark>.
  function marked(text, words) {
    var out = document.createDocumentFragment();
    var last = 0;
    var re = /[\p{L}\p{N}]+/gu;
    var m;
    while ((m = re.exec(text)) !== null) {
      var folded = fold(m[0]);
      var hit = words.some(function (w) {
        return w.term.length > 1 && !CJK.test(w.term) && folded.lastIndexOf(w.term, 0) === 0;
      });
      if (!hit) continue;
      if (m.index > last) out.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      out.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) out.appendChild(document.createTextNode(text.slice(last)));
    return out;
  }

  var DAY = 86400000;
  var STATUSES = ["valid", "expiring", "expired", "revoked"];

  function parseDay(text) {
    var p = String(text || "").split("-");
    return p.length === 3 ? Date.UTC(+p[0], +p[1] - 1, +p[2]) : NaN;
  }

  // A certificate's status on the visitor's day (as ocop.js statusAt).
  function statusAt(until, revoked, fallback) {
    var now = new Date();
    var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
    var gone = parseDay(revoked);
    if (!isNaN(gone) && gone <= today) return "revoked";
    var end = parseDay(until);
    if (isNaN(end)) return fallback;
    if (end < today) return "expired";
    var window = +(document.body.getAttribute("data-expiring-days") || 180);
    return (end - today) / DAY <= window ? "expiring" : "valid";
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // The words of a card: kinds and stars from the form, status names from <body>.
  function cardWords(form) {
    var words = { kinds: {}, stars: form.getAttribute("data-stars-label") || "{n}★", status: {} };
    ["product", "producer", "point"].forEach(function (kind) {
      words.kinds[kind] = form.getAttribute("data-kind-" + kind) || "";
    });
    STATUSES.forEach(function (s) {
      words.status[s] = document.body.getAttribute("data-label-" + s) || s;
    });
    return words;
  }

  function resultItem(data, base, words, card) {
    if (!Array.isArray(data)) return null;
    var href = safeHref(new URL(String(data[0]), base).href);
    if (!href) return null;
    var kind = typeof data[4] === "string" ? data[4] : "";
    var li = element("li", "ocop-search-result");
    if (kind) li.setAttribute("data-kind", kind);
    var src = data[5] ? safeHref(new URL(String(data[5]), base).href) : null;
    var thumb;
    if (src) {
      thumb = element("img", "ocop-search-thumb");
      thumb.src = src;
      thumb.alt = "";
      thumb.width = 72;
      thumb.height = 72;
      thumb.loading = "lazy";
      thumb.decoding = "async";
    } else {
      thumb = element("span", "ocop-search-thumb");
      thumb.setAttribute("aria-hidden", "true");
    }
    li.appendChild(thumb);
    if (card.kinds[kind]) li.appendChild(element("span", "ocop-search-kind", card.kinds[kind]));
    var a = element("a", "ocop-search-title", String(data[1] || data[0]));
    a.href = href;
    li.appendChild(a);
    var stars = +data[6] || 0;
    var status = STATUSES.indexOf(data[7]) >= 0 ? statusAt(data[8], data[9], data[7]) : "";
    if (stars || status || data[10]) {
      var meta = element("p", "ocop-search-meta");
      if (stars > 0 && stars <= 5) {
        var s = element("span", "stars");
        s.setAttribute("role", "img");
        s.setAttribute("aria-label", card.stars.replace("{n}", stars));
        if (status) s.setAttribute("data-stars-status", status);
        var drawn = element("span", "", "\u2605".repeat(stars));
        drawn.setAttribute("aria-hidden", "true");
        drawn.appendChild(element("span", "off", "\u2606".repeat(5 - stars)));
        s.appendChild(drawn);
        meta.appendChild(s);
      }
      if (status) {
        var badge = element("span", "badge status-" + status, card.status[status]);
        badge.setAttribute("data-status", status);
        meta.appendChild(badge);
      }
      if (data[10]) meta.appendChild(element("span", "ocop-search-price", String(data[10])));
      li.appendChild(meta);
    }
    var facts = (Array.isArray(data[2]) ? data[2] : []).filter(function (x) { return x; });
    if (facts.length) {
      var p = document.createElement("p");
      p.className = "ocop-search-facts";
      p.textContent = facts.join(" · ");
      li.appendChild(p);
    }
    if (data[3]) {
      var ex = document.createElement("p");
      ex.className = "ocop-search-excerpt";
      ex.appendChild(marked(String(data[3]), words));
      li.appendChild(ex);
    }
    return li;
  }

  function setup(form, list) {
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var msg = messages(form);
    var card = cardWords(form);
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
    var lang = (document.documentElement.lang || "vi").toLowerCase();
    var index = new Index(new URL("search-index/" + encodeURIComponent(lang) + "/", base));
    var maxWords = parseInt(form.getAttribute("data-max-words"), 10) || MAX_WORDS;

    var seq = 0;
    var timer = null;
    function show(text) { status.textContent = text; }

    // "Show more results" (in the page's markup, hidden until there are more); a page
    // without it shows the first results only.
    var moreButton = list.parentNode.querySelector("[data-more]") ||
      document.createElement("button");
    var moreBox = moreButton.parentNode || document.createElement("p");
    var current = null; // {q, words, results, shown, mine} of the query on screen

    // Show the next MAX_RESULTS results of ``current``; ``focus``: move the keyboard
    // to the first of them.
    function showNext(focus) {
      var c = current;
      var next = c.results.slice(c.shown, c.shown + MAX_RESULTS);
      moreButton.disabled = true;
      return Promise.all(next.map(function (r) { return index.doc(r.doc); })).then(function (docs) {
        if (c.mine !== seq) return;
        var frag = document.createDocumentFragment(), first = null;
        docs.forEach(function (d) {
          var li = resultItem(d, base, c.words, card);
          if (!li) return;
          frag.appendChild(li);
          first = first || li;
        });
        if (c.shown === 0) clear(list);
        list.appendChild(frag);
        c.shown += docs.length;
        var n = c.results.length;
        var values = { q: c.q, n: n, shown: c.shown };
        var key = n === 0 ? "none" : n > c.shown ? "more" : n === 1 ? "one" : "count";
        show(format(msg[key], values));
        moreButton.disabled = false;
        moreBox.hidden = c.shown >= n;
        if (focus) {
          if (first) first.querySelector("a").focus();
          else if (!moreBox.hidden) moreButton.focus();
        }
      });
    }

    function failed(mine, err) {
      if (mine !== seq) return;
      show(msg.error);
      if (window.console) console.error(err);
    }

    function run(query) {
      var q = query.trim().split(/\s+/).slice(0, maxWords).join(" ");
      var mine = ++seq;
      moreBox.hidden = true;
      if (!q) {
        clear(list);
        show("");
        return;
      }
      show(msg.loading);
      var words = queryWords(q, maxWords);
      index.search(words)
        .then(function (results) {
          if (mine !== seq) return null;
          current = { q: q, words: words, results: results, shown: 0, mine: mine };
          return showNext(false);
        })
        .catch(function (err) { failed(mine, err); });
    }

    moreButton.addEventListener("click", function () {
      var mine = seq;
      if (current && current.mine === mine) {
        showNext(true).catch(function (err) {
          // a newer build may have renumbered the results: no retry from here
          moreBox.hidden = true;
          failed(mine, err);
        });
      }
    });

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
