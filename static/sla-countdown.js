/*
 * Counts down the remaining business time of every element with data-due-at (inbox rows), every 30 s.
 * The server renders the business minutes left (data-remaining) and whether the calendar is open right
 * now (data-open): while open, the remaining time shrinks with the clock; while closed it holds still.
 * Past the due time the element shows how long it is overdue. Lists re-render on live events, which
 * refreshes the server's numbers. Also closes SLA toasts ([data-dismiss-toast]). Durations are written
 * by static/duration.js, the same code the server renders them with.
 */
(function () {
  'use strict';
  var loadedAt = Date.now();

  // The one duration format (static/duration.js, loaded before this script), in the page's language.
  function fmt(minutes) {
    return window.ReplylineDuration.formatMinutes(minutes, document.documentElement.lang);
  }

  function update(el) {
    if (!el.hasAttribute('data-rendered-at')) el.setAttribute('data-rendered-at', String(Date.now()));
    var now = Date.now();
    var due = Date.parse(el.getAttribute('data-due-at'));
    var remaining = Number(el.getAttribute('data-remaining'));
    var elapsed = (now - Number(el.getAttribute('data-rendered-at'))) / 60000;
    var texts = el.closest('[data-tpl-left]'); // the list carries the texts once for all its rows
    var tplLeft = (texts && texts.getAttribute('data-tpl-left')) || '{time}';
    var tplOverdue = (texts && texts.getAttribute('data-tpl-overdue')) || '-{time}';
    if (now >= due) {
      el.textContent = tplOverdue.replace('{time}', fmt((now - due) / 60000));
      el.classList.add('overdue');
      return;
    }
    var left = el.getAttribute('data-open') === '1' ? remaining - elapsed : remaining;
    el.textContent = tplLeft.replace('{time}', fmt(left));
  }

  function tick() {
    var els = document.querySelectorAll('[data-due-at]');
    for (var i = 0; i < els.length; i++) update(els[i]);
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest('[data-dismiss-toast]') : null;
    if (button && button.parentElement) button.parentElement.remove();
  });
  document.addEventListener('htmx:afterSwap', tick);
  document.addEventListener('DOMContentLoaded', tick);
  setInterval(tick, 30000);
  void loadedAt;
})();
