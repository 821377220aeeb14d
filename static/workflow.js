/* Case workflow in the console: the reply box's live character counter and send guard, and letting
   refused actions (4xx with a reason) show their message where the form asks for it. No inline scripts (CSP). */
(function () {
  'use strict';

  function length(text) {
    return Array.from(text).length;
  }

  function updateComposer(composer) {
    var textarea = composer.querySelector('textarea[name="text"]');
    var counter = composer.querySelector('.counter');
    var blocked = composer.querySelector('.reply-blocked');
    var form = composer.closest('form');
    var send = form && form.querySelector('button[type="submit"]');
    if (!textarea || !counter || !blocked) return;
    var max = Number(composer.getAttribute('data-max-length')) || 0;
    var n = length(textarea.value.trim());
    counter.textContent = max ? n + ' / ' + max : String(n);
    var reason = '';
    if (n === 0) reason = blocked.getAttribute('data-msg-empty') || '';
    else if (max && n > max) reason = blocked.getAttribute('data-msg-over') || '';
    counter.classList.toggle('over-limit', !!(max && n > max));
    counter.classList.toggle('near-limit', !!(max && n <= max && n > max * 0.9));
    blocked.textContent = n === 0 ? '' : reason;
    if (send) {
      send.disabled = reason !== '';
      send.title = reason;
    }
  }

  function updateAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var list = scope.querySelectorAll('.composer');
    for (var i = 0; i < list.length; i++) updateComposer(list[i]);
    if (scope.classList && scope.classList.contains('composer')) updateComposer(scope);
  }

  function onChange(e) {
    var composer = e.target && e.target.closest && e.target.closest('.composer');
    if (composer) updateComposer(composer);
  }
  document.addEventListener('input', onChange);
  document.addEventListener('composer:changed', onChange); // emptied by static/composer.js, not by typing
  document.addEventListener('DOMContentLoaded', function () {
    updateAll(document);
  });
  document.addEventListener('htmx:load', function (e) {
    updateAll(e.target);
  });

  // htmx does not swap 4xx answers by default; forms marked data-swap-errors show the server's reason.
  document.addEventListener('htmx:beforeSwap', function (e) {
    var status = e.detail.xhr && e.detail.xhr.status;
    var elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (status >= 400 && status < 500 && elt && elt.closest && elt.closest('[data-swap-errors]')) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Select-all checkbox for the inbox's bulk actions.
  document.addEventListener('change', function (e) {
    if (!e.target || e.target.id !== 'bulk-all') return;
    var boxes = document.querySelectorAll('input.row-check');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = e.target.checked;
  });
})();
