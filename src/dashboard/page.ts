/**
 * The page's part for breakdowns (served as /breakdowns.js, after the page's own app.js): a metric
 * with `by` as a bar chart of its latest window, a topn as a ranked list. app.js makes every
 * metric's card (title, badge, key, window, error); this script fills the cards of `view: 'bars'`
 * and `view: 'ranking'` from the same event stream, in place of their number and line chart.
 *
 * Plain browser JavaScript, kept as text so that it ships in dist/ with the server (templates/ holds
 * the page itself). Values from Redis are set as text only, never as HTML.
 */

/** The page's HTML with this script added after app.js (or at the end of the body). */
export function withBreakdowns(html: string): string {
  const tag = '<script src="/breakdowns.js"></script>';
  const app = '<script src="/app.js"></script>';
  if (html.includes(app)) return html.replace(app, () => `${app}\n  ${tag}`);
  return html.includes('</body>') ? html.replace('</body>', () => `${tag}\n</body>`) : `${html}\n${tag}\n`;
}

export const BREAKDOWNS_JS = String.raw`// Bars for a metric with 'by', a ranked list for a topn: see src/dashboard/page.ts.
(function () {
  'use strict';
  const style = document.createElement('style');
  style.textContent = [
    '.card[data-view] > .row, .card[data-view] > .chart, .card[data-view] > [data-role=caption] { display: none; }',
    '.breakdown { margin-top: 10px; min-height: 150px; }',
    '.bar { display: grid; grid-template-columns: minmax(0, 10em) 1fr minmax(3.5em, auto); align-items: center; gap: 8px; margin: 4px 0; font-size: 12px; }',
    '.bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }',
    '.bar-track { height: 12px; border-radius: 3px; background: #0b1428; overflow: hidden; }',
    '.bar-fill { display: block; height: 100%; min-width: 2px; border-radius: 3px; background: #38bdf8; }',
    '.bar-value { text-align: right; font-variant-numeric: tabular-nums; }',
    '.ranking-box { max-height: 280px; overflow-y: auto; }',
    '.ranking { width: 100%; border-collapse: collapse; font-size: 13px; }',
    '.ranking th { position: sticky; top: 0; background: var(--card); color: var(--muted); font-weight: 500; text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); }',
    '.ranking td { padding: 3px 6px; border-bottom: 1px solid var(--line); font-variant-numeric: tabular-nums; }',
    '.ranking .rank { width: 2.5em; color: var(--muted); }',
    '.ranking .member { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }',
    '.ranking .score { text-align: right; }',
    '.breakdown .empty { display: flex; align-items: center; justify-content: center; height: 150px; color: var(--muted); font-size: 13px; border: 1px dashed var(--line); border-radius: 8px; }',
  ].join('\n');
  document.head.appendChild(style);

  const fmt = (m, v) => (m.type === 'ratio' ? (v * 100).toFixed(2) + '%' : Number.isInteger(v) ? v.toLocaleString('en-US') : String(v));
  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  let latest = null;
  const drawn = new Map(); // metric → what its card shows: redrawn only when that changes

  function panel(card) {
    let p = card.querySelector('[data-role=breakdown]');
    if (!p) {
      p = el('div', 'breakdown');
      p.dataset.role = 'breakdown';
      const caption = el('div', 'caption');
      caption.dataset.role = 'breakdown-caption';
      const chart = card.querySelector('.chart');
      card.insertBefore(p, chart);
      card.insertBefore(caption, chart);
    }
    return p;
  }

  function empty(m) {
    if (m.error) return el('div', 'empty', 'cannot read');
    return el('div', 'empty', m.axis === 'latest per value' && m.view === 'bars' ? 'waiting for ' + m.key : 'no window in Redis yet');
  }

  function bars(m) {
    const max = Math.max(0, ...m.bars.map((b) => b.v));
    return m.bars.map((b) => {
      const row = el('div', 'bar');
      row.dataset.role = 'bar';
      const label = el('span', 'bar-label', b.label);
      label.title = b.label;
      label.dataset.role = 'label';
      const track = el('span', 'bar-track');
      const fill = el('span', 'bar-fill');
      fill.style.width = (max > 0 ? (Math.max(0, b.v) / max) * 100 : 0) + '%';
      track.appendChild(fill);
      const value = el('span', 'bar-value', fmt(m, b.v));
      value.dataset.role = 'bar-value';
      row.append(label, track, value);
      return row;
    });
  }

  function ranking(m) {
    const box = el('div', 'ranking-box');
    const table = el('table', 'ranking');
    const head = el('tr');
    head.append(el('th', 'rank', '#'), el('th', 'member', m.by), el('th', 'score', 'rows'));
    const thead = el('thead');
    thead.appendChild(head);
    const body = el('tbody');
    m.ranking.forEach((r, i) => {
      const tr = el('tr');
      tr.dataset.role = 'rank';
      tr.append(el('td', 'rank', String(i + 1)), el('td', 'member', r.member), el('td', 'score', fmt(m, r.score)));
      body.appendChild(tr);
    });
    table.append(thead, body);
    box.appendChild(table);
    return box;
  }

  function caption(m) {
    const parts = [];
    if (m.view === 'bars' && m.bars.length) {
      parts.push(m.values > m.bars.length ? 'top ' + m.bars.length + ' of ' + m.values + ' values of ' + m.by : m.values + (m.values === 1 ? ' value' : ' values') + ' of ' + m.by);
      // The window itself shows above, as for every card; a fixed key has none.
      if (m.axis === 'latest per value') parts.push("each value's latest window (the key holds no single window)");
    }
    if (m.view === 'ranking' && m.ranking.length) parts.push(m.ranking.length + (m.ranking.length === 1 ? ' value' : ' values') + ' of ' + m.by + ', most rows first');
    if (m.note) parts.push(m.note);
    return parts.join(' · ');
  }

  function render(s) {
    latest = s;
    if (!s || s.error || !s.metrics) return;
    for (const m of s.metrics) {
      if (m.view !== 'bars' && m.view !== 'ranking') continue;
      // app.js makes the card; until it has, the observer below calls this again.
      const card = [...document.querySelectorAll('#metrics > .card')].find((c) => c.dataset.metric === m.name);
      if (!card) continue;
      const items = m.view === 'bars' ? m.bars || [] : m.ranking || [];
      const shown = JSON.stringify([m.view, items, m.values, m.axis, m.note, m.error, m.by, m.type]);
      if (card.dataset.view === m.view && drawn.get(m.name) === shown) continue;
      drawn.set(m.name, shown);
      card.dataset.view = m.view;
      const p = panel(card);
      p.replaceChildren(...(items.length === 0 ? [empty(m)] : m.view === 'bars' ? bars(m) : [ranking(m)]));
      card.querySelector('[data-role=breakdown-caption]').textContent = caption(m);
    }
  }

  new MutationObserver(() => latest && render(latest)).observe(document.getElementById('metrics'), { childList: true });

  function connect() {
    const es = new EventSource('/events');
    es.onmessage = (e) => render(JSON.parse(e.data));
    es.onerror = () => {
      es.close();
      setTimeout(connect, 2000);
    };
  }
  connect();
})();
`;
