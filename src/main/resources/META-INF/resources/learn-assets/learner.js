(() => {
  const token = document.body.dataset.token;
  const ready = document.body.dataset.ready === 'true';
  const base = '/learn/' + token;
  const labels = { PASSED: 'Passed', FAILED: 'Not yet', PENDING: 'Not checked' };

  const words = (v) => Array.isArray(v)
      ? v.map(words).join(v.length && typeof v[0] === 'object' ? '; ' : ', ')
      : (v !== null && typeof v === 'object') ? Object.entries(v).map(([k, x]) => k + ' ' + words(x)).join(', ') : String(v);

  function show(result) {
    const card = document.getElementById('cp-' + result.id);
    if (!card) return;
    card.classList.remove('status-PENDING', 'status-PASSED', 'status-FAILED', 'checking');
    card.classList.add('status-' + result.status);
    card.querySelector('[data-status]').textContent = labels[result.status] || result.status;
    card.querySelector('[data-message]').textContent = result.message;
    card.querySelector('[data-attempts]').textContent = result.attempts + (result.attempts === 1 ? ' check' : ' checks');
    const dl = card.querySelector('[data-evidence]');
    const details = card.querySelector('.evidence');
    dl.replaceChildren();
    Object.entries(result.evidence || {}).forEach(([k, v]) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = words(v);
      dl.append(dt, dd);
    });
    details.hidden = dl.children.length === 0;
    const dot = document.querySelector('[data-dot="' + result.id + '"]');
    if (dot) dot.className = 'dot status-' + result.status;
  }

  function showProgress(p) {
    document.getElementById('score').textContent = p.score;
    document.getElementById('max-score').textContent = p.maxScore;
    document.getElementById('completed').hidden = !p.completed;
    p.checkpoints.forEach(show);
  }

  async function problem(response) {
    try { const p = await response.json(); return p.detail || p.title; } catch (e) { return 'The check could not run (' + response.status + ').'; }
  }

  document.querySelectorAll('[data-check], [data-prove]').forEach((button) => {
    button.form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const id = button.dataset.check || button.dataset.prove;
      const act = !!button.dataset.prove;
      if (act && !confirm(button.title + '\n\nGo ahead?')) return;
      const card = document.getElementById('cp-' + id);
      card.classList.add('checking');
      card.querySelector('[data-status]').textContent = act ? 'Proving…' : 'Checking…';
      button.disabled = true;
      try {
        const response = await fetch(base + '/checkpoints/' + encodeURIComponent(id) + '/validate' + (act ? '?act=true' : ''),
            { method: 'POST', headers: { Accept: 'application/json' } });
        if (response.ok) {
          show(await response.json());
        } else {
          card.classList.remove('checking');
          card.querySelector('[data-status]').textContent = labels[card.className.match(/status-(\w+)/)[1]];
          card.querySelector('[data-message]').textContent = await problem(response);
        }
        refresh();
      } finally {
        button.disabled = false;
      }
    });
  });

  async function refresh() {
    try {
      const response = await fetch(base + '/progress', { headers: { Accept: 'application/json' } });
      if (response.status === 410) { location.reload(); return; }
      if (response.ok) showProgress(await response.json());
    } catch (e) { /* offline for a moment: the next poll catches up */ }
  }
  if (ready) setInterval(refresh, 5000);

  const expires = Number(document.body.dataset.expires);
  const timeLeft = document.getElementById('time-left');
  setInterval(() => {
    const ms = expires - Date.now();
    if (ms <= 0) { timeLeft.textContent = 'expired'; return; }
    const h = Math.floor(ms / 3600000), m = Math.floor(ms % 3600000 / 60000);
    timeLeft.textContent = h > 0 ? h + ' h ' + m + ' min' : m + ' min';
  }, 30000);

  const sql = document.getElementById('sql-form');
  if (sql) {
    sql.addEventListener('submit', async (event) => {
      event.preventDefault();
      const out = document.getElementById('sql-result');
      const pod = document.getElementById('sql-pod').value;
      const response = await fetch(base + '/pods/' + encodeURIComponent(pod) + '/sql',
          { method: 'POST', headers: { 'Content-Type': 'text/plain', Accept: 'application/json' }, body: document.getElementById('sql-text').value });
      out.replaceChildren();
      if (!response.ok) {
        const p = document.createElement('p'); p.className = 'error'; p.textContent = await problem(response); out.append(p);
        return;
      }
      const body = await response.json();
      body.results.forEach((r) => {
        if (r.columns) {
          const table = document.createElement('table');
          const head = table.createTHead().insertRow();
          r.columns.forEach((c) => { const th = document.createElement('th'); th.textContent = c; head.append(th); });
          const rows = table.createTBody();
          r.rows.forEach((row) => { const tr = rows.insertRow(); row.forEach((v) => { tr.insertCell().textContent = v === null ? 'NULL' : String(v); }); });
          out.append(table);
          if (r.truncated) { const p = document.createElement('p'); p.className = 'hint'; p.textContent = 'More rows than shown.'; out.append(p); }
        } else {
          const p = document.createElement('p'); p.textContent = r.updateCount + (r.updateCount === 1 ? ' row' : ' rows') + ' affected.'; out.append(p);
        }
      });
    });
  }
})();
