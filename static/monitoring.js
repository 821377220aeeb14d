/* Replyline monitoring dashboard: downloads the chart as a PNG (the canvas on a white ground, via
   toBlob, as a real file download), and shows the dashboard in the browser's time zone when none was
   chosen (a link from the navigation carries none). */
(function () {
  'use strict';

  function downloadPng(button) {
    var canvas = document.getElementById(button.getAttribute('data-chart-png'));
    if (!canvas) return;
    var out = document.createElement('canvas');
    out.width = canvas.width;
    out.height = canvas.height;
    var ctx = out.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    out.toBlob(function (blob) {
      if (!blob) return;
      var url = URL.createObjectURL(blob);
      var link = document.createElement('a');
      link.href = url;
      link.download = button.getAttribute('data-filename') || 'chart.png';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () {
        URL.revokeObjectURL(url);
      }, 1000);
    }, 'image/png');
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-chart-png]');
    if (button) downloadPng(button);
  });

  function useBrowserZone() {
    var form = document.querySelector('form[data-zone-chosen="false"]');
    var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
    var select = form && form.querySelector('select[name="timeZone"]');
    if (!select || !zone || select.value === zone) return;
    form.setAttribute('data-zone-chosen', 'true');
    if (
      ![].some.call(select.options, function (o) {
        return o.value === zone;
      })
    ) {
      var option = document.createElement('option');
      option.value = zone;
      option.textContent = zone;
      select.insertBefore(option, select.firstChild);
    }
    select.value = zone;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }

  document.addEventListener('htmx:load', function () {
    useBrowserZone();
  });
})();
