/*
 * Durations in whole minutes as the console writes them, in the user's language:
 *   en: "45 min", "2 h 05 min", "3 d 4 h"      de: "45 Min.", "2 Std. 05 Min.", "3 Tg. 4 Std."
 * One implementation for the server and the browser: this plain script is a CommonJS module under
 * Node (server/middleware/locale.ts imports it; types in duration.d.ts) and sets
 * window.ReplylineDuration in the browser (static/sla-countdown.js). No build step, no imports.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.ReplylineDuration = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var UNITS = {
    en: { day: 'd', hour: 'h', minute: 'min' },
    de: { day: 'Tg.', hour: 'Std.', minute: 'Min.' },
  };

  /** Minutes (rounded; negative and non-finite count as 0) in the locale's units; unknown locales get English. */
  function formatMinutes(minutes, locale) {
    var unit = UNITS[String(locale || '').slice(0, 2)] || UNITS.en;
    var value = Number(minutes);
    var m = Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
    if (m < 60) return m + ' ' + unit.minute;
    if (m < 1440) return Math.floor(m / 60) + ' ' + unit.hour + ' ' + String(m % 60).padStart(2, '0') + ' ' + unit.minute;
    return Math.floor(m / 1440) + ' ' + unit.day + ' ' + Math.floor((m % 1440) / 60) + ' ' + unit.hour;
  }

  return { formatMinutes: formatMinutes };
});
