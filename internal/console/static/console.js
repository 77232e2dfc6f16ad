// Keyboard shortcuts for the console's work queue (issue G.8): j and k move
// through the requests, Enter opens the chosen one, / jumps to the search
// box. Every page works without this file; keys typed into a field, or
// with Ctrl, Alt or Cmd, are left alone.
(function () {
  'use strict';
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) {
      return;
    }
    if (e.key === '/') {
      var q = document.getElementById('find-q');
      if (q) {
        e.preventDefault();
        q.focus();
        q.select();
      }
      return;
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll('table[data-keys=queue] tbody tr'));
    if (!rows.length) {
      return;
    }
    var cur = document.querySelector('table[data-keys=queue] tbody tr.current');
    var i = rows.indexOf(cur);
    if (e.key === 'j' || e.key === 'k') {
      e.preventDefault();
      var n = i < 0 ? 0 : (e.key === 'j' ? Math.min(i + 1, rows.length - 1) : Math.max(i - 1, 0));
      if (cur) {
        cur.classList.remove('current');
        cur.removeAttribute('aria-current');
      }
      rows[n].classList.add('current');
      rows[n].setAttribute('aria-current', 'true');
      // Focus the row's link: screen readers say the debtor, and Enter opens it.
      var link = rows[n].querySelector('a');
      if (link) {
        link.focus();
      }
      rows[n].scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' && cur && e.target === document.body) {
      var a = cur.querySelector('a');
      if (a) {
        e.preventDefault();
        a.click();
      }
    }
  });
})();
