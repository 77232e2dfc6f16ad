// Copy buttons for the bank transfer block (issue G.2). The page works
// without this file: every number is selectable text with a hint how to
// copy it. With it, each number gets a button that copies it and says so in
// the block's status line. The words come from the page (the section's
// data- attributes), so they are in the debtor's language.
(function () {
  'use strict';
  // Without the clipboard API (an old browser, or http outside localhost)
  // a button could not keep its promise: leave the selectable text alone.
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  document.querySelectorAll('section.transfer').forEach(function (block) {
    var status = block.querySelector('.copied');
    var label = block.getAttribute('data-copy-button');
    if (!status || !label) {
      return;
    }
    function say(text) {
      // Empty first: the same words twice in a row are announced again.
      status.textContent = '';
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
    block.querySelectorAll('output.copy').forEach(function (out) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary copy-button';
      b.textContent = label;
      // Four buttons say the same word: the name also says which number,
      // and starts with the visible word (WCAG 2.5.3, label in name).
      var dd = out.closest('dd');
      var dt = dd && dd.previousElementSibling;
      if (dt && dt.tagName === 'DT') {
        b.setAttribute('aria-label', label + ': ' + dt.textContent.trim());
      }
      b.addEventListener('click', function () {
        var text = out.textContent.trim();
        // The IBAN is shown in groups of four; a bank's form wants it whole.
        if (out.id === 'transfer-iban') {
          text = text.replace(/\s+/g, '');
        }
        navigator.clipboard.writeText(text).then(function () {
          say(block.getAttribute('data-copy-done'));
        }, function () {
          // Refused (no permission): select the number so it can be copied by hand.
          var sel = window.getSelection();
          sel.selectAllChildren(out);
          say(block.getAttribute('data-copy-failed'));
        });
      });
      out.insertAdjacentElement('afterend', b);
    });
  });
}());
