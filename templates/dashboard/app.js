// The dashboard page: one card per metric, fed by server-sent events from `uvpv dashboard`.
// Plain browser JavaScript (no build step); Chart.js is loaded before this file as `Chart`.
(function () {
  'use strict';
  const cards = new Map();
  const $ = (id) => document.getElementById(id);
  const kinds = { uv: 'UV', pv: 'PV', ratio: 'conversion' };
  // A ratio shows as a percentage; counts as whole numbers with thousands separators.
  const scale = (m, v) => (m.type === 'ratio' ? v * 100 : v);
  const fmt = (m, v) => (v === null || v === undefined ? null : m.type === 'ratio' ? (v * 100).toFixed(2) + '%' : Math.round(v).toLocaleString('en-US'));
  const clock = (t) => (t && t.length >= 19 ? t.slice(11, 19) : t || '');
  const utc = (iso) => new Date(iso).toISOString().slice(11, 19) + ' UTC';

  function card(m) {
    let c = cards.get(m.name);
    if (c) return c;
    const el = document.createElement('section');
    el.className = 'card';
    el.dataset.metric = m.name;
    el.innerHTML =
      '<div class="top"><h2></h2><span class="badge"></span></div>' +
      '<div class="row"><div class="value" data-role="value"></div><div class="delta" data-role="delta"></div></div>' +
      '<div class="sub"><span class="key"></span><span class="at" data-role="at"></span></div>' +
      '<div class="problem" data-role="error"></div>' +
      '<div class="chart"><canvas></canvas><div class="nodata">no data yet</div></div><div class="caption" data-role="caption"></div>';
    el.querySelector('h2').textContent = m.name;
    el.querySelector('.badge').textContent = (kinds[m.type] || m.type) + ' · redis ' + m.redisType;
    el.querySelector('.key').textContent = m.key;
    $('metrics').appendChild(el);
    const chart = new Chart(el.querySelector('canvas'), {
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
            ticks: { color: '#8da2c0', maxTicksLimit: 5, callback: (v) => (m.type === 'ratio' ? v + '%' : Number(v).toLocaleString('en-US')) },
            grid: { color: '#1e2b47' },
          },
        },
      },
    });
    c = { el, chart };
    cards.set(m.name, c);
    return c;
  }

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
    for (const m of s.metrics) {
      const c = card(m);
      const el = c.el;
      const value = el.querySelector('[data-role=value]');
      const text = fmt(m, m.current);
      value.textContent = text !== null ? text : m.error ? 'cannot read' : 'no data yet';
      value.classList.toggle('empty', text === null);
      el.querySelector('[data-role=at]').textContent = m.at ? (m.axis === 'window start' ? 'window from ' : 'window to ') + clock(m.at) : '';
      const problem = el.querySelector('[data-role=error]');
      problem.textContent = m.error || '';
      problem.style.display = m.error ? 'block' : 'none';

      // The change: against the previous window; for a sampled number, since it last changed.
      const delta = el.querySelector('[data-role=delta]');
      const n = m.series.length;
      let before = n >= 2 ? n - 2 : -1;
      if (m.axis === 'sampled') while (before >= 0 && m.series[before].v === m.series[n - 1].v) before--;
      if (before >= 0 && m.current !== null) {
        const d = scale(m, m.series[n - 1].v) - scale(m, m.series[before].v);
        const shown = m.type === 'ratio' ? Math.abs(d).toFixed(2) + ' pt' : Math.abs(Math.round(d)).toLocaleString('en-US');
        delta.textContent = (d > 0 ? '▲ ' : d < 0 ? '▼ ' : '= ') + (d === 0 ? '' : shown);
        delta.className = 'delta ' + (d > 0 ? 'up' : d < 0 ? 'down' : 'flat');
        delta.title = m.axis === 'sampled' ? 'since the value last changed (at ' + clock(m.series[before + 1].t) + ')' : 'against the previous window';
      } else {
        delta.textContent = '';
        delta.className = 'delta';
      }

      c.chart.data.labels = m.series.map((p) => clock(p.t));
      c.chart.data.datasets[0].data = m.series.map((p) => scale(m, p.v));
      c.chart.update();
      const nodata = el.querySelector('.nodata');
      nodata.style.display = n ? 'none' : 'flex';
      nodata.textContent = m.error ? '' : m.axis === 'sampled' ? 'waiting for ' + m.key : 'no window in Redis yet';
      el.querySelector('[data-role=caption]').textContent = n
        ? n + (n === 1 ? ' point' : ' points') + ' · x: ' + (m.axis === 'sampled' ? 'sample time (UTC), one number in Redis' : m.axis)
        : '';
    }
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
