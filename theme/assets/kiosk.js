/* ocop-catalog: the sales-point kiosk (kiosk/<point>/).
 * 1. Shows one slide at a time and moves on every data-seconds seconds (?seconds=N
 *    overrides it); arrow keys, Page Up/Down and space step through, P pauses, F goes
 *    full screen; on a touch screen a swipe steps and a tap on the left or right third
 *    goes back or on.
 * 2. Hides a product once its OCOP certificate has run out by the screen's date (the
 *    page may run for months without a reload); where expired products are shown
 *    (include_expired), greys their stars instead.
 * 3. Registers the kiosk service worker (scope: the kiosk folder) and asks it to cache
 *    the page, its style and script and every slide's photo and QR code, so the
 *    screen keeps working when the network drops; checks data-version-url every
 *    data-check-minutes minutes and when the network comes back (a few times, as a
 *    returning network is often shaky), and reloads when the catalog has changed.
 * 4. Signage mode (data-signage, the kiosk option signage: true; ?signage=1 or
 *    ?signage=0 in the URL decides for one screen): no buttons on the screen and no
 *    pointer; keys and touch still work.
 * No dependencies, no requests to other hosts. */
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk]");
  if (!root) return;
  var doc = document.documentElement;  // has class "js" from kiosk.html's head

  var DAY = 86400000;
  var slides = Array.prototype.slice.call(root.querySelectorAll("[data-slide]"));
  var counter = root.querySelector("[data-counter]");
  var progress = root.querySelector("[data-progress]");
  var empty = root.querySelector("[data-empty]");
  var offlineNote = root.querySelector("[data-offline]");
  var controls = root.querySelector("[data-controls]");
  var pauseButton = root.querySelector('[data-action="pause"]');
  var params = new URLSearchParams(location.search);
  var seconds = parseFloat(params.get("seconds") || root.getAttribute("data-seconds")) || 8;
  seconds = Math.max(1, seconds);
  var hideExpired = root.hasAttribute("data-hide-expired");
  var signageParam = params.get("signage");
  var signage = signageParam === null ? root.hasAttribute("data-signage")
    : signageParam !== "0" && signageParam !== "false";
  if (signage) doc.classList.add("kiosk-signage");
  var current = -1;
  var timer = null;
  var paused = false;

  // -- which slides may be shown --------------------------------------------

  function day(text) {
    var p = (text || "").split("-");
    return p.length === 3 ? Date.UTC(+p[0], +p[1] - 1, +p[2]) : NaN;
  }

  function today() {
    var now = new Date();
    return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function usable(slide) {
    if (!hideExpired) return true;
    var now = today();
    var revoked = day(slide.getAttribute("data-revoked"));
    if (!isNaN(revoked) && revoked <= now) return false;
    var until = day(slide.getAttribute("data-valid-until"));
    return isNaN(until) || until >= now;
  }

  function shown() {
    return slides.filter(usable);
  }

  // The stars of a slide whose certificate has run out by the screen's date: grey and
  // struck through (kiosk.css), as everywhere else.
  function restar(slide) {
    var stars = slide.querySelector(".stars[data-stars-status]");
    if (!stars) return;
    var now = today();
    var revoked = day(slide.getAttribute("data-revoked"));
    var until = day(slide.getAttribute("data-valid-until"));
    if (!isNaN(revoked) && revoked <= now) stars.setAttribute("data-stars-status", "revoked");
    else if (!isNaN(until) && until < now) stars.setAttribute("data-stars-status", "expired");
  }

  // -- showing ----------------------------------------------------------------

  function show(index) {
    var list = shown();
    if (empty) empty.hidden = list.length > 0;
    slides.forEach(function (s) {
      s.classList.remove("is-active");
      s.setAttribute("aria-hidden", "true");
    });
    if (!list.length) {
      current = -1;
      if (counter) counter.textContent = "0";
      return;
    }
    current = ((index % list.length) + list.length) % list.length;
    var slide = list[current];
    restar(slide);
    slide.classList.add("is-active");
    slide.removeAttribute("aria-hidden");
    var img = slide.querySelectorAll("img");
    for (var i = 0; i < img.length; i++) img[i].loading = "eager";
    var next = list[(current + 1) % list.length].querySelectorAll("img");
    for (var j = 0; j < next.length; j++) next[j].loading = "eager";
    if (counter) counter.textContent = (current + 1) + " / " + list.length;
    root.setAttribute("data-current", slide.id);
    schedule();
  }

  function step(by) {
    var list = shown();
    var active = slides.filter(function (s) { return s.classList.contains("is-active"); })[0];
    var at = active ? list.indexOf(active) : -1;
    show((at < 0 ? current : at) + by);
  }

  function schedule() {
    clearTimeout(timer);
    if (progress) {
      progress.classList.remove("is-running");
      progress.style.transitionDuration = "0s";
      void progress.offsetWidth; // restart the bar
    }
    if (paused || current < 0) return;
    if (progress) {
      progress.style.transitionDuration = seconds + "s";
      progress.classList.add("is-running");
    }
    timer = setTimeout(function () { step(1); }, seconds * 1000);
  }

  function setPaused(value) {
    paused = value;
    if (pauseButton) {
      pauseButton.setAttribute("aria-pressed", String(paused));
      var label = pauseButton.getAttribute(paused ? "data-label-play" : "data-label-pause");
      pauseButton.setAttribute("aria-label", label);
      pauseButton.title = label;
    }
    schedule();
  }

  function fullscreen() {
    var el = document.documentElement;
    if (document.fullscreenElement) {
      if (document.exitFullscreen) document.exitFullscreen().catch(function () {});
    } else if (el.requestFullscreen) {
      el.requestFullscreen().catch(function () {});
    }
  }

  // -- keyboard, touch, buttons ------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " " ||
        key === "Spacebar") {
      if (event.target && event.target.tagName === "BUTTON" && key === " ") return;
      step(1);
    } else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      step(-1);
    } else if (key === "p" || key === "P" || key === "MediaPlayPause") {
      setPaused(!paused);
    } else if (key === "f" || key === "F") {
      fullscreen();
    } else {
      return;
    }
    event.preventDefault();
  });

  var touch = null;
  var area = root.querySelector("[data-slides]");
  if (area) {
    area.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) { touch = null; return; }
      touch = { x: event.touches[0].clientX, y: event.touches[0].clientY };
    }, { passive: true });
    area.addEventListener("touchend", function (event) {
      if (!touch) return;
      var t = event.changedTouches[0];
      var dx = t.clientX - touch.x;
      var dy = t.clientY - touch.y;
      touch = null;
      if (Math.abs(dx) > 40 && Math.abs(dx) > Math.abs(dy)) {
        step(dx < 0 ? 1 : -1); // swipe left: next
      } else if (Math.abs(dx) < 15 && Math.abs(dy) < 15) {
        step(t.clientX < window.innerWidth / 3 ? -1 : 1); // tap
      }
      event.preventDefault(); // no synthetic click after a handled touch
    });
    area.addEventListener("click", function (event) {
      step(event.clientX < window.innerWidth / 3 ? -1 : 1);
    });
  }

  if (controls && !signage) {
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-action]") : null;
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "next") step(1);
      else if (action === "prev") step(-1);
      else if (action === "pause") setPaused(!paused);
      else if (action === "fullscreen") fullscreen();
    });
  }

  // Hide the pointer when nobody moves it.
  var idle = null;
  function awake() {
    doc.classList.remove("kiosk-idle");
    clearTimeout(idle);
    idle = setTimeout(function () { doc.classList.add("kiosk-idle"); }, 4000);
  }
  document.addEventListener("mousemove", awake, { passive: true });
  awake();

  // -- offline: the service worker ------------------------------------------------

  function absolute(url) {
    return new URL(url, location.href).href;
  }

  function page() {
    return location.href.split("#")[0].split("?")[0];
  }

  var versionUrl = root.getAttribute("data-version-url");

  function precacheList() {
    var urls = [page()];
    var fresh = [page()];
    if (versionUrl) { urls.push(absolute(versionUrl)); fresh.push(absolute(versionUrl)); }
    var links = document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"]');
    for (var i = 0; i < links.length; i++) {
      urls.push(links[i].href);
      fresh.push(links[i].href);
    }
    var scripts = document.querySelectorAll("script[src]");
    for (var j = 0; j < scripts.length; j++) {
      urls.push(scripts[j].src);
      fresh.push(scripts[j].src);
    }
    var images = root.querySelectorAll("img[src]");
    for (var k = 0; k < images.length; k++) urls.push(absolute(images[k].getAttribute("src")));
    return { urls: urls, fresh: fresh };
  }

  function ready(count) {
    root.setAttribute("data-offline-ready", String(count));
  }

  if ("serviceWorker" in navigator && root.getAttribute("data-sw")) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "cached" && data.cache === root.getAttribute("data-cache")) {
        ready(data.count);
      }
    });
    navigator.serviceWorker.register(root.getAttribute("data-sw"), {
      scope: root.getAttribute("data-scope") || "./"
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var worker = registration.active;
      if (!worker) return;
      var list = precacheList();
      worker.postMessage({ type: "precache", cache: root.getAttribute("data-cache"),
                           urls: list.urls, fresh: navigator.onLine ? list.fresh : [] });
    }).catch(function () { /* no worker (private mode, file://): the page still works */ });
  }

  // -- picking up changes ------------------------------------------------------------

  function showOffline() {
    if (offlineNote) offlineNote.hidden = navigator.onLine;
  }

  function checkVersion() {
    if (!versionUrl || !navigator.onLine || !window.fetch) return;
    fetch(versionUrl, { cache: "no-store" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.version && data.version !== root.getAttribute("data-version")) {
        location.reload();
      }
    }).catch(function () { /* still offline, or a flaky network: try again later */ });
  }

  // A network that comes back is often shaky at first: look again a few times.
  var retries = [];
  function checkSoon() {
    retries.forEach(clearTimeout);
    retries = [0, 5, 15, 30, 60].map(function (s) { return setTimeout(checkVersion, s * 1000); });
  }

  window.addEventListener("online", function () { showOffline(); checkSoon(); });
  window.addEventListener("offline", showOffline);
  showOffline();
  var minutes = parseFloat(root.getAttribute("data-check-minutes")) || 5;
  setInterval(checkVersion, minutes * 60000);

  // A slide whose certificate ran out while the screen was on is left out at the next
  // step (shown() re-checks the day); when none is left, the hourly check says so.
  setInterval(function () {
    if (!shown().length) show(0);
  }, 3600000);

  show(0);
  // fade between slides from now on (not while the first one appears)
  setTimeout(function () { doc.classList.add("kiosk-ready"); }, 50);
})();
