// CaseDesk review page: keyboard navigation of the queue (j/k, Enter) and live due countdowns.
// No framework, no inline script (the page's CSP forbids it).
(function () {
  'use strict';

  function fmt(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) return s + 's';
    var m = Math.floor(s / 60);
    if (m < 60) return m + 'm';
    var h = Math.floor(m / 60);
    if (h < 48) return h + 'h ' + (m % 60) + 'm';
    return Math.floor(h / 24) + 'd ' + (h % 24) + 'h';
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-due]').forEach(function (el) {
      var due = Date.parse(el.getAttribute('data-due'));
      if (isNaN(due)) return;
      var left = due - now;
      el.textContent = (left < 0 ? 'overdue ' : 'in ') + fmt(left);
      var row = el.closest('tr');
      if (row) row.classList.toggle('overdue', left < 0);
    });
  }

  function keynav() {
    var table = document.querySelector('[data-keynav]');
    if (!table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-href]'));
    if (rows.length === 0) return;
    var at = 0;
    function select(i) {
      rows[at].classList.remove('selected');
      rows[at].removeAttribute('aria-selected');
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add('selected');
      rows[at].setAttribute('aria-selected', 'true');
      rows[at].scrollIntoView({ block: 'nearest' });
    }
    select(0);
    rows.forEach(function (row, i) {
      row.addEventListener('click', function (e) {
        if (e.target.closest('a')) return;
        select(i);
        window.location.href = row.getAttribute('data-href');
      });
    });
    document.addEventListener('keydown', function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var t = e.target;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
      if (e.key === 'j') { select(at + 1); e.preventDefault(); }
      else if (e.key === 'k') { select(at - 1); e.preventDefault(); }
      else if (e.key === 'Enter') { window.location.href = rows[at].getAttribute('data-href'); e.preventDefault(); }
    });
  }

  function confirmReject() {
    document.querySelectorAll('form.reject').forEach(function (form) {
      form.addEventListener('submit', function (e) {
        if (!window.confirm('Reject this draft? Nothing will be sent.')) e.preventDefault();
      });
    });
  }

  // The HTML version of the reply as it will be mailed, rendered as the consultant types (no round
  // trip): the same rule as the server's textToHtml — blank lines part paragraphs, a line break is
  // <br>. Built with DOM nodes and textContent, so nothing typed is ever parsed as HTML.
  function livePreview() {
    var target = document.querySelector('[data-live-preview]');
    if (!target) return;
    var source = document.getElementById(target.getAttribute('data-live-preview'));
    if (!source) return;
    function render() {
      var text = source.value.replace(/\r\n?/g, '\n').trim();
      var frag = document.createDocumentFragment();
      text.split(/\n[ \t]*\n+/).forEach(function (para) {
        if (para.trim() === '') return;
        var p = document.createElement('p');
        p.style.margin = '0 0 1em 0';
        para.split('\n').forEach(function (line, i) {
          if (i > 0) p.appendChild(document.createElement('br'));
          p.appendChild(document.createTextNode(line));
        });
        frag.appendChild(p);
      });
      target.replaceChildren(frag);
    }
    source.addEventListener('input', render);
    render();
  }

  document.addEventListener('DOMContentLoaded', function () {
    livePreview();
    tick();
    setInterval(tick, 30000);
    keynav();
    confirmReject();
  });
})();
