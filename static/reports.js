/* Replyline reports: draws every <canvas data-chart> with Chart.js (config comes as JSON in the
   attribute, never as inline script), drills down on a point click, keeps presets and dates in step,
   and prints. Runs again after every htmx swap. */
(function () {
  'use strict';

  function draw(root) {
    if (typeof window.Chart === 'undefined') return;
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return;
      var config;
      try {
        config = JSON.parse(canvas.getAttribute('data-chart'));
      } catch (_e) {
        return;
      }
      var options = config.options || {};
      var drill = options.drill;
      delete options.drill;
      // numbers on axes and in tooltips in the page's language (55,9 on a German page), not the browser's
      options.locale = document.documentElement.lang === 'en' ? 'en-GB' : 'de-DE';
      options.responsive = true;
      options.maintainAspectRatio = false;
      options.animation = false;
      options.interaction = { mode: 'nearest', intersect: false, axis: 'x' };
      if (drill) {
        options.onClick = function (_event, elements) {
          var hit = elements && elements[0];
          if (hit && drill[hit.index]) window.location.href = drill[hit.index];
        };
        options.onHover = function (event, elements) {
          event.native.target.style.cursor = elements && elements.length ? 'pointer' : 'default';
        };
      }
      config.options = options;
      new window.Chart(canvas, config);
    });
  }

  document.addEventListener(
    'change',
    function (event) {
      var el = event.target;
      if (el.matches && el.matches('.report-filters input[data-date]')) {
        var preset = el.form.querySelector('[data-preset]');
        if (preset) preset.value = '';
      }
    },
    true,
  );

  document.addEventListener('click', function (event) {
    var el = event.target;
    if (el.closest && el.closest('[data-print]')) window.print();
  });

  document.addEventListener('DOMContentLoaded', function () {
    draw(document);
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    draw(event.target || document);
  });
  window.addEventListener('beforeprint', function () {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach(function (c) {
      c.resize();
    });
  });
})();
