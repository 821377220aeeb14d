/* Keyboard shortcuts of the console (the ? key lists them): j/k next/previous conversation, Enter open,
   r reply, Ctrl/⌘+Enter send, Shift+Ctrl/⌘+Enter send and close, a assign to me, e close, / search, Esc leave a field.
   Single keys are off while typing in a field; the send combinations work in the reply box. After every
   action focus lands where the work goes on. No inline scripts (CSP). */
(function () {
  'use strict';

  function isTyping(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
    if (tag !== 'input') return false;
    var type = (el.getAttribute('type') || 'text').toLowerCase();
    return ['checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(type) < 0;
  }

  function visible(el) {
    return !!el && el.getClientRects().length > 0;
  }

  function rowLinks() {
    return Array.prototype.slice.call(document.querySelectorAll('#inbox-list .row-link'));
  }

  /** The row the keyboard is on: the focused one, else the open conversation's. */
  function currentRow(links) {
    var focused = links.indexOf(document.activeElement);
    if (focused >= 0) return focused;
    for (var i = 0; i < links.length; i++) if (links[i].getAttribute('aria-current') === 'true') return i;
    return -1;
  }

  function focusEl(el) {
    if (!el) return false;
    if (!el.hasAttribute('tabindex') && !/^(a|button|input|select|textarea)$/i.test(el.tagName)) el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: false });
    if (el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
    return document.activeElement === el;
  }

  /** j/k: the next or previous row gets focus; on a phone, where the list is hidden behind the conversation, it opens. */
  function move(step) {
    var links = rowLinks();
    if (!links.length) return;
    var at = currentRow(links);
    var next = links[Math.max(0, Math.min(links.length - 1, at < 0 ? 0 : at + step))];
    if (visible(next)) focusEl(next);
    else next.click();
  }

  /** After a conversation was closed: back to the list, on the row after the closed one (or the pane's back link on a phone). */
  function focusListAfterClose() {
    var links = rowLinks();
    var at = currentRow(links);
    var target = links[at + 1] || links[at] || links[0];
    if (target && visible(target)) return focusEl(target);
    var back = document.querySelector('.pane-back');
    if (visible(back)) return focusEl(back);
    return focusEl(document.querySelector('#conversation-main h1'));
  }

  function focusReply() {
    var box = document.getElementById('reply-text');
    if (!box) return false;
    focusEl(box);
    box.setSelectionRange(box.value.length, box.value.length);
    return true;
  }

  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled) el.click();
    return !!el;
  }

  /** Sends the reply form through its own Send button (disabled while the reply cannot be sent), closing it too if asked. */
  function send(andClose) {
    var button = document.getElementById('reply-send');
    var flag = document.getElementById('reply-and-close');
    if (!button || button.disabled || (andClose && !flag)) return;
    if (flag) flag.value = andClose ? '1' : '';
    button.click();
  }

  function toggleHelp() {
    var dialog = document.getElementById('kbd-help');
    if (!dialog) return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.isComposing) return;
    var mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Enter' && mod) {
      if (!e.target.closest || !e.target.closest('form.reply')) return;
      e.preventDefault();
      send(e.shiftKey);
      return;
    }
    var menu = document.querySelector('.navmenu[open]');
    if (e.key === 'Escape' && menu) {
      // Esc closes an open menu and gives focus back to its button.
      menu.open = false;
      menu.querySelector('summary').focus();
      e.preventDefault();
      return;
    }
    if (e.key === 'Escape' && isTyping(e.target) && !e.target.closest('dialog')) {
      // Esc leaves the field, so the single-key shortcuts work again: to the conversation, else to the list.
      var links = rowLinks();
      if (!focusEl(document.querySelector('#conversation-main h1')) && links.length) focusEl(links[Math.max(0, currentRow(links))]);
      return;
    }
    if (mod || e.altKey || isTyping(e.target)) return;
    if (document.querySelector('dialog[open]') && e.key !== '?') return;
    var handled = true;
    switch (e.key) {
      case 'j':
        move(1);
        break;
      case 'k':
        move(-1);
        break;
      case 'r':
        handled = focusReply();
        break;
      case 'a':
        handled = click('assign-me');
        break;
      case 'e':
        handled = click('close-conv');
        break;
      case '/':
        handled = focusEl(document.getElementById('inbox-search'));
        break;
      case '?':
        toggleHelp();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });

  document.addEventListener('click', function (e) {
    if (!e.target.closest) return;
    // a click anywhere else closes an open menu (settings, the person's menu)
    document.querySelectorAll('.navmenu[open]').forEach(function (menu) {
      if (!menu.contains(e.target)) menu.open = false;
    });
    if (e.target.closest('[data-kbd-help]')) toggleHelp();
    if (e.target.closest('[data-send-close]')) send(true);
  });

  // A live refresh that swaps away the element with focus would leave it on the page body: to the same message of
  // the thread when it is there again (htmx itself finds elements with an id), else back to the reply box (or the
  // conversation's heading) so the agent can go on from the keyboard. Remembered per swap target: one live event
  // re-reads the thread, the reply window and the head at once, and their swaps and settles interleave.
  var focusTaken = new WeakMap(); // swap target → the id of the thread message that had the focus, or ''
  // Typing in another form than the one that was sent (a note while the reply goes out): the focus stays there
  // (static/kept-edits.js gives the redrawn field its text, focus and caret back).
  var typingElsewhere = false;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    var active = document.activeElement;
    var sent = e.detail.requestConfig && e.detail.requestConfig.elt;
    var focusInSwap = !!target && active !== document.body && target.contains(active);
    if (focusInSwap) {
      var message = active.closest ? active.closest('.msg[data-message-id]') : null;
      focusTaken.set(target, message ? message.getAttribute('data-message-id') : '');
    } else if (target) {
      focusTaken.delete(target); // a swap that was cancelled (live.js keeps #conv-live under a user) never settles
    }
    if (target && target.id === 'conversation-main') {
      typingElsewhere = focusInSwap && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && !(sent && sent.contains && sent.contains(active));
    }
  });
  document.addEventListener('htmx:afterSettle', function (e) {
    var target = e.detail.target;
    if (!target || !focusTaken.has(target)) return;
    var focusedMessage = focusTaken.get(target);
    focusTaken.delete(target);
    if (typingElsewhere && target.id === 'conversation-main') return; // decided below
    if (document.activeElement && document.activeElement !== document.body) return;
    var message = focusedMessage && document.querySelector('#thread .msg[data-message-id="' + focusedMessage + '"]');
    if (message && focusEl(message)) return;
    if (!focusReply()) focusEl(document.querySelector('#conversation-main h1'));
  });

  // Which button sent a form (htmx swaps the form away, so remember it before).
  var lastSubmitter = null;
  document.addEventListener('submit', function (e) {
    lastSubmitter = e.submitter || null;
  });

  // The list refreshes itself on live events: the row that had focus keeps it (or the row now at its place).
  var listFocus = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    var target = e.detail.target;
    if (!target || target.id !== 'inbox-list') return;
    var links = rowLinks();
    var at = links.indexOf(document.activeElement);
    listFocus = at < 0 ? null : { id: links[at].closest('.row').getAttribute('data-conversation-id'), at: at };
  });
  document.addEventListener('htmx:afterSettle', function (e) {
    if (!listFocus || !e.detail.target || e.detail.target.id !== 'inbox-list') return;
    var links = rowLinks();
    var same = document.querySelector('#inbox-list .row[data-conversation-id="' + listFocus.id + '"] .row-link');
    var target = same || links[Math.min(listFocus.at, links.length - 1)];
    listFocus = null;
    if (target) focusEl(target);
  });

  // After settling: htmx gives swapped-in elements their old attributes until then (for transitions).
  document.addEventListener('htmx:afterSettle', function (e) {
    var target = e.detail.target;
    if (!target) return;
    if (target.id === 'conversation-pane') {
      focusEl(target.querySelector('#conversation-main h1'));
      return;
    }
    if (target.id === 'composer') {
      focusReply(); // a canned response was inserted: go on typing
      return;
    }
    if (target.id !== 'conversation-main') return; // the page's own forms answer with the whole fragment (outerHTML)
    var main = document.getElementById('conversation-main');
    if (!main || !main.isConnected) return;
    var sender = lastSubmitter;
    lastSubmitter = null;
    var active = document.activeElement;
    if (typingElsewhere && active && active !== document.body && main.contains(active)) return;
    var status = document.getElementById('conv-status');
    if (status && status.classList.contains('pill-closed') && sender && (sender.id === 'reply-send' || sender.id === 'close-conv')) {
      focusListAfterClose();
      return;
    }
    if (sender && sender.id === 'reply-send') {
      focusReply();
      return;
    }
    var again = sender && sender.id ? document.getElementById(sender.id) : null;
    if (!(again && visible(again) && focusEl(again))) focusEl(main.querySelector('h1'));
  });
})();
