/* ocop-catalog: small enhancements for catalog pages (no dependencies).
 * 1. Re-check every OCOP certificate status against the visitor's date, so a
 *    page built months ago still says "expired" once the date has passed.
 * 2. Filter product listings by category, stars, area, price and validity, with
 *    counts, and sort them (across all its pages when a listing has several).
 * 3. Remember the language a visitor picks, so the QR link pages (q/…) open
 *    products in it next time.
 * 4. Product pages: stars of lapsed certificates, the seal's "checked on" line, the
 *    photo strip's arrows, dots and keys. */
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
    recheckStars(el);  // a card's stars (product page: below)
  }

  function recheckCards() {
    var cards = document.querySelectorAll(".card[data-valid-until]");
    for (var i = 0; i < cards.length; i++) recheck(cards[i]);
  }

  // ==== Listings (listing pages' part): filters with counts, sort, the "Filter" button on
  // phones (partials/filters.html, partials/products.html). A listing of one page filters
  // and sorts its own cards; a paged one reads its listing.json (pages.py listing_data) and
  // shows the matching cards, taken from the pages they are on, a page's worth at a time.
  // The form is rendered with its counts for the whole listing, so nothing moves when this
  // starts; counts change as filters combine, and a choice that would leave no product is
  // disabled. ====

  var FACETS = ["category", "stars", "area", "price", "valid"];

  function byIndex(a, b) { return a.index - b.index; }
  // Products without a price go last, whichever way prices are sorted.
  function byPrice(way) {
    return function (a, b) {
      if (a.price === null || b.price === null) {
        return (a.price === null) - (b.price === null) || byIndex(a, b);
      }
      return way * (a.price - b.price) || byIndex(a, b);
    };
  }
  // The listing's own order is by name (pages.py, SiteBuilder.by_name).
  var SORTS = {
    name: byIndex,
    "price-asc": byPrice(1),
    "price-desc": byPrice(-1),
    stars: function (a, b) { return b.stars - a.stars || byIndex(a, b); },
    newest: function (a, b) {
      return a.decided < b.decided ? 1 : a.decided > b.decided ? -1 : byIndex(a, b);
    }
  };

  // What the form asks for.
  function wanted(form) {
    var f = form.elements;
    return {
      category: f.category ? f.category.value : "", stars: f.stars ? f.stars.value : "",
      area: f.area ? f.area.value : "", price: f.price ? +f.price.value : 0,
      valid: !!(f.valid && f.valid.checked),
      sort: f.sort && SORTS[f.sort.value] ? f.sort.value : "name"
    };
  }

  function filtering(w) {
    return !!(w.category || w.stars || w.area || w.price || w.valid);
  }

  function active(status) { return status === "valid" || status === "expiring"; }

  // Whether a product passes the filters ``w``, but for the filter ``skip`` (counts).
  function passes(w, d, skip) {
    return (skip === "category" || !w.category || d.category === w.category) &&
      (skip === "stars" || !w.stars || String(d.stars) === w.stars) &&
      (skip === "area" || !w.area || d.area === w.area) &&
      (skip === "price" || !w.price || (d.price !== null && d.price <= w.price)) &&
      (skip === "valid" || !w.valid || active(d.status));
  }

  // A product as a card's data-* attributes (partials/card.html) say it.
  function cardData(c, index) {
    var price = c.getAttribute("data-price");
    return {
      index: index, card: c, category: c.getAttribute("data-category"),
      stars: +c.getAttribute("data-stars"), area: c.getAttribute("data-area"),
      price: price ? +price : null, status: c.getAttribute("data-status"),
      decided: c.getAttribute("data-decided") || ""
    };
  }

  // Each choice's number of products among those the other filters leave; a choice with
  // none is disabled (unless it is the one chosen). Text is only written when it changes.
  function recount(form, items, w) {
    var template = form.getAttribute("data-count-template") || "({n})";
    var counts = { category: {}, stars: {}, area: {}, price: {}, valid: 0 };
    var price = form.elements.price;
    var limits = price ? Array.prototype.map.call(price.options, function (o) { return +o.value; })
      .filter(function (x) { return x > 0; }) : [];
    items.forEach(function (d) {
      FACETS.forEach(function (facet) {
        if (!passes(w, d, facet)) return;
        if (facet === "valid") {
          if (active(d.status)) counts.valid++;
        } else if (facet === "price") {
          limits.forEach(function (limit) {
            if (d.price !== null && d.price <= limit) counts.price[limit] = (counts.price[limit] || 0) + 1;
          });
        } else {
          counts[facet][d[facet]] = (counts[facet][d[facet]] || 0) + 1;
        }
      });
    });
    ["category", "stars", "area", "price"].forEach(function (name) {
      var select = form.elements[name];
      if (!select || !select.options) return;
      Array.prototype.forEach.call(select.options, function (o) {
        if (!o.value) return;
        var n = counts[name][o.value] || 0;
        var text = o.getAttribute("data-label") + " " + template.replace("{n}", n);
        if (o.textContent !== text) o.textContent = text;
        o.disabled = n === 0 && !o.selected;
      });
    });
    var valid = form.elements.valid;
    if (valid) {
      var count = valid.parentNode.querySelector("[data-count]");
      var text = template.replace("{n}", counts.valid);
      if (count && count.textContent !== text) count.textContent = text;
      valid.disabled = counts.valid === 0 && !valid.checked;
    }
    var chosen = ["category", "stars", "area", "price"].filter(function (k) { return w[k]; })
      .length + (w.valid ? 1 : 0);
    var badge = form.querySelector("[data-active-count]");
    if (badge) badge.textContent = chosen ? " " + template.replace("{n}", chosen) : "";
  }

  // The listing's count line: "showing n of total" while filtering, the whole count while
  // a paged listing is sorted across its pages (n "all"), else as built.
  function showCount(scope, n, total) {
    var shown = scope.querySelector(".shown");
    var empty = scope.querySelector("[data-empty]");
    if (empty) empty.hidden = n !== 0;
    if (!shown) return;
    if (!shown.hasAttribute("data-built")) shown.setAttribute("data-built", shown.textContent);
    var text = n === null ? shown.getAttribute("data-built")
      : n === "all" ? shown.getAttribute("data-all") || shown.getAttribute("data-built")
      : shown.getAttribute("data-shown-template").replace("{shown}", n).replace("{total}", total);
    if (shown.textContent !== text) shown.textContent = text;
  }

  // Hide the cards of ``items`` that do not pass ``w`` and put them in ``w``'s order; the
  // number left. Cards are only moved when the order changes.
  function arrange(list, items, w) {
    var order = items.slice().sort(SORTS[w.sort]);
    var count = 0;
    var moved = order.some(function (d, i) { return list.children[i] !== d.card; });
    if (moved) list.replaceChildren.apply(list, order.map(function (d) { return d.card; }));
    order.forEach(function (d) {
      var ok = passes(w, d);
      if (d.card.hidden === ok) d.card.hidden = !ok;
      if (ok) count++;
    });
    return count;
  }

  // The choices a GET submission of the form put in the address (?stars=4&valid=on), set
  // on the form when the page opens; a value the form does not offer is left out.
  function fromAddress(form) {
    var query = new URLSearchParams(location.search);
    ["sort", "category", "stars", "area", "price"].forEach(function (name) {
      var select = form.elements[name], value = query.get(name);
      if (!select || value === null) return;
      var option = Array.prototype.filter.call(select.options, function (o) {
        return o.value === value && !o.disabled;
      })[0];
      if (option) select.value = value;
    });
    if (form.elements.valid && !form.elements.valid.disabled && query.get("valid") === "on") {
      form.elements.valid.checked = true;
    }
  }

  // The form's choices in the address, as a GET submission writes them (the defaults left
  // out), so that the filtered listing can be shared or bookmarked.
  function toAddress(form) {
    var query = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (el.type === "checkbox") { if (el.checked) query.set(el.name, "on"); return; }
      if (el.value && !(el.name === "sort" && el.value === "name")) query.set(el.name, el.value);
    });
    var text = query.toString();
    history.replaceState(history.state, "", location.pathname + (text ? "?" + text : "") +
      location.hash);
  }

  // Run ``apply`` now and on every change; the "Filter" button folds the choices on phones;
  // "Show results" (the submit button) keeps the choices in the address and folds them.
  function listen(form, apply) {
    var toggle = form.querySelector("[data-filters-toggle]");
    function fold(open) {
      if (!toggle) return;
      toggle.setAttribute("aria-expanded", String(open));
      form.classList.toggle("open", open);
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () {
      setTimeout(function () { apply(); if (location.search) toAddress(form); }, 0);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();  // the choices are applied already, as they changed
      toAddress(form);
      if (toggle && toggle.getAttribute("aria-expanded") === "true") {
        fold(false);
        toggle.focus();
      }
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        fold(toggle.getAttribute("aria-expanded") !== "true");
      });
    }
    fromAddress(form);
    apply();
  }

  function setUpFilters(form) {
    var scope = form.parentNode;
    var list = scope.querySelector("[data-listing]");
    if (!list) return;
    if (list.hasAttribute("data-items")) return setUpPagedFilters(form, list);
    var items = Array.prototype.map.call(list.children, cardData);
    listen(form, function () {
      var w = wanted(form);
      var n = arrange(list, items, w);
      recount(form, items, w);
      showCount(scope, filtering(w) ? n : null, items.length);
    });
  }

  // A listing split into pages: with no filter and the listing's own order, this page's
  // cards and the pager; else the matching products of the whole listing (its data file,
  // data-items: a product per item, in listing order), in the order asked for, their cards
  // fetched from the pages they are on, a page's worth at a time ("show more").
  function setUpPagedFilters(form, list) {
    var scope = form.parentNode;
    var more = scope.querySelector("[data-more]");
    var pager = scope.querySelector("[data-pager]");
    var own = Array.prototype.slice.call(list.children);
    var size = +list.getAttribute("data-page-size");
    var first = new URL(list.getAttribute("data-first"), location.href);
    var items = null, loaded = null, pages = {}, matches = [], done = 0, seq = 0;

    // "no-cache": revalidated, so a page cached before a rebuild is not matched
    // against the rebuilt listing.json (cards are picked by their place on a page).
    function get(url, as) {
      return fetch(url, { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
        return r[as]();
      });
    }
    // [stars, category, area, price or null, valid_until, revoked, decided] per product
    function loadItems() {
      if (!items) {
        items = get(new URL(list.getAttribute("data-items"), location.href).href, "json")
          .then(function (data) {
            loaded = data.items.map(function (it, i) {
              return { index: i, stars: +it[0], category: it[1], area: it[2], price: it[3],
                       status: statusAt(it[4], it[5], ""), decided: it[6] || "" };
            });
            return loaded;
          });
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
      return Promise.all(numbers.map(pageCards)).then(function (got) {
        if (mine !== seq) return;
        var byPage = {}, firstNew = null;
        numbers.forEach(function (n, k) { byPage[n] = got[k]; });
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
    // The other pages could not be read (offline, a newer build): filter and sort this
    // page's own cards, as a listing of one page does, with the pager shown.
    function fallBack(mine, w, err) {
      if (mine !== seq) return;
      var mineOnly = own.map(cardData);
      pager.hidden = false;
      more.disabled = false;
      more.parentNode.hidden = true;
      showCount(scope, arrange(list, mineOnly, w), own.length);
      recount(form, mineOnly, w);
      if (window.console) console.warn("listing pages could not be read", err);
    }
    function apply() {
      var mine = ++seq, w = wanted(form);
      if (!filtering(w) && w.sort === "name") {
        own.forEach(function (c) { c.hidden = false; });
        if (own.some(function (c, i) { return list.children[i] !== c; }) ||
            list.children.length !== own.length) {
          list.replaceChildren.apply(list, own);
        }
        pager.hidden = false;
        more.parentNode.hidden = true;
        showCount(scope, null);
        if (loaded) recount(form, loaded, w);
        return;
      }
      loadItems().then(function (data) {
        if (mine !== seq) return;
        recount(form, data, w);
        matches = data.filter(function (d) { return passes(w, d); }).sort(SORTS[w.sort])
          .map(function (d) { return d.index; });
        list.replaceChildren();
        pager.hidden = true;
        done = 0;
        showCount(scope, filtering(w) ? matches.length : "all", data.length);
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

  // ==== Product page: stars of lapsed certificates, the seal's "checked on" line, the
  // photo strip (product.html, partials/cert.html, partials/stars.html) ====

  // Stars follow their certificate: grey and struck through (ocop.css) once it has expired
  // or been revoked by the visitor's day. The dates are on the nearest element above the
  // stars with data-valid-until (a listing card, a product page's <article>).
  function recheckStars(scope) {
    var all = scope.querySelectorAll(".stars[data-stars-status]");
    for (var i = 0; i < all.length; i++) {
      var holder = all[i].closest("[data-valid-until]");
      if (!holder) continue;
      var old = all[i].getAttribute("data-stars-status");
      var now = statusAt(holder.getAttribute("data-valid-until"),
                         holder.getAttribute("data-revoked"), old);
      if (now !== old) all[i].setAttribute("data-stars-status", now);
    }
  }

  // The visitor's day, written the page's way (the build wrote its own day with Babel).
  function dayText(day) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        day: "numeric", month: "long", year: "numeric", timeZone: "UTC"
      }).format(new Date(day));
    } catch (err) {
      return new Date(day).toISOString().slice(0, 10);
    }
  }

  // The seal takes its certificate's status on the visitor's day; its last line says the
  // status was checked on the visitor's day, not only on the build day.
  function recheckSeal(seal) {
    var cert = seal.querySelector("[data-cert]");
    if (cert) seal.setAttribute("data-seal-status", cert.getAttribute("data-status"));
    var line = seal.querySelector("[data-seal-checked]");
    var now = today();
    if (!line || !line.hasAttribute("data-rechecked") ||
        parseDay(line.getAttribute("data-checked")) === now) return;
    line.textContent = line.getAttribute("data-rechecked").replace("{today}", dayText(now));
    line.setAttribute("data-rechecked-on", new Date(now).toISOString().slice(0, 10));
  }

  // The photo strip: arrows and dots over its foot, arrow keys, Home and End when it has
  // the focus; a swipe is the browser's own scrolling, snapped to a photo (ocop.css).
  function setUpGallery(box) {
    var track = box.querySelector("[data-gallery-track]");
    var nav = box.querySelector("[data-gallery-nav]");
    if (!track || !nav) return;
    var slides = track.children, last = slides.length - 1;
    var dots = nav.querySelectorAll("[data-gallery-dot]");
    var reduce = window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;
    var frame = 0;
    function at() {
      var i = Math.round(track.scrollLeft / Math.max(1, track.clientWidth));
      return Math.max(0, Math.min(last, i));
    }
    function mark(i) {
      for (var j = 0; j < dots.length; j++) {
        if (j === i) dots[j].setAttribute("aria-current", "true");
        else dots[j].removeAttribute("aria-current");
      }
    }
    function go(i) {
      track.scrollTo({ left: slides[i].offsetLeft, behavior: reduce ? "auto" : "smooth" });
      mark(i);
    }
    track.addEventListener("scroll", function () {
      if (!frame) frame = requestAnimationFrame(function () { frame = 0; mark(at()); });
    }, { passive: true });
    track.addEventListener("keydown", function (e) {
      var i = at();
      if (e.key === "ArrowRight") go(Math.min(last, i + 1));
      else if (e.key === "ArrowLeft") go(Math.max(0, i - 1));
      else if (e.key === "Home") go(0);
      else if (e.key === "End") go(last);
      else return;
      e.preventDefault();
    });
    nav.addEventListener("click", function (e) {
      var button = e.target.closest && e.target.closest("button");
      if (!button) return;
      var i = at();
      if (button.hasAttribute("data-gallery-prev")) go(i === 0 ? last : i - 1);
      else if (button.hasAttribute("data-gallery-next")) go(i === last ? 0 : i + 1);
      else go(+button.getAttribute("data-gallery-dot"));
    });
    nav.hidden = false;
    box.classList.add("is-ready");
  }

  // The passport's other certifications (partials/passport.html): one whose last valid
  // day has passed by the visitor's day says so, as the OCOP seal does.
  function recheckHeld(el) {
    var until = parseDay(el.getAttribute("data-valid-until"));
    if (isNaN(until) || until >= today() || el.getAttribute("data-state") === "expired") return;
    el.setAttribute("data-state", "expired");
    var label = el.querySelector("[data-state-label]");
    if (label) label.textContent = el.getAttribute("data-label-expired");
  }
  var held = document.querySelectorAll("[data-passport-cert]");
  for (var h = 0; h < held.length; h++) recheckHeld(held[h]);

  recheckStars(document);
  var seals = document.querySelectorAll("[data-seal]");
  for (var s = 0; s < seals.length; s++) recheckSeal(seals[s]);
  var galleries = document.querySelectorAll("[data-gallery]");
  for (var g = 0; g < galleries.length; g++) setUpGallery(galleries[g]);
})();

/* ==== Frame (site-frame part): the header's disclosures (search, languages, menu;
 * partials/header.html). They work without this; it keeps one open at a time, closes
 * them on Escape and on a click elsewhere, and puts the cursor in the search box when
 * the search opens. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".site-header details.hd");
  if (!boxes.length) return;
  function closeAll(except) {
    for (var i = 0; i < boxes.length; i++) if (boxes[i] !== except) boxes[i].open = false;
  }
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener("toggle", function () {
      if (!box.open) return;
      closeAll(box);
      var field = box.querySelector("input[type=search]");
      if (field) field.focus();
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].open) {
        boxes[i].open = false;
        boxes[i].querySelector("summary").focus();
      }
    }
  });
  document.addEventListener("click", function (e) {
    var inside = e.target.closest && e.target.closest(".site-header details.hd");
    closeAll(inside);
  });
})();

/* ==== Production lots (lot.html, product.html): a lot's state re-checked against the
 * visitor's day (recalled from the recall's date, expired after the expiry date, else in
 * date), like the certificate seal; and, on a product page reached from a lot's QR code
 * the site has no page for (404.html sends #lot=<code>), "no details for this lot". */
(function () {
  "use strict";
  function day(text) {
    var p = (text || "").split("-");
    return p.length === 3 ? Date.UTC(+p[0], +p[1] - 1, +p[2]) : NaN;
  }
  var now = new Date();
  var today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  var lots = document.querySelectorAll("[data-lot]");
  for (var i = 0; i < lots.length; i++) {
    var lot = lots[i];
    var recalled = day(lot.getAttribute("data-recalled"));
    var expires = day(lot.getAttribute("data-expires"));
    var state = !isNaN(recalled) && recalled <= today ? "recalled"
      : !isNaN(expires) && expires < today ? "expired" : "in_date";
    if (state === lot.getAttribute("data-state")) continue;
    var key = state.replace("_", "-");
    lot.setAttribute("data-state", state);
    lot.className = lot.className.replace(/\blot-(in_date|expired|recalled)\b/, "lot-" + state);
    var label = lot.querySelector("[data-lot-label]");
    var note = lot.querySelector("[data-lot-note]");
    if (label) label.textContent = lot.getAttribute("data-label-" + key);
    if (note) note.textContent = lot.getAttribute("data-note-" + key);
  }
  var notice = document.querySelector("[data-lot-unknown]");
  var m = /^#lot=(.*)$/.exec(location.hash);
  if (notice && m) {
    var code = m[1];
    try { code = decodeURIComponent(code); } catch (err) { /* shown as written */ }
    notice.textContent = notice.getAttribute("data-template").replace("{lot}", function () {
      return code.slice(0, 40);  // a function: "$&" in a lot code stays as written
    });
    notice.hidden = false;
  }
})();
