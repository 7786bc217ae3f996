// chuishao liaison pages: the visit outbox. A visit form filled with no network — or whose
// sending fails — is kept on this phone with its idempotency key and CSRF token, and sent when
// the phone is back online (on the `online` event, on every liaison page load, or by the button).
// The server records a form once per key, so sending it again is harmless. Kept forms belong to
// the user who filled them and are sent only under that user. Without this file (or without
// fetch / localStorage) the form simply posts.
(function () {
  'use strict';
  var STORE = 'chuishao.outbox.v1';
  var box = document.getElementById('outbox');
  if (!box || !window.fetch || !window.localStorage || !window.URLSearchParams || !window.FormData) { return; }
  var user = box.getAttribute('data-user') || '';
  var flash = '';
  var busy = false;

  // The service worker keeps the form and the offline page (browsers allow it on https and
  // localhost only; elsewhere the outbox still works on an open form).
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/liaison' }).catch(function () {});
  }

  function words(k) { return box.getAttribute('data-' + k) || ''; }
  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }
  function save(items) {
    try { localStorage.setItem(STORE, JSON.stringify(items)); return true; } catch (e) { return false; }
  }
  function update(key, change) {
    var items = load();
    for (var i = 0; i < items.length; i++) {
      if (items[i].key === key) { change(items[i]); }
    }
    // Sent ones are remembered, without their content, until a page has said where they went.
    save(items.filter(function (x) { return x.state !== 'gone'; }));
  }
  function mine(state) {
    return load().filter(function (x) { return x.user === user && (!state || x.state === state); });
  }

  function el(tag, text, attrs) {
    var n = document.createElement(tag);
    if (text) { n.textContent = text; }
    for (var k in attrs || {}) { n.setAttribute(k, attrs[k]); }
    return n;
  }

  function render() {
    var pending = mine('pending');
    var failed = mine('failed');
    var sent = mine('sent');
    box.textContent = '';
    if (flash) { box.appendChild(el('p', flash, { 'class': 'outbox-flash' })); }
    if (pending.length) {
      var p = el('p', words('pending').replace('%n', String(pending.length)), { id: 'outbox-pending' });
      box.appendChild(p);
      var b = el('button', words('send-now'), { type: 'button' });
      b.addEventListener('click', function () { flush(); });
      box.appendChild(b);
    }
    if (failed.length) {
      box.appendChild(el('p', words('failed'), { 'class': 'field-error' }));
      var ul = el('ul');
      failed.forEach(function (x) {
        var li = el('li', words('sent-one').replace('%d', x.day) + (x.message ? '：' + x.message : ''));
        var d = el('button', words('discard'), { type: 'button', 'class': 'link' });
        d.addEventListener('click', function () { update(x.key, function (y) { y.state = 'gone'; }); render(); });
        li.appendChild(document.createTextNode(' '));
        li.appendChild(d);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (sent.length) {
      box.appendChild(el('p', words('sent')));
      var list = el('ul');
      sent.forEach(function (x) {
        var li = el('li');
        li.appendChild(el('a', words('sent-one').replace('%d', x.day), { href: x.url }));
        list.appendChild(li);
      });
      box.appendChild(list);
      // Said once: the next page no longer lists them.
      sent.forEach(function (x) { update(x.key, function (y) { y.state = 'gone'; }); });
    }
    box.hidden = !(flash || pending.length || failed.length || sent.length);
  }

  function isVisit(url) { return /\/liaison\/visits\/[^\/?]+(\?|$)/.test(url) && !/\/new(\?|$)/.test(url); }
  function isLogin(url) { return /\/login(\?|$)/.test(url); }

  function post(fields, signal) {
    var body = new URLSearchParams();
    fields.forEach(function (f) { body.append(f[0], f[1]); });
    var init = { method: 'POST', body: body, credentials: 'same-origin' };
    if (signal) { init.signal = signal; }
    return fetch('/liaison/visits', init);
  }

  // The token of the session now (a form kept across a new login carries the old one).
  function freshToken() {
    return fetch('/liaison/visits/new', { credentials: 'same-origin' }).then(function (res) {
      if (res.redirected && isLogin(res.url)) { return null; }
      return res.text().then(function (html) {
        var m = /name="_csrf" value="([^"]+)"/.exec(html);
        return m ? m[1] : null;
      });
    });
  }

  function withToken(fields, token) {
    return fields.map(function (f) { return f[0] === '_csrf' ? ['_csrf', token] : f; });
  }

  function messageOf(res) {
    return res.text().then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var n = doc.querySelector('#form-errors ul') || doc.querySelector('main p');
      return n ? n.textContent.replace(/\s+/g, ' ').trim() : String(res.status);
    });
  }

  // Sends one kept form; settles its state: sent, failed (needs changes), or still pending.
  function sendOne(x, retried) {
    return post(x.fields).then(function (res) {
      if (res.redirected && isVisit(res.url)) {
        update(x.key, function (y) { y.state = 'sent'; y.url = res.url; y.fields = []; y.at = Date.now(); });
        return 'sent';
      }
      if (res.redirected && isLogin(res.url)) { return 'login'; }
      if (res.status === 403 && !retried) {
        return freshToken().then(function (token) {
          if (!token) { return 'login'; }
          x.fields = withToken(x.fields, token);
          update(x.key, function (y) { y.fields = x.fields; });
          return sendOne(x, true);
        });
      }
      if (res.status >= 400 && res.status < 500) {
        return messageOf(res).then(function (m) {
          update(x.key, function (y) { y.state = 'failed'; y.message = m; });
          return 'failed';
        });
      }
      return 'pending';
    }, function () { return 'offline'; });
  }

  function flush() {
    if (busy || navigator.onLine === false) { return; }
    var queue = mine('pending');
    if (!queue.length) { render(); return; }
    busy = true;
    flash = words('sending');
    render();
    var next = function (i) {
      if (i >= queue.length) { return Promise.resolve(''); }
      return sendOne(queue[i]).then(function (r) {
        return r === 'login' || r === 'offline' ? r : next(i + 1);
      });
    };
    next(0).then(function (r) {
      busy = false;
      flash = r === 'login' ? words('login') : '';
      render();
    });
  }

  // ---- the visit form ----------------------------------------------------------------------

  function uuid() {
    var c = window.crypto || window.msCrypto;
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) {
      c.getRandomValues(b);
    } else {
      for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); }
    }
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // The server's day, told by the server's clock rather than the phone's (a phone whose clock
  // runs ahead would date a visit after the server's today, which it refuses). Each page says
  // when the server made it; the smallest gap between that and the phone's clock at load seen
  // over the last days is the phone's skew — a copy kept by the service worker shows a larger
  // gap, never a smaller one. Days are Beijing's (UTC+8, no summer time), as the server's are.
  var SKEW = 'chuishao.skew.v1';
  var skew = (function () {
    var served = parseInt(document.body.getAttribute('data-served-at'), 10);
    var now = Date.now();
    var seen;
    try { seen = JSON.parse(localStorage.getItem(SKEW)) || []; } catch (e) { seen = []; }
    seen = seen.filter(function (x) { return x.at <= now && now - x.at < 3 * 864e5; });
    if (served > 0) { seen.push({ at: now, gap: now - served }); }
    seen = seen.slice(-50);
    try { localStorage.setItem(SKEW, JSON.stringify(seen)); } catch (e) { /* full: keep going */ }
    return seen.reduce(function (m, x) { return Math.min(m, x.gap); }, seen.length ? Infinity : 0);
  })();
  function serverDay() {
    return new Date(Date.now() - skew + 8 * 3600e3).toISOString().slice(0, 10);
  }

  var form = document.querySelector('form[data-outbox=visit]');
  if (form) {
    var button = form.querySelector('button[type=submit]');
    var fresh = function () {
      // Every form shown is a new form (the page may come from the phone's copy).
      form.elements.idempotency_key.value = uuid();
      // A copy kept yesterday says yesterday: today is the default.
      var day = form.elements.visited_on;
      var then = day.getAttribute('data-today');
      var now = serverDay();
      if (then && now > then) {
        if (day.value === then) { day.value = now; }
        day.max = now;
      }
    };
    fresh();
    var wanted = new URLSearchParams(window.location.search).get('household');
    var pick = form.elements.household_id;
    if (wanted && pick.value !== wanted) {
      for (var i = 0; i < pick.options.length; i++) {
        if (pick.options[i].value === wanted) { pick.selectedIndex = i; }
      }
    }
    // Writing in a section ticks its box: what is written there is meant to be sent.
    Array.prototype.forEach.call(form.querySelectorAll('details.raise'), function (d) {
      var box = d.querySelector('input[type=checkbox]');
      d.addEventListener('input', function (e) {
        if (e.target !== box && e.target.value) { box.checked = true; }
      });
    });

    var keepForm = function () {
      var fields = [];
      new FormData(form).forEach(function (v, k) { fields.push([k, String(v)]); });
      var key = form.elements.idempotency_key.value;
      var items = load().filter(function (x) { return x.key !== key; });
      items.push({ key: key, user: user, fields: fields, day: form.elements.visited_on.value || serverDay(), state: 'pending', at: Date.now() });
      if (!save(items)) { form.submit(); return; }
      form.reset();
      fresh();
      flash = words('saved');
      render();
      button.disabled = false;
      window.scrollTo(0, 0);
    };

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (navigator.onLine === false) { keepForm(); return; }
      button.disabled = true;
      var ctl = window.AbortController ? new AbortController() : null;
      var timer = ctl ? window.setTimeout(function () { ctl.abort(); }, 30000) : 0;
      var fields = [];
      new FormData(form).forEach(function (v, k) { fields.push([k, String(v)]); });
      post(fields, ctl && ctl.signal).then(function (res) {
        window.clearTimeout(timer);
        if (res.redirected && isVisit(res.url)) { window.location.assign(res.url); return; }
        if (res.redirected && isLogin(res.url)) { keepForm(); flash = words('login'); render(); return; }
        // A form with messages, a refusal: the browser sends it itself and shows the answer
        // (nothing was written, and the key guards against a double write).
        form.submit();
      }, function () {
        window.clearTimeout(timer);
        keepForm();
      });
    });
  }

  window.addEventListener('online', flush);
  render();
  flush();
})();
