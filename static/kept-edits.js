/* What a person has typed or picked and not sent survives a swap. The conversation's forms all answer with the
   whole conversation, and lists refresh themselves on live events: a close reason half typed while a reply was
   on its way, a note, rows ticked for a bulk action would be gone. Before a swap, every field changed in the
   part being replaced is noted; after it, the same field (same form action and field names, same name, value
   for boxes, same place among its twins) gets it back, unless the page now starts it from something else (a
   colleague assigned the case meanwhile: the news wins). The focus and caret stay where the person was typing.
   Not kept: a form whose own answer is on its way (its answer says what it holds now) and the reply box
   (static/composer.js keeps its draft). No inline scripts (CSP). */
(function () {
  'use strict';
  var NOT_KEPT = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  var pending = null;

  function isBox(el) {
    return el.type === 'checkbox' || el.type === 'radio';
  }
  /** What the field holds now, and what the page started it with (a select without a chosen option shows its first). */
  function state(el, initial) {
    if (isBox(el)) return initial ? el.defaultChecked : el.checked;
    if (el.tagName !== 'SELECT') return initial ? el.defaultValue : el.value;
    var picked = [];
    for (var i = 0; i < el.options.length; i++) if (initial ? el.options[i].defaultSelected : el.options[i].selected) picked.push(el.options[i].value);
    if (initial && !picked.length && !el.multiple && el.options.length) picked.push(el.options[0].value);
    return picked.join('\n');
  }
  function setState(el, value) {
    if (isBox(el)) el.checked = value;
    else if (el.tagName !== 'SELECT') el.value = value;
    else {
      var picked = value.split('\n');
      for (var i = 0; i < el.options.length; i++) el.options[i].selected = picked.indexOf(el.options[i].value) >= 0;
    }
  }

  /** Forms with one action differ by their fields (the status forms: save for later, close, reopen). */
  function formKey(form) {
    var names = [];
    for (var i = 0; i < form.elements.length; i++) {
      var name = form.elements[i].name;
      if (name && names.indexOf(name) < 0) names.push(name);
    }
    return (form.getAttribute('action') || '') + ' ' + names.sort().join(',');
  }
  /** The fields of root that may be kept, each with a key that finds it again in the new content. */
  function fields(root) {
    var list = root.querySelectorAll('input[name], textarea[name], select[name]');
    var forms = [];
    var formKeys = [];
    var seen = {};
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (NOT_KEPT[el.type] || el.closest('.composer')) continue;
      var at = el.form ? forms.indexOf(el.form) : -1;
      if (el.form && at < 0) {
        forms.push(el.form);
        formKeys.push(formKey(el.form));
        at = forms.length - 1;
      }
      var key = (at < 0 ? '' : formKeys[at]) + ' ' + el.name + ' ' + (isBox(el) ? el.value : '');
      seen[key] = (seen[key] || 0) + 1;
      out.push({ key: key + ' ' + seen[key], el: el });
    }
    return out;
  }
  // A form whose answer is on its way, and the part of the page that answer replaces.
  var answering = new WeakMap();
  document.addEventListener('htmx:beforeRequest', function (e) {
    if (e.detail.elt && e.detail.elt.tagName === 'FORM') answering.set(e.detail.elt, e.detail.target);
  });
  /** The field's own form is on its way and its answer redraws the field (the bulk form answers elsewhere: its row boxes stay). */
  function answeredByOwnForm(el) {
    if (!el.form || !el.form.classList.contains('htmx-request')) return false;
    var into = answering.get(el.form);
    return !into || into.contains(el);
  }

  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    pending = null;
    if (!target || !target.querySelectorAll) return;
    var kept = {};
    var focus = null;
    var any = false;
    fields(target).forEach(function (f) {
      if (answeredByOwnForm(f.el)) return;
      if (f.el === document.activeElement) focus = { key: f.key, start: f.el.selectionStart, end: f.el.selectionEnd };
      var now = state(f.el, false);
      var initial = state(f.el, true);
      if (now === initial) return;
      kept[f.key] = { value: now, initial: initial };
      any = true;
    });
    if (any || focus) pending = { xhr: e.detail.xhr, target: target, kept: kept, focus: focus };
  });

  function restore(p, root) {
    fields(root).forEach(function (f) {
      var k = p.kept[f.key];
      var typing = p.focus && p.focus.key === f.key;
      if (k && state(f.el, true) === k.initial) setState(f.el, k.value);
      if (!k && !typing) return;
      var fold = f.el.closest('details'); // a step being added: its fold stays open
      if (fold) fold.open = true;
      if (!typing) return;
      var lost = !document.activeElement || document.activeElement === document.body;
      if (document.activeElement !== f.el && !lost) return;
      f.el.focus({ preventScroll: true });
      try {
        if (p.focus.start !== null) f.el.setSelectionRange(p.focus.start, p.focus.end);
      } catch (_e) {
        // a field without a caret (a select, a date)
      }
    });
  }
  document.addEventListener('htmx:afterSwap', function (e) {
    var p = pending;
    if (!p || e.detail.xhr !== p.xhr) return; // another swap (the live stream's, a refused one's leftover)
    pending = null;
    // outerHTML takes the old part out of the page; innerHTML swaps into it
    restore(p, p.target.isConnected ? p.target : (p.target.id && document.getElementById(p.target.id)) || e.target);
  });
  document.addEventListener('htmx:afterRequest', function (e) {
    if (pending && e.detail.xhr === pending.xhr) pending = null; // answered without a swap
  });
})();
