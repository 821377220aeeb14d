/*
 * The calendar editor on /settings/sla: "+ Interval" (and "+ Closure", "+ Extra opening") adds one more
 * empty row to its group by copying the last one. Without JavaScript every group still ends in one
 * empty row, so a manager adds one row per save. The only number in a row's labels is its position.
 */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('[data-add-row]') : null;
    if (!button) return;
    var rows = button.parentElement.querySelector('.rows');
    var last = rows && rows.lastElementChild;
    if (!last) return;
    var copy = last.cloneNode(true);
    var position = rows.children.length + 1;
    copy.querySelectorAll('input').forEach(function (input) {
      input.value = '';
      var label = input.getAttribute('aria-label');
      if (label) input.setAttribute('aria-label', label.replace(/\d+/, String(position)));
    });
    copy.querySelectorAll('.overnight').forEach(function (hint) {
      hint.remove();
    });
    rows.appendChild(copy);
    var first = copy.querySelector('input');
    if (first) first.focus();
  });
})();
