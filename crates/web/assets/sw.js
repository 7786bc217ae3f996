// chuishao: the liaison pages' service worker (scope /liaison), so that a liaison at a door with
// no network can still open the visit form. What it keeps, and nothing else:
//  - the stylesheet and scripts (content-hashed; no personal data);
//  - /liaison/offline: a page without personal data, shown for any liaison page while offline;
//  - /liaison/visits/new: the visit form. Its household choices show masked names and addresses
//    only (李** · 十字坡社区*号楼*单元*), as every page does; the copy is replaced on each online
//    visit, not served once older than a day, and dropped at logout.
// Due visits, households, results and recorded visits are never kept: they need the network.
'use strict';
var CACHE = 'chuishao-liaison-__VERSION__';
var ASSETS = __ASSETS__;
var FORM = '/liaison/visits/new';
var OFFLINE = '/liaison/offline';
var DAY = 24 * 3600 * 1000;
var HOUR = 3600 * 1000;

function age(res) {
  var at = Number(res.headers.get('x-kept-at'));
  return at ? Date.now() - at : 0;
}

// Keeps a page with the time it was kept.
function keep(cache, url, res) {
  return res.blob().then(function (body) {
    var headers = new Headers(res.headers);
    headers.set('x-kept-at', String(Date.now()));
    return cache.put(url, new Response(body, { status: 200, headers: headers }));
  });
}

// Fetches a page to keep: kept when it is the page itself; forgotten when the visitor was sent
// to the login page (signed out).
function fetchPage(cache, url) {
  return fetch(url, { credentials: 'same-origin' }).then(function (res) {
    if (res.ok && !res.redirected) {
      return keep(cache, url, res.clone()).then(function () { return res; });
    }
    if (res.redirected) { return cache.delete(url).then(function () { return res; }); }
    return res;
  });
}

// A kept copy, unless it is the form and older than a day.
function kept(url) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url).then(function (res) {
      if (res && url === FORM && age(res) > DAY) {
        return cache.delete(url).then(function () { return null; });
      }
      return res || null;
    });
  });
}

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      var pages = [OFFLINE, FORM].map(function (u) { return fetchPage(cache, u).catch(function () {}); });
      return Promise.all(pages);
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf('chuishao-liaison-') === 0 && k !== CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// While online, the kept form is renewed at most once an hour (its token and households change).
function renew() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(FORM).then(function (res) {
      if (!res || age(res) > HOUR) { return fetchPage(cache, FORM).catch(function () {}); }
    });
  });
}

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') { return; }
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    e.respondWith(kept(url.pathname).then(function (res) { return res || fetch(req); }));
    return;
  }
  if (req.mode !== 'navigate' || url.pathname.indexOf('/liaison') !== 0) { return; }
  var isForm = url.pathname === FORM;
  var isOffline = url.pathname === OFFLINE;
  e.respondWith(caches.open(CACHE).then(function (cache) {
    // The network first; a copy only when there is none.
    var net = isForm && !url.search ? fetchPage(cache, FORM) : isOffline ? fetchPage(cache, OFFLINE) : fetch(req);
    return net.then(function (res) {
      if (!isForm) { e.waitUntil(renew()); }
      return res;
    }, function () {
      return (isForm ? kept(FORM) : Promise.resolve(null)).then(function (res) {
        return res || kept(OFFLINE);
      }).then(function (res) { return res || Response.error(); });
    });
  }));
});
