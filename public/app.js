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


  // The approve button reads "Approve suggested answer" while the text is the suggestion, unedited.
  function norm(text) {
    return text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').trim();
  }

  function suggestedAnswer() {
    var area = document.getElementById('bodyText');
    var button = document.getElementById('approve');
    if (!area || !button) return;
    var suggested = area.getAttribute('data-suggested-text');
    var state = document.getElementById('suggestion-state');
    function update() {
      var same = suggested !== null && norm(area.value) === norm(suggested);
      button.textContent = same ? button.getAttribute('data-label-suggested') : button.getAttribute('data-label-edited');
      if (state) state.textContent = same ? 'The text is the suggested answer, unedited.' : 'The text has been edited from the suggestion.';
    }
    area.addEventListener('input', update);
    // "Use this answer": the approved answer takes the place of the text under ANSWER.
    document.querySelectorAll('button.use-answer').forEach(function (b) {
      b.addEventListener('click', function () {
        var source = document.getElementById(b.getAttribute('data-answer-source'));
        if (!source) return;
        var body = source.textContent.trim();
        var text = area.value.replace(/\r\n?/g, '\n');
        var m = /(^|\n)ANSWER\n\n[\s\S]*?\n\nWHAT WE CHECKED\n/.exec(text);
        area.value = m ? text.slice(0, m.index) + m[1] + 'ANSWER\n\n' + body + '\n\nWHAT WE CHECKED\n' + text.slice(m.index + m[0].length) : body + '\n\n' + text;
        update();
        area.focus();
      });
    });
    update();
  }

  document.addEventListener('DOMContentLoaded', function () {
    livePreview();
    suggestedAnswer();
    tick();
    setInterval(tick, 30000);
    keynav();
    confirmReject();
  });
})();
