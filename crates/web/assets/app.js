// chuishao pages: progressive help only. Every page and form works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  // The request form's map: a click picks the community under it and the point itself.
  var map = document.querySelector('svg.map[data-lon0]');
  if (map) {
    var form = map.closest('form');
    var lat = form.querySelector('input[name=lat]');
    var lon = form.querySelector('input[name=lon]');
    var list = form.querySelector('select[name=community_code]');
    var said = document.getElementById('map-picked');
    var pin = map.querySelector('.pin');
    var num = function (k) { return parseFloat(map.getAttribute('data-' + k)); };
    var mark = function (code) {
      var old = map.querySelector('.picked');
      if (old) { old.classList.remove('picked'); }
      var path = code ? map.querySelector('path[data-code="' + code + '"]') : null;
      if (path) { path.classList.add('picked'); }
      return path;
    };
    map.addEventListener('click', function (e) {
      var path = e.target.closest ? e.target.closest('path[data-code]') : null;
      var ctm = map.getScreenCTM();
      if (!path || !ctm) { return; }
      var pt = map.createSVGPoint();
      pt.x = e.clientX;
      pt.y = e.clientY;
      var p = pt.matrixTransform(ctm.inverse());
      lon.value = (num('lon0') + p.x / num('kx')).toFixed(6);
      lat.value = (num('lat0') - p.y / num('ky')).toFixed(6);
      pin.setAttribute('cx', p.x.toFixed(1));
      pin.setAttribute('cy', p.y.toFixed(1));
      list.value = path.getAttribute('data-code');
      mark(list.value);
      said.textContent = (said.getAttribute('data-prefix') || '') + path.getAttribute('data-name');
    });
    // Choosing from the list forgets a point clicked before.
    list.addEventListener('change', function () {
      lat.value = '';
      lon.value = '';
      pin.setAttribute('cx', '-40');
      pin.setAttribute('cy', '-40');
      var path = mark(list.value);
      said.textContent = path ? (said.getAttribute('data-prefix') || '') + path.getAttribute('data-name') : '';
    });
    mark(list.value);
  }

  // A form is sent once: the button waits while the page loads (unless a script sends it).
  document.addEventListener('submit', function (e) {
    if (e.defaultPrevented) { return; }
    var button = e.target.querySelector('button[type=submit]');
    if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
  });

  // Countdowns keep counting while the page stays open: the words come from the page (its
  // language), the time from the server's clock as the page was made (data-served-at), so a
  // phone or desk clock set wrong does not shift them. Without this the page shows the time
  // left as of its loading.
  var clockWords = document.getElementById('clock-words');
  var ticks = document.querySelectorAll('.tick[data-due]');
  var served = parseInt(document.body.getAttribute('data-served-at'), 10);
  if (clockWords && ticks.length && served > 0) {
    var skew = Date.now() - served;
    var fill = function (pattern, parts) {
      return pattern.replace(/\{(\w)\}/g, function (_, k) { return String(parts[k]); });
    };
    // As the server words it (ui/whistles.rs span_words): time left rounds up, time past down.
    var spanWords = function (seconds) {
      var over = seconds < 0;
      var minutes = over ? Math.floor(-seconds / 60) : Math.ceil(seconds / 60);
      var parts = { d: Math.floor(minutes / 1440), h: Math.floor(minutes / 60) % 24, m: minutes % 60 };
      var key = minutes < 60 ? 'm' : minutes < 2880 ? 'hm' : 'dh';
      if (key === 'hm') { parts.h = Math.floor(minutes / 60); }
      return fill(clockWords.getAttribute('data-' + (over ? 'over-' : 'left-') + key) || '', parts);
    };
    var tick = function () {
      var now = Date.now() - skew;
      Array.prototype.forEach.call(ticks, function (t) {
        var seconds = Math.trunc((parseInt(t.getAttribute('data-due'), 10) - now) / 1000);
        var words = spanWords(seconds);
        if (words && t.textContent !== words) { t.textContent = words; }
        var box = t.closest('.countdown') || t.closest('td');
        if (box && seconds < 0) { box.classList.add(box.tagName === 'TD' ? 'warn' : 'late'); }
      });
    };
    window.setInterval(tick, 20000);
    // A tab brought back to view (a phone unlocked) shows the time at once.
    document.addEventListener('visibilitychange', function () { if (!document.hidden) { tick(); } });
  }

  // Signing out forgets the liaison pages kept on this phone (see sw.js); forms waiting in the
  // outbox stay, bound to their user, and are sent after the next sign-in.
  var logout = document.querySelector('form[action="/logout"]');
  if (logout && window.caches) {
    logout.addEventListener('submit', function () {
      window.caches.keys().then(function (keys) {
        keys.forEach(function (k) { if (k.indexOf('chuishao-liaison-') === 0) { window.caches.delete(k); } });
      });
    });
  }
})();
