/* Web Push on the notifications page: "turn on" asks the browser's permission, registers static/push-sw.js,
   subscribes with the console's VAPID public key and posts the subscription; "turn off" unsubscribes and
   tells the console. Every text comes from the section's data attributes (German or English). */
(function () {
  'use strict';
  var section = document.getElementById('push');
  if (!section) return;
  var state = document.getElementById('push-state');
  var on = document.getElementById('push-on');
  var off = document.getElementById('push-off');
  var csrf = section.getAttribute('data-csrf');
  var SW = '/static/push-sw.js';

  function say(key) {
    state.textContent = section.getAttribute('data-text-' + key) || '';
  }
  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? 'on' : 'off');
  }
  function post(path, fields) {
    var body = new URLSearchParams(fields);
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrf }, body: body }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function keyBytes(base64url) {
    var raw = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function b64(buffer) {
    return btoa(String.fromCharCode.apply(null, new Uint8Array(buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  }
  function registration() {
    return navigator.serviceWorker.register(SW).then(function () {
      return navigator.serviceWorker.getRegistration(SW);
    });
  }

  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say('unsupported');
    return;
  }
  if (Notification.permission === 'denied') say('denied');
  else
    navigator.serviceWorker
      .getRegistration(SW)
      .then(function (reg) {
        return reg ? reg.pushManager.getSubscription() : null;
      })
      .then(function (sub) {
        show(Boolean(sub));
      });

  on.addEventListener('click', function () {
    on.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== 'granted') throw new Error('denied');
        return Promise.all([
          registration(),
          fetch('/push/vapid-public-key', { credentials: 'same-origin' }).then(function (r) {
            return r.json();
          }),
        ]);
      })
      .then(function (got) {
        return got[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(got[1].publicKey) });
      })
      .then(function (sub) {
        return post('/push-subscriptions', { endpoint: sub.endpoint, p256dh: b64(sub.getKey('p256dh')), auth: b64(sub.getKey('auth')) });
      })
      .then(function () {
        show(true);
      })
      .catch(function (err) {
        say(err && err.message === 'denied' ? 'denied' : 'failed');
      })
      .then(function () {
        on.disabled = false;
      });
  });

  off.addEventListener('click', function () {
    off.disabled = true;
    navigator.serviceWorker
      .getRegistration(SW)
      .then(function (reg) {
        return reg ? reg.pushManager.getSubscription() : null;
      })
      .then(function (sub) {
        if (!sub) return null;
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () {
          return post('/push-subscriptions/remove', { endpoint: endpoint });
        });
      })
      .then(function () {
        show(false);
      })
      .catch(function () {
        say('failed');
      })
      .then(function () {
        off.disabled = false;
      });
  });
})();
