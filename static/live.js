/* On every page: the tab title shows the unread count of the bell; an SLA or ringing-chat toast also becomes a browser
   notification when the user allowed them (the header's button asks once); the conversation's header and
   action bar, refreshed on live events, are not swapped away under a user who is working in them; the thread keeps
   the earlier messages an agent opened; a table that scrolls in its own box can be scrolled from the keyboard. */
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

  // The thread, re-read on a live event or once the conversation is redrawn after an action, comes back from the
  // oldest message the agent had open on: the earlier messages she opened stay open. "Earlier messages" and these
  // re-reads take turns (hx-sync on its button), so neither answer is swapped over the other.
  var keptFrom = null; // the oldest message shown before #conversation-main was redrawn: { path, id }
  function oldestShown(thread) {
    var oldest = thread && thread.querySelector('.msg[data-message-id]');
    return oldest ? oldest.getAttribute('data-message-id') : null;
  }
  document.addEventListener('htmx:configRequest', function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || elt.id !== 'thread') return;
    var path = elt.getAttribute('hx-get');
    var from = keptFrom && keptFrom.path === path ? keptFrom.id : oldestShown(elt);
    keptFrom = null;
    if (from) e.detail.parameters.from = from;
  });
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail && e.detail.target;
    if (!target || target.id !== 'conversation-main') return;
    var thread = document.getElementById('thread');
    var id = oldestShown(thread);
    keptFrom = id ? { path: thread.getAttribute('hx-get'), id: id } : null;
  });

  // "autofocus" did its work when the earlier messages came in; kept, it would pull the focus again when the browser's
  // back button brings the page back from htmx's history.
  document.addEventListener('htmx:afterSettle', function () {
    var focused = document.querySelectorAll('#thread [autofocus]');
    for (var i = 0; i < focused.length; i++) focused[i].removeAttribute('autofocus');
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
