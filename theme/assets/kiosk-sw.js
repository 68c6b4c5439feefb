/* ocop-catalog: service worker of the sales-point kiosks.
 * The build copies this file to kiosk/sw.js, so its scope is the kiosk folder: it
 * controls the kiosk pages and nothing else of the site.
 *
 * - On the first load (and every later load) a kiosk page posts the list of what it
 *   needs: the page, its style and script, the version file, every slide's photo and QR
 *   code. They are stored in the page's own cache ("ocop-kiosk:<point>"); content-hashed
 *   photos already there are not fetched again, and entries no longer listed are
 *   dropped, so the cache follows the catalog.
 * - Pages and JSON: network first (a few seconds at most), the cache when the network
 *   is down, and the cache refreshed from each good answer.
 * - Everything else: the cache first, the network for what is not there.
 * Requests to other hosts and other methods than GET are left alone. */
"use strict";

var PREFIX = "ocop-kiosk:";
var NETWORK_TIMEOUT = 5000;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "precache" || typeof data.cache !== "string" ||
      data.cache.indexOf(PREFIX) !== 0 || !Array.isArray(data.urls)) return;
  var urls = data.urls.filter(sameOrigin);
  var fresh = Array.isArray(data.fresh) ? data.fresh : [];
  event.waitUntil(precache(data.cache, urls, fresh).then(function (count) {
    return reply(event, { type: "cached", cache: data.cache, count: count });
  }, function (error) {
    return reply(event, { type: "cache-failed", cache: data.cache, message: String(error) });
  }));
});

function sameOrigin(url) {
  try {
    return new URL(url, self.location.href).origin === self.location.origin;
  } catch (e) {
    return false;
  }
}

function reply(event, message) {
  if (event.source && event.source.postMessage) event.source.postMessage(message);
}

function precache(name, urls, fresh) {
  return caches.open(name).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      var refresh = fresh.indexOf(url) >= 0;
      return (refresh ? Promise.resolve(null) : cache.match(url, { ignoreVary: true }))
        .then(function (hit) {
          if (hit) return true;
          return fetch(url, { cache: "no-cache", credentials: "same-origin" })
            .then(function (response) {
              if (!response.ok) return false;
              return cache.put(url, response).then(function () { return true; });
            }, function () {
              return cache.match(url, { ignoreVary: true }).then(Boolean);
            });
        });
    })).then(function (stored) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          return urls.indexOf(request.url) < 0;
        }).map(function (request) { return cache.delete(request); }));
      }).then(function () {
        return stored.filter(Boolean).length;
      });
    });
  });
}

/* The kiosk cache a page or JSON file of the kiosk folder belongs to. */
function kioskCache(url) {
  var scope = self.registration.scope;
  if (url.indexOf(scope) !== 0) return null;
  var point = url.slice(scope.length).split("/")[0];
  return point ? PREFIX + decodeURIComponent(point) : null;
}

function fromCache(request) {
  return caches.match(request, { ignoreSearch: true, ignoreVary: true });
}

function networkFirst(request) {
  var network = fetch(request);
  var timeout = new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("timeout")); }, NETWORK_TIMEOUT);
  });
  return Promise.race([network, timeout]).then(function (response) {
    if (!response.ok) {
      return fromCache(request).then(function (hit) { return hit || response; });
    }
    var name = kioskCache(request.url.split("?")[0]);
    if (name) {
      var copy = response.clone();
      caches.has(name).then(function (exists) {
        if (exists) {
          return caches.open(name).then(function (cache) {
            return cache.put(request.url.split("?")[0], copy);
          });
        }
      }).catch(function () {});
    }
    return response;
  }, function () {
    return fromCache(request).then(function (hit) { return hit || network; });
  });
}

function cacheFirst(request) {
  return fromCache(request).then(function (hit) {
    return hit || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) return;
  var path = new URL(request.url).pathname;
  if (request.mode === "navigate" || /\.json$/.test(path)) {
    event.respondWith(networkFirst(request));
  } else {
    event.respondWith(cacheFirst(request));
  }
});
