/* On every page: the tab title shows the unread count of the bell; an SLA or ringing-chat toast also becomes a browser
   notification when the user allowed them (the header's button asks once); the conversation's header and
   action bar, refreshed on live events, are not swapped away under a user who is working in them; the thread keeps
   the earlier messages an agent opened; a table
   that scrolls in its own box can be scrolled from the keyboard. */
(function () {
  'use strict';
  var baseTitle = null;

  function showUnread() {
    if (baseTitle === null) baseTitle = document.title;
    var count = document.getElementById('bell-count');
    var n = count ? Number(count.textContent) || 0 : 0;
    document.title = n ? '(' + n + ') ' + baseTitle : baseTitle;
  }

  function permissionButton() {
    var button = document.getElementById('notify-permission');
    if (!button) return;
    button.hidden = !('Notification' in window) || window.Notification.permission !== 'default';
  }

  document.addEventListener('click', function (e) {
    if (!e.target || !e.target.closest || !e.target.closest('#notify-permission') || !('Notification' in window)) return;
    window.Notification.requestPermission().then(permissionButton);
  });

  document.addEventListener('htmx:afterSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (!target) return;
    if (target.id === 'bell') showUnread();
  });

  // A toast that arrived on the live stream (htmx-ext-sse swaps it in) also goes to the desktop, if allowed.
  document.addEventListener('htmx:sseMessage', function (e) {
    if (!e.target || e.target.id !== 'sla-toasts' || !('Notification' in window) || window.Notification.permission !== 'granted') return;
    var toast = e.target.querySelector('.toast span');
    if (toast) new window.Notification(toast.textContent);
  });

  // "Besucher tippt …" (a website chat's visitor typing, HTML on the live stream) fades when no new sign comes for 6 s.
  var typingTimer = null;
  document.addEventListener('htmx:sseMessage', function (e) {
    var target = e.target;
    if (!target || !target.hasAttribute || !target.hasAttribute('data-chat-typing')) return;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      target.textContent = '';
    }, 6000);
  });

  document.addEventListener('htmx:load', function (e) {
    if (e.target && (e.target.id === 'bell' || (e.target.querySelector && e.target.querySelector('#bell')))) showUnread();
  });

  // The live header is not swapped while the user works in it (a half-typed tag, an open select); the next event refreshes it.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (target && target.id === 'conv-live' && target.contains(document.activeElement) && document.activeElement !== document.body) e.detail.shouldSwap = false;
  });

  // The thread, re-read on a live event, comes back from its oldest shown message on: the earlier messages an agent
  // opened stay open.
  document.addEventListener('htmx:configRequest', function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || elt.id !== 'thread') return;
    var oldest = elt.querySelector('.msg[data-message-id]');
    if (oldest) e.detail.parameters.from = oldest.getAttribute('data-message-id');
  });

  // A wide table scrolls in its own box on a phone (app.css): keyboard users must be able to scroll it too.
  function scrollableTables() {
    var tables = document.querySelectorAll('.page table');
    for (var i = 0; i < tables.length; i++) {
      if (tables[i].scrollWidth > tables[i].clientWidth + 1) tables[i].setAttribute('tabindex', '0');
      else if (tables[i].getAttribute('tabindex') === '0') tables[i].removeAttribute('tabindex');
    }
  }
  document.addEventListener('htmx:load', scrollableTables);
  window.addEventListener('resize', scrollableTables);

  document.addEventListener('DOMContentLoaded', function () {
    showUnread();
    permissionButton();
    scrollableTables();
  });
})();
