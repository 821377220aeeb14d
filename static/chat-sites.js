/* Chat sites in the console: "copy code" copies the embed snippet (falls back to selecting it). No inline scripts (CSP). */
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest && e.target.closest('.copy-snippet');
    if (!button) return;
    var field = document.querySelector(button.getAttribute('data-copy'));
    var status = button.parentNode.querySelector('.copy-status');
    if (!field) return;
    field.focus();
    field.select();
    var done = function () {
      if (status) status.textContent = button.getAttribute('data-copied') || '';
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(field.value).then(done, done);
    else done();
  });
})();
