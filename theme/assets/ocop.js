/* ocop-catalog: small enhancements for catalog pages (no dependencies).
 * 1. Re-check every OCOP certificate status against the visitor's date, so a
 *    page built months ago still says "expired" once the date has passed.
 * 2. Filter product listings by category, stars, area, price and validity
 *    (across all its pages when a listing has several).
 * 3. Remember the language a visitor picks, so the QR link pages (q/…) open
 *    products in it next time. */
(function () {
  "use strict";
  var DAY = 86400000;

  function today() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function parseDay(text) {
    var p = (text || "").split("-");
    return p.length === 3 ? Date.UTC(+p[0], +p[1] - 1, +p[2]) : NaN;
  }

  // The status on the visitor's day of a certificate valid until ``until`` and
  // revoked on ``revoked`` (YYYY-MM-DD texts, or empty); ``fallback`` when the
  // dates cannot be read. The warning window is the site's (on <body>, base.html).
  function statusAt(until, revoked, fallback) {
    var now = today();
    var gone = parseDay(revoked);
    if (!isNaN(gone) && gone <= now) return "revoked";
    var end = parseDay(until);
    if (isNaN(end)) return fallback;
    if (end < now) return "expired";
    var window = +(document.body.getAttribute("data-expiring-days") || 180);
    return (end - now) / DAY <= window ? "expiring" : "valid";
  }

  function statusOf(el) {
    return statusAt(el.getAttribute("data-valid-until"), el.getAttribute("data-revoked"),
                    el.getAttribute("data-status"));
  }

  // Re-check one certificate block or listing card; the status names (data-label-*)
  // are on <body> (base.html).
  function recheck(el) {
    var words = document.body;
    var old = el.getAttribute("data-status");
    var status = statusOf(el);
    if (status === old) return;
    el.setAttribute("data-status", status);
    el.className = el.className.replace("status-" + old, "status-" + status);
    var label = el.querySelector("[data-status-label]");
    if (label) {
      label.className = label.className.replace("status-" + old, "status-" + status);
      if (words.hasAttribute("data-label-" + status)) {
        label.textContent = words.getAttribute("data-label-" + status);
      }
    }
    var note = el.querySelector("[data-status-note]");
    if (note && el.hasAttribute("data-note-" + status)) {
      note.textContent = el.getAttribute("data-note-" + status);
    }
  }

  function recheckCards() {
    var cards = document.querySelectorAll(".card[data-valid-until]");
    for (var i = 0; i < cards.length; i++) recheck(cards[i]);
  }

  // What the filter form asks for; null when nothing is chosen.
  function wanted(form) {
    var f = form.elements;
    var w = {
      category: f.category ? f.category.value : "", stars: f.stars ? f.stars.value : "",
      area: f.area ? f.area.value : "", price: f.price ? +f.price.value : 0,
      valid: !!(f.valid && f.valid.checked)
    };
    return w.category || w.stars || w.area || w.price || w.valid ? w : null;
  }

  // Whether a product (its card's data-* values) passes the filters ``w``.
  function passes(w, d) {
    return (!w.category || d.category === w.category) &&
      (!w.stars || d.stars === w.stars) &&
      (!w.area || d.area === w.area) &&
      (!w.price || (d.price !== "" && +d.price <= w.price)) &&
      (!w.valid || d.status === "valid" || d.status === "expiring");
  }

  function cardData(c) {
    return {
      category: c.getAttribute("data-category"), stars: c.getAttribute("data-stars"),
      area: c.getAttribute("data-area"), price: c.getAttribute("data-price"),
      status: c.getAttribute("data-status")
    };
  }

  // Hide the cards that do not pass ``w``; the number left.
  function filterCards(cards, w) {
    var count = 0;
    Array.prototype.forEach.call(cards, function (c) {
      var ok = passes(w, cardData(c));
      c.hidden = !ok;
      if (ok) count++;
    });
    return count;
  }

  // "Showing n of total" (or nothing), and the "no matching products" note.
  function showCount(form, n, total) {
    var shown = form.querySelector(".shown");
    var empty = form.parentNode.querySelector("[data-empty]");
    if (empty) empty.hidden = n !== 0;
    if (shown) {
      shown.textContent = n === null ? "" : shown.getAttribute("data-shown-template")
        .replace("{shown}", n).replace("{total}", total);
    }
  }

  // Show the form and run ``apply`` now and on every change.
  function listen(form, apply) {
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  }

  function setUpFilters(form) {
    var list = form.parentNode.querySelector("[data-listing]");
    if (!list) return;
    if (list.hasAttribute("data-items")) return setUpPagedFilters(form, list);
    var cards = list.querySelectorAll(".card");
    listen(form, function () {
      showCount(form, filterCards(cards, wanted(form) || {}), cards.length);
    });
  }

  // A listing split into pages: the filters read the whole listing from its
  // data file (data-items: a product per item, in listing order) and show the
  // matching cards, fetched from the pages they are on, a page's worth at a
  // time ("show more"). With no filter chosen, this page's own cards and the
  // pager are shown.
  function setUpPagedFilters(form, list) {
    var scope = form.parentNode;
    var more = scope.querySelector("[data-more]");
    var pager = scope.querySelector("[data-pager]");
    var own = Array.prototype.slice.call(list.children);
    var size = +list.getAttribute("data-page-size");
    var first = new URL(list.getAttribute("data-first"), location.href);
    var items = null, pages = {}, matches = [], done = 0, seq = 0;

    // "no-cache": revalidated, so a page cached before a rebuild is not matched
    // against the rebuilt listing.json (cards are picked by their place on a page).
    function get(url, as) {
      return fetch(url, { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
        return r[as]();
      });
    }
    function loadItems() {
      if (!items) {
        items = get(new URL(list.getAttribute("data-items"), location.href).href, "json");
        items.catch(function () { items = null; });
      }
      return items;
    }
    // The cards of page ``n``, their links made to work from this page.
    function pageCards(n) {
      var url = n === 1 ? first.href : new URL("page/" + n + "/", first).href;
      if (!pages[url]) {
        pages[url] = get(url, "text").then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var cards = doc.querySelectorAll("[data-listing] > .card");
          return Array.prototype.map.call(cards, function (card) {
            var c = document.importNode(card, true);
            absolute(c, url);
            return c;
          });
        });
        pages[url].catch(function () { delete pages[url]; });
      }
      return pages[url];
    }
    function absolute(card, base) {
      Array.prototype.forEach.call(card.querySelectorAll("[href],[src],[srcset]"), function (el) {
        if (el.hasAttribute("href")) el.setAttribute("href", new URL(el.getAttribute("href"), base).pathname);
        if (el.hasAttribute("src")) el.setAttribute("src", new URL(el.getAttribute("src"), base).pathname);
        if (el.hasAttribute("srcset")) {
          el.setAttribute("srcset", el.getAttribute("srcset").split(",").map(function (part) {
            var bits = part.trim().split(/\s+/);
            bits[0] = new URL(bits[0], base).pathname;
            return bits.join(" ");
          }).join(", "));
        }
      });
    }
    function showMore(mine, focus) {
      var batch = matches.slice(done, done + size);
      var needed = {};
      batch.forEach(function (i) { needed[Math.floor(i / size) + 1] = true; });
      var numbers = Object.keys(needed).map(Number);
      more.disabled = true;
      return Promise.all(numbers.map(pageCards)).then(function (loaded) {
        if (mine !== seq) return;
        var byPage = {}, firstNew = null;
        numbers.forEach(function (n, k) { byPage[n] = loaded[k]; });
        batch.forEach(function (i) {
          var card = byPage[Math.floor(i / size) + 1][i % size];
          if (!card) return;
          card = card.cloneNode(true);
          list.appendChild(card);
          firstNew = firstNew || card;
        });
        done += batch.length;
        more.disabled = false;
        more.parentNode.hidden = done >= matches.length;
        recheckCards();
        // the button may be gone: keep the keyboard where the new cards start
        var link = firstNew && firstNew.querySelector("a");
        if (focus && link) link.focus();
        else if (focus && !more.parentNode.hidden) more.focus();
      });
    }
    // The other pages could not be read (offline, a newer build): filter this
    // page's own cards, as a listing of one page does, with the pager shown.
    function fallBack(mine, w, err) {
      if (mine !== seq || !w) return;
      list.replaceChildren.apply(list, own);
      pager.hidden = false;
      more.disabled = false;
      more.parentNode.hidden = true;
      showCount(form, filterCards(own, w), own.length);
      if (window.console) console.warn("listing pages could not be read", err);
    }
    function apply() {
      var mine = ++seq, w = wanted(form);
      if (!w) {
        own.forEach(function (c) { c.hidden = false; });
        list.replaceChildren.apply(list, own);
        pager.hidden = false;
        more.parentNode.hidden = true;
        showCount(form, null);
        return;
      }
      loadItems().then(function (data) {
        if (mine !== seq) return;
        matches = [];
        data.items.forEach(function (it, i) {
          var d = { stars: String(it[0]), category: it[1], area: it[2],
                    price: it[3] === null ? "" : String(it[3]), status: statusAt(it[4], it[5], "") };
          if (passes(w, d)) matches.push(i);
        });
        list.replaceChildren();
        pager.hidden = true;
        done = 0;
        showCount(form, matches.length, data.items.length);
        more.parentNode.hidden = true;
        return showMore(mine, false);
      }).catch(function (err) { fallBack(mine, w, err); });
    }
    more.addEventListener("click", function () {
      var mine = seq, w = wanted(form);
      showMore(mine, true).catch(function (err) { fallBack(mine, w, err); });
    });
    listen(form, apply);
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".langs a[hreflang]");
    if (!link) return;
    try { localStorage.setItem("ocop.lang", link.getAttribute("hreflang")); } catch (err) { /* private mode */ }
  });

  var certs = document.querySelectorAll("[data-cert]");
  for (var i = 0; i < certs.length; i++) recheck(certs[i]);
  recheckCards();
  var forms = document.querySelectorAll("[data-filters]");
  for (var j = 0; j < forms.length; j++) setUpFilters(forms[j]);
})();
