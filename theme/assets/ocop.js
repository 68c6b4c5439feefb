/* ocop-catalog: small enhancements for catalog pages (no dependencies).
 * 1. Re-check every OCOP certificate status against the visitor's date, so a
 *    page built months ago still says "expired" once the date has passed.
 * 2. Filter product listings by category, stars, area, price and validity.
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

  function statusOf(el) {
    var now = today();
    var revoked = parseDay(el.getAttribute("data-revoked"));
    if (!isNaN(revoked) && revoked <= now) return "revoked";
    var until = parseDay(el.getAttribute("data-valid-until"));
    if (isNaN(until)) return el.getAttribute("data-status");
    if (until < now) return "expired";
    var window = +(el.getAttribute("data-expiring-days") || 180);
    return (until - now) / DAY <= window ? "expiring" : "valid";
  }

  function recheck(el) {
    var old = el.getAttribute("data-status");
    var status = statusOf(el);
    if (status === old) return;
    el.setAttribute("data-status", status);
    el.className = el.className.replace("status-" + old, "status-" + status);
    var label = el.querySelector("[data-status-label]");
    if (label && el.hasAttribute("data-label-" + status)) {
      label.textContent = el.getAttribute("data-label-" + status);
      label.className = label.className.replace("status-" + old, "status-" + status);
    }
    var note = el.querySelector("[data-status-note]");
    if (note && el.hasAttribute("data-note-" + status)) {
      note.textContent = el.getAttribute("data-note-" + status);
    }
  }

  function recheckCards() {
    var cards = document.querySelectorAll(".card[data-valid-until]");
    for (var i = 0; i < cards.length; i++) {
      var card = cards[i], old = card.getAttribute("data-status"), status = statusOf(card);
      if (status === old) continue;
      card.setAttribute("data-status", status);
      var label = card.querySelector("[data-status-label]");
      // The words for the new status: on <body> (base.html) or a certificate block.
      var cert = document.querySelector("[data-label-" + status + "]");
      if (label) {
        label.className = label.className.replace("status-" + old, "status-" + status);
        if (cert) label.textContent = cert.getAttribute("data-label-" + status);
      }
    }
  }

  function setUpFilters(form) {
    var list = form.parentNode.querySelector("[data-listing]");
    if (!list) return;
    var cards = list.querySelectorAll(".card");
    var empty = form.parentNode.querySelector("[data-empty]");
    var shown = form.querySelector(".shown");
    function apply() {
      var f = form.elements, count = 0;
      var category = f.category ? f.category.value : "", stars = f.stars ? f.stars.value : "";
      var area = f.area ? f.area.value : "", price = f.price ? +f.price.value : 0;
      var valid = f.valid && f.valid.checked;
      for (var i = 0; i < cards.length; i++) {
        var c = cards[i], d = c.getAttribute.bind(c);
        var ok = (!category || d("data-category") === category) &&
          (!stars || d("data-stars") === stars) &&
          (!area || d("data-area") === area) &&
          (!price || (d("data-price") !== "" && +d("data-price") <= price)) &&
          (!valid || d("data-status") === "valid" || d("data-status") === "expiring");
        c.hidden = !ok;
        if (ok) count++;
      }
      if (empty) empty.hidden = count > 0;
      if (shown) {
        shown.textContent = shown.getAttribute("data-shown-template")
          .replace("{shown}", count).replace("{total}", cards.length);
      }
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
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
