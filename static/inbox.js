/* The inbox workspace: keeps the list and the open conversation in step. The URL names the open conversation
   (/inbox/<id>?<filters>, pushed by htmx), the list marks its row, and filter changes keep it open.
   No inline scripts (CSP). */
(function () {
  'use strict';

  function openId() {
    var m = /^\/inbox\/([0-9a-f-]{36})$/.exec(location.pathname);
    return m ? m[1] : null;
  }

  /** Marks the row of the open conversation (aria-current) and no other. */
  function markOpenRow() {
    var id = openId();
    var links = document.querySelectorAll('#inbox-list .row-link');
    for (var i = 0; i < links.length; i++) {
      var row = links[i].closest('.row');
      if (row && id && row.getAttribute('data-conversation-id') === id) links[i].setAttribute('aria-current', 'true');
      else links[i].removeAttribute('aria-current');
    }
  }

  // Filters reload the list at the current address, so the open conversation stays open and in the URL.
  document.addEventListener('htmx:configRequest', function (e) {
    var elt = e.detail.elt;
    if (elt && elt.id === 'inbox-filters' && openId()) e.detail.path = location.pathname;
  });

  /** The bulk bar shows only the fields its chosen action needs. */
  function showBulkFields() {
    var action = document.getElementById('bulk-action');
    if (!action) return;
    var fields = document.querySelectorAll('#bulk-form [data-bulk-for]');
    for (var i = 0; i < fields.length; i++) fields[i].hidden = fields[i].getAttribute('data-bulk-for') !== action.value;
  }

  document.addEventListener('change', function (e) {
    if (e.target && e.target.id === 'bulk-action') showBulkFields();
  });
  document.addEventListener('click', function (e) {
    if (!e.target.closest || !e.target.closest('[data-bulk-cancel]')) return;
    var result = document.getElementById('bulk-result');
    if (result) result.textContent = '';
    var apply = document.getElementById('bulk-apply');
    if (apply) apply.focus();
  });
  document.addEventListener('DOMContentLoaded', showBulkFields);
  // The question replaces nothing the user typed; its "yes" gets focus so Enter confirms and Tab reaches "cancel".
  document.addEventListener('htmx:afterSettle', function (e) {
    var confirm = e.detail.target && e.detail.target.id === 'bulk-result' && document.getElementById('bulk-confirm');
    if (confirm) confirm.focus();
  });
  // Done: the ticks were for that action, so the rows are unticked (until then a live refresh of the list keeps
  // them, static/kept-edits.js). A refusal, one for some of the rows, or the question before closing leaves them.
  document.addEventListener('htmx:afterSwap', function (e) {
    var result = e.detail.target;
    if (!result || result.id !== 'bulk-result' || !result.querySelector('.bulk-done') || result.querySelector('.alert')) return;
    var boxes = document.querySelectorAll('input.row-check, #bulk-all, #bulk-scope');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = false;
  });
  // The list refreshes on live events at most once a second, and not while a refresh is on its way: an event
  // htmx drops then (the last post of a burst) would wait for the next one. The list is asked again once, a
  // moment after. htmx:trigger comes before htmx:sseMessage for an event that is acted on.
  var listActed = false;
  var trailing = null;
  document.addEventListener('htmx:trigger', function (e) {
    if (e.target && e.target.id === 'inbox-list') listActed = !e.target.classList.contains('htmx-request');
  });
  document.addEventListener('htmx:sseMessage', function (e) {
    if (!e.target || e.target.id !== 'inbox-list') return;
    if (!listActed) refreshListLater();
    listActed = false;
  });
  function refreshListLater() {
    if (trailing) return;
    trailing = setTimeout(function () {
      trailing = null;
      var list = document.getElementById('inbox-list');
      if (!list) return;
      if (list.classList.contains('htmx-request')) refreshListLater();
      else {
        window.htmx.trigger(list, 'sse:conversation');
        listActed = false;
      }
    }, 1100);
  }
  // The language switch returns to the page being shown, which htmx may have changed since it was rendered.
  document.addEventListener('submit', function (e) {
    var back = e.target && e.target.classList && e.target.classList.contains('locale-switch') && e.target.querySelector('input[name="back"]');
    if (back && /^\/inbox(\/|\?|$)/.test(location.pathname)) back.value = location.pathname + location.search;
  });
  // "Weitere laden" replaces itself with the next rows: the first of them gets focus, so a keyboard user goes on
  // where the list grew instead of starting again at the top of the page. Other swaps (live list updates) may
  // settle in between; they neither take nor lose this focus.
  var pendingMore = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    if (target && target.classList && target.classList.contains('more')) pendingMore = { more: target, before: target.previousElementSibling };
  });
  document.addEventListener('htmx:afterSettle', function () {
    if (!pendingMore || pendingMore.more.isConnected) return;
    var first = pendingMore.before && pendingMore.before.isConnected ? pendingMore.before.nextElementSibling : null;
    pendingMore = null;
    var link = first && (first.querySelector('.row-link') || first.querySelector('button'));
    if (link) link.focus();
  });
  document.addEventListener('htmx:afterSettle', markOpenRow);
  window.addEventListener('popstate', function () {
    setTimeout(markOpenRow, 0);
  });
})();
