// The dashboard page: one card per metric, fed by server-sent events from `uvpv dashboard`.
// A card's body follows the metric's view (MetricView in src/dashboard/snapshot.ts): by default the
// current number and a line chart; `bars` (a metric with `by`) its latest window's largest values;
// `ranking` (a topn) its latest window's ranked list.
// Plain browser JavaScript (no build step); Chart.js is loaded before this file as `Chart`.
// Elements are made one by one and values from Redis set as text, so nothing read is parsed as HTML.
(function () {
  'use strict';
  const cards = new Map(); // metric name → { update(m) }
  const $ = (id) => document.getElementById(id);
  const kinds = { uv: 'UV', pv: 'PV', ratio: 'conversion' };
  // A ratio shows as a percentage; counts as whole numbers with thousands separators.
  const scale = (m, v) => (m.type === 'ratio' ? v * 100 : v);
  const fmt = (m, v) =>
    v === null || v === undefined ? null : m.type === 'ratio' ? (v * 100).toFixed(2) + '%' : Math.round(v).toLocaleString('en-US');
  // A bar or a rank shows the count unrounded: what Redis holds need not be whole.
  const exact = (m, v) => (m.type !== 'ratio' && !Number.isInteger(v) ? String(v) : fmt(m, v));
  const clock = (t) => (t && t.length >= 19 ? t.slice(11, 19) : t || '');
  const utc = (iso) => new Date(iso).toISOString().slice(11, 19) + ' UTC';
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // data-role marks what the page updates (and what the browser test reads).
  function role(e, name) {
    e.dataset.role = name;
    return e;
  }

  function card(m) {
    if (!cards.has(m.name)) cards.set(m.name, build(m));
    return cards.get(m.name);
  }

  // What every card has: title, kind, key, window, why it cannot be read and a caption; the body
  // in between is the view's. The view comes from the spec, so it is chosen once per card.
  function build(m) {
    const root = el('section', 'card');
    root.dataset.metric = m.name;
    const top = el('div', 'top');
    top.append(el('h2', '', m.name), el('span', 'badge', (kinds[m.type] || m.type) + ' · redis ' + m.redisType));
    const at = role(el('span', 'at'), 'at');
    const sub = el('div', 'sub');
    sub.append(el('span', 'key', m.key), at);
    const problem = role(el('div', 'problem'), 'error');
    const caption = role(el('div', 'caption'), 'caption');
    const view = m.view === 'bars' ? barsView() : m.view === 'ranking' ? rankingView() : numberView();
    root.append(top, ...view.head, sub, problem, ...view.body, caption);
    $('metrics').appendChild(root);
    return {
      update(m) {
        at.textContent = m.at ? (m.axis === 'window start' ? 'window from ' : 'window to ') + clock(m.at) : '';
        problem.textContent = m.error || '';
        problem.style.display = m.error ? 'block' : 'none';
        caption.textContent = view.update(m);
      },
    };
  }

  // --- A number: the current value, its change, and a line chart of recent windows or samples.

  function numberView() {
    const value = role(el('div', 'value'), 'value');
    const delta = role(el('div', 'delta'), 'delta');
    const row = el('div', 'row');
    row.append(value, delta);
    const canvas = el('canvas');
    const nodata = el('div', 'nodata', 'no data yet');
    const box = el('div', 'chart');
    box.append(canvas, nodata);
    let chart = null;
    return {
      head: [row],
      body: [box],
      update(m) {
        const text = fmt(m, m.current);
        value.textContent = text !== null ? text : m.error ? 'cannot read' : 'no data yet';
        value.classList.toggle('empty', text === null);
        showDelta(delta, m);
        // Made at the first update, once the card is on the page: Chart.js sizes it from its box.
        chart = chart || lineChart(canvas, m);
        chart.data.labels = m.series.map((p) => clock(p.t));
        chart.data.datasets[0].data = m.series.map((p) => scale(m, p.v));
        chart.update();
        const n = m.series.length;
        nodata.style.display = n ? 'none' : 'flex';
        nodata.textContent = m.error ? '' : m.axis === 'sampled' ? 'waiting for ' + m.key : 'no window in Redis yet';
        return n ? plural(n, 'point') + ' · x: ' + (m.axis === 'sampled' ? 'sample time (UTC), one number in Redis' : m.axis) : '';
      },
    };
  }

  // The change: against the previous window; for a sampled number, since it last changed.
  function showDelta(delta, m) {
    const n = m.series.length;
    let before = n >= 2 ? n - 2 : -1;
    if (m.axis === 'sampled') while (before >= 0 && m.series[before].v === m.series[n - 1].v) before--;
    if (before < 0 || m.current === null) {
      delta.textContent = '';
      delta.className = 'delta';
      return;
    }
    const d = scale(m, m.series[n - 1].v) - scale(m, m.series[before].v);
    const shown = m.type === 'ratio' ? Math.abs(d).toFixed(2) + ' pt' : Math.abs(Math.round(d)).toLocaleString('en-US');
    delta.textContent = (d > 0 ? '▲ ' : d < 0 ? '▼ ' : '= ') + (d === 0 ? '' : shown);
    delta.className = 'delta ' + (d > 0 ? 'up' : d < 0 ? 'down' : 'flat');
    delta.title =
      m.axis === 'sampled' ? 'since the value last changed (at ' + clock(m.series[before + 1].t) + ')' : 'against the previous window';
  }

  function lineChart(canvas, m) {
    return new Chart(canvas, {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          {
            data: [],
            borderColor: '#38bdf8',
            backgroundColor: 'rgba(56,189,248,0.14)',
            pointBackgroundColor: '#38bdf8',
            fill: true,
            cubicInterpolationMode: 'monotone', // smooth, never overshooting the values
            // Only the newest point is marked (so a series of one still shows).
            pointRadius: (ctx) => (ctx.dataIndex === ctx.dataset.data.length - 1 ? 3 : 0),
            pointHoverRadius: 4,
            borderWidth: 2,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (ctx) => fmt(m, m.type === 'ratio' ? ctx.parsed.y / 100 : ctx.parsed.y) } },
        },
        scales: {
          x: { ticks: { color: '#8da2c0', maxTicksLimit: 6, autoSkip: true, maxRotation: 0 }, grid: { color: '#1e2b47' } },
          y: {
            beginAtZero: true,
            ticks: {
              color: '#8da2c0',
              maxTicksLimit: 5,
              callback: (v) => (m.type === 'ratio' ? v + '%' : Number(v).toLocaleString('en-US')),
            },
            grid: { color: '#1e2b47' },
          },
        },
      },
    });
  }

  // --- Breakdowns: bars of a metric with `by`, the ranked list of a topn (latest window only).

  // A box redrawn only when what it shows changes: redrawing every second would reset the list's
  // scroll position and flicker.
  function breakdownBox(draw) {
    const box = role(el('div', 'breakdown'), 'breakdown');
    let shown = '';
    return {
      box,
      show(m, items) {
        const now = JSON.stringify([items, m.error, m.axis, m.by]);
        if (now === shown) return;
        shown = now;
        box.replaceChildren(...(items.length ? draw(m, items) : [empty(m)]));
      },
    };
  }

  function empty(m) {
    if (m.error) return el('div', 'empty', 'cannot read');
    // A fixed key holds each value's latest window: nothing in it means nothing written yet.
    return el('div', 'empty', m.axis === 'latest per value' && m.view === 'bars' ? 'waiting for ' + m.key : 'no window in Redis yet');
  }

  function barsView() {
    const panel = breakdownBox(barRows);
    return {
      head: [],
      body: [panel.box],
      update(m) {
        const bars = m.bars || [];
        panel.show(m, bars);
        const parts = [];
        if (bars.length) {
          parts.push(
            m.values > bars.length
              ? 'top ' + bars.length + ' of ' + m.values + ' values of ' + m.by
              : plural(m.values, 'value') + ' of ' + m.by,
          );
          // The window shows above, as on every card; a fixed key has none to show.
          if (m.axis === 'latest per value') parts.push("each value's latest window (the key holds no single window)");
        }
        if (m.note) parts.push(m.note);
        return parts.join(' · ');
      },
    };
  }

  // One row per value of `by`: its label, a bar as long as its share of the largest, the number.
  function barRows(m, bars) {
    const max = Math.max(0, ...bars.map((b) => b.v));
    return bars.map((b) => {
      const label = role(el('span', 'bar-label', b.label), 'label');
      label.title = b.label; // the label may be cut short
      const fill = el('span', 'bar-fill');
      fill.style.width = (max > 0 ? (Math.max(0, b.v) / max) * 100 : 0) + '%';
      const track = el('span', 'bar-track');
      track.appendChild(fill);
      const row = role(el('div', 'bar'), 'bar');
      row.append(label, track, role(el('span', 'bar-value', exact(m, b.v)), 'bar-value'));
      return row;
    });
  }

  function rankingView() {
    const panel = breakdownBox(rankingTable);
    return {
      head: [],
      body: [panel.box],
      update(m) {
        const ranking = m.ranking || [];
        panel.show(m, ranking);
        const parts = ranking.length ? [plural(ranking.length, 'value') + ' of ' + m.by + ', most rows first'] : [];
        if (m.note) parts.push(m.note);
        return parts.join(' · ');
      },
    };
  }

  // A table in a box that scrolls: a ranking has up to 50 rows (MAX_RANKING), a card is not that tall.
  function rankingTable(m, ranking) {
    const head = el('tr');
    head.append(el('th', 'rank', '#'), el('th', 'member', m.by), el('th', 'score', 'rows'));
    const thead = el('thead');
    thead.appendChild(head);
    const body = el('tbody');
    ranking.forEach((r, i) => {
      const tr = role(el('tr'), 'rank');
      tr.append(el('td', 'rank', String(i + 1)), el('td', 'member', r.member), el('td', 'score', exact(m, r.score)));
      body.appendChild(tr);
    });
    const table = el('table', 'ranking');
    table.append(thead, body);
    const box = el('div', 'ranking-box');
    box.appendChild(table);
    return [box];
  }

  // --- The health strip (Health in src/dashboard/snapshot.ts): what Redis cannot tell says so.

  const tiles = new Map(); // name → { value, detail }
  const TILES = { freshness: 'Freshness', dropped: 'Dropped rows', lag: 'Kafka lag', restarts: 'Restarts' };

  function tile(name, value, detail) {
    if (!tiles.has(name)) {
      const root = el('div', 'tile');
      root.dataset.health = name;
      const t = { value: role(el('div', 'big'), 'value'), detail: role(el('div', 'small'), 'detail') };
      root.append(el('h3', '', TILES[name]), t.value, t.detail);
      $('health').appendChild(root);
      tiles.set(name, t);
    }
    const t = tiles.get(name);
    t.value.textContent = value === null ? 'not available' : value;
    t.value.classList.toggle('na', value === null);
    t.detail.textContent = detail;
  }

  function ago(seconds) {
    const s = Math.abs(seconds);
    const text =
      s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' d';
    return seconds >= 0 ? text + ' behind' : text + ' ahead';
  }

  function health(h) {
    const f = h.freshness;
    tile(
      'freshness',
      f ? ago(f.behindSeconds) : null,
      f ? 'newest window ends ' + f.newestWindowEnd.replace('T', ' ') + ' (UTC)' : 'no window written yet',
    );
    const d = h.dropped;
    if (!d) tile('dropped', null, 'the spec writes none (job.droppedRows)');
    else if (d.error) tile('dropped', null, d.error);
    else
      tile(
        'dropped',
        (d.late + d.noEventTime).toLocaleString('en-US'),
        d.late.toLocaleString('en-US') +
          ' late in ' +
          plural(d.lateWindows, 'window') +
          (d.newest ? ' (newest ' + clock(d.newest.t) + ': ' + d.newest.v + ')' : '') +
          ' · ' +
          d.noEventTime.toLocaleString('en-US') +
          ' without event time',
      );
    // From the job on Flink (the reader `uvpv status` uses), or why not.
    const l = h.lag;
    if (!l.available) tile('lag', null, l.reason);
    else tile('lag', l.totalLag.toLocaleString('en-US'), (l.totalLag === 1 ? 'record' : 'records') + ' behind on ' + l.topic);
    const r = h.restarts;
    if (!r.available) tile('restarts', null, r.reason);
    else
      tile(
        'restarts',
        String(r.count),
        r.last ? 'last at ' + utc(r.last.at) + ': ' + r.last.rootCause.split('\n')[0] : 'none since the job started',
      );
  }

  // --- The page: its header, every card, and the one event stream that feeds them.

  function render(s) {
    if (s.error) {
      $('error').textContent = s.error;
      $('error').style.display = 'block';
      return;
    }
    $('error').style.display = 'none';
    $('pipeline').textContent = s.pipeline;
    document.title = s.pipeline + ' · uvpv dashboard';
    $('redis').textContent = s.redis;
    $('updated').textContent = utc(s.updated);
    $('updated').title = s.updated;
    for (const m of s.metrics) card(m).update(m);
    health(s.health);
  }

  function connect() {
    const es = new EventSource('/events');
    es.onopen = () => {
      $('dot').classList.add('on');
      $('state').textContent = 'live';
    };
    es.onmessage = (e) => render(JSON.parse(e.data));
    es.onerror = () => {
      $('dot').classList.remove('on');
      $('state').textContent = 'reconnecting';
      es.close();
      setTimeout(connect, 2000);
    };
  }
  connect();
})();
