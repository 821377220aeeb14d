/* The service worker for Web Push (registered by static/push.js): shows an alert's notification — title,
   one line, the alert as its tag so a repeat replaces it — and opens the alert's link in the console on
   click (a console tab already showing it is focused instead). Links outside the console are never opened. */
'use strict';

self.addEventListener('push', function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  if (!data.title) return;
  event.waitUntil(
    self.registration.showNotification(data.title, {
      body: data.body || '',
      tag: data.alertId || undefined,
      data: { url: data.url || '/notifications' },
    }),
  );
});

function consoleLink(url) {
  try {
    var target = new URL(url, self.location.origin);
    return target.origin === self.location.origin ? target.href : self.location.origin + '/notifications';
  } catch {
    return self.location.origin + '/notifications';
  }
}

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = consoleLink(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (tabs) {
      for (var i = 0; i < tabs.length; i++) if (tabs[i].url === target && 'focus' in tabs[i]) return tabs[i].focus();
      return self.clients.openWindow(target);
    }),
  );
});
