/* The reply box: a draft per conversation kept in this browser across navigation and reloads (removed once the
   reply is accepted, and all of them at sign-out); the focus back in the box after a canned response, caret at
   the end; emoji at the caret; a busy send button; and when the session ended while the page was open, a
   sign-in in place that keeps the text. Texts come from the page (data-* attributes rendered with t()). */
(function () {
  'use strict';
  var PREFIX = 'replyline:draft:';

  function store() {
    try {
      return window.localStorage;
    } catch (_e) {
      return null;
    }
  }
  function draftKey(composer) {
    var key = composer && composer.getAttribute('data-draft-key');
    return key ? PREFIX + key : null;
  }
  function saveDraft(composer) {
    var key = draftKey(composer);
    var box = composer.querySelector('textarea[name="text"]');
    var s = store();
    if (!key || !box || !s) return;
    if (box.value.trim()) s.setItem(key, box.value);
    else s.removeItem(key);
  }
  function restoreDraft(composer) {
    var key = draftKey(composer);
    var box = composer.querySelector('textarea[name="text"]');
    var s = store();
    if (!key || !box || !s || box.value.trim()) return;
    var draft = s.getItem(key);
    if (!draft) return;
    box.value = draft;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    var note = composer.querySelector('#draft-note');
    if (note) {
      note.textContent = note.getAttribute('data-msg-restored') || '';
      note.hidden = false;
    }
  }
  function focusAtEnd(box) {
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  document.addEventListener('input', function (e) {
    var composer = e.target && e.target.closest && e.target.closest('.composer');
    if (composer && e.target.name === 'text') saveDraft(composer);
  });

  document.addEventListener('htmx:load', function (e) {
    var root = e.target;
    var composers = root.classList && root.classList.contains('composer') ? [root] : root.querySelectorAll ? root.querySelectorAll('.composer') : [];
    for (var i = 0; i < composers.length; i++) {
      var key = draftKey(composers[i]);
      if (key && sending[key] !== undefined) {
        // redrawn by another form's answer while this reply is on its way: not its draft again (it would be sent twice)
        var form = composers[i].closest('form');
        if (form) setBusy(form, true);
        continue;
      }
      restoreDraft(composers[i]);
      saveDraft(composers[i]);
    }
  });

  // A canned response replaced the composer: back into the box, ready to go on typing.
  document.addEventListener('htmx:afterSwap', function (e) {
    var composer = e.detail && e.detail.target;
    if (!composer || composer.id !== 'composer') return;
    var box = document.getElementById('reply-text');
    if (box) focusAtEnd(box);
  });

  // Emoji at the caret.
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest && e.target.closest('button[data-emoji]');
    if (!button) return;
    var composer = button.closest('.composer');
    var box = composer && composer.querySelector('textarea[name="text"]');
    if (!box) return;
    var emoji = button.getAttribute('data-emoji');
    var start = box.selectionStart == null ? box.value.length : box.selectionStart;
    var end = box.selectionEnd == null ? start : box.selectionEnd;
    box.value = box.value.slice(0, start) + emoji + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + emoji.length, start + emoji.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
    var picker = button.closest('details');
    if (picker) picker.open = false;
  });

  // Busy while sending: the button says so and the form is aria-busy (htmx disables the button, hx-disabled-elt).
  function setBusy(form, busy) {
    var button = form.querySelector('button[type="submit"][data-busy-label]');
    form.setAttribute('aria-busy', busy ? 'true' : 'false');
    if (!button) return;
    if (busy) {
      button.setAttribute('data-idle-label', button.textContent);
      button.textContent = button.getAttribute('data-busy-label');
      button.disabled = true;
    } else if (button.hasAttribute('data-idle-label')) {
      button.textContent = button.getAttribute('data-idle-label');
      button.disabled = false;
    }
  }
  function replyFormOf(e) {
    var d = e.detail || {};
    var elt = (d.requestConfig && d.requestConfig.elt) || d.elt; // the form that sent it
    return elt && elt.matches && elt.matches('form[data-reply-form]') ? elt : null;
  }
  // The replies on their way, by draft key: their text. A reply's answer is settled here, when the request ends
  // (before the redrawn composer loads and would restore the draft): the draft goes once the reply is accepted, and
  // comes back into an empty box if it is not; the button is idle again. That holds too when another form's answer
  // redrew the conversation first (a note saved meanwhile) and the reply's answer had no page to go to.
  var sending = {};
  document.addEventListener('htmx:beforeRequest', function (e) {
    var form = replyFormOf(e);
    if (!form) return;
    setBusy(form, true);
    var composer = form.querySelector('.composer');
    var key = draftKey(composer);
    var box = composer && composer.querySelector('textarea[name="text"]');
    if (!key || !box || !e.detail.xhr) return;
    sending[key] = box.value;
    afterAnswer(e.detail.xhr, key, box.value);
  });
  function afterAnswer(xhr, key, sent) {
    xhr.addEventListener('loadend', function () {
      delete sending[key];
      var box = document.getElementById('reply-text');
      var composer = box && box.closest('.composer');
      var s = store();
      if (xhr.status >= 200 && xhr.status < 300 && s && s.getItem(key) === sent) s.removeItem(key); // a draft typed since stays
      if (!composer || draftKey(composer) !== key) return;
      var form = composer.closest('form');
      if (form && form.getAttribute('aria-busy') === 'true') setBusy(form, false);
      if (xhr.status < 200 || xhr.status >= 300) restoreDraft(composer);
      box.dispatchEvent(new CustomEvent('composer:changed', { bubbles: true }));
    });
  }
  document.addEventListener('submit', function (e) {
    if (!e.target.matches || !e.target.matches('form[action="/logout"]')) return;
    var s = store();
    if (!s) return;
    for (var i = s.length - 1; i >= 0; i--) {
      var k = s.key(i);
      if (k && k.indexOf(PREFIX) === 0) s.removeItem(k);
    }
  });

  // The session ended: htmx would follow HX-Redirect to the sign-in page and the typed text would be gone.
  document.addEventListener('htmx:beforeOnLoad', function (e) {
    if (!e.detail.xhr || e.detail.xhr.status !== 401) return;
    var dialog = document.getElementById('signin-again');
    if (!dialog) return;
    e.preventDefault();
    var composer = document.querySelector('.composer');
    if (composer) saveDraft(composer);
    var form = replyFormOf(e);
    if (form) setBusy(form, false);
    if (!dialog.open) dialog.showModal();
    var password = dialog.querySelector('input[type="password"]');
    if (password) password.focus();
  });

  function tokenIn(html, pattern) {
    var m = pattern.exec(html);
    return m ? m[1] : null;
  }
  function signInAgain(form) {
    var dialog = form.closest('dialog');
    var error = form.querySelector('[data-signin-error]');
    var here = window.location.pathname;
    return fetch('/login', { credentials: 'same-origin' })
      .then(function (r) {
        return r.text();
      })
      .then(function (html) {
        var body = new URLSearchParams();
        body.set('_csrf', tokenIn(html, /name="_csrf" value="([^"]+)"/) || '');
        body.set('email', form.elements.email.value);
        body.set('password', form.elements.password.value);
        body.set('next', here);
        return fetch('/login', { method: 'POST', body: body, credentials: 'same-origin' });
      })
      .then(function (r) {
        return r.text().then(function (html) {
          return { ok: r.ok && new URL(r.url).pathname === here, html: html };
        });
      })
      .then(function (result) {
        var token = result.ok && tokenIn(result.html, /"x-csrf-token": "([^"]+)"/);
        if (!token) {
          error.textContent = form.getAttribute('data-msg-failed');
          error.hidden = false;
          return;
        }
        // The new session's token, for htmx's header and every form on the page.
        document.body.setAttribute('hx-headers', JSON.stringify({ 'x-csrf-token': token }));
        var fields = document.querySelectorAll('input[name="_csrf"]');
        for (var i = 0; i < fields.length; i++) fields[i].value = token;
        form.elements.password.value = '';
        error.hidden = true;
        dialog.close();
        var box = document.getElementById('reply-text');
        if (box) focusAtEnd(box);
      })
      .catch(function () {
        error.textContent = form.getAttribute('data-msg-failed');
        error.hidden = false;
      });
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches || !form.matches('form[data-signin-again]')) return;
    e.preventDefault();
    signInAgain(form);
  });
})();
