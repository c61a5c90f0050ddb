// The dashboard page: one card per metric, fed by server-sent events from `uvpv dashboard`.
(function () {
  const cards = new Map();
  const $ = (id) => document.getElementById(id);
  const fmt = (m, v) => (v === null ? null : m.type === 'ratio' ? (v * 100).toFixed(2) + '%' : Math.round(v).toLocaleString('en-US'));
  const label = (t) => (t.length >= 19 ? t.slice(11, 19) : t);
  const kinds = { uv: 'UV', pv: 'PV', ratio: 'conversion' };

  function card(m) {
    let c = cards.get(m.name);
    if (c) return c;
    const el = document.createElement('section');
    el.className = 'card';
    el.dataset.metric = m.name;
    el.innerHTML =
      '<div class="top"><h2></h2><span class="badge"></span></div>' +
      '<div class="value" data-role="value"></div><div class="key"></div>' +
      '<div class="chart"><canvas></canvas></div><div class="caption"></div>';
    el.querySelector('h2').textContent = m.name;
    el.querySelector('.badge').textContent = `${kinds[m.type] || m.type} · redis ${m.redisType}`;
    el.querySelector('.key').textContent = m.key;
    $('metrics').appendChild(el);
    const chart = new Chart(el.querySelector('canvas'), {
      type: 'line',
      data: { labels: [], datasets: [{ data: [], borderColor: '#38bdf8', backgroundColor: 'rgba(56,189,248,0.15)', fill: true, tension: 0.3, pointRadius: 0, borderWidth: 2 }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: '#8da2c0', maxTicksLimit: 6, autoSkip: true }, grid: { color: '#1e2b47' } },
          y: { beginAtZero: true, ticks: { color: '#8da2c0', maxTicksLimit: 5 }, grid: { color: '#1e2b47' } },
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
    $('redis').textContent = s.redis;
    $('updated').textContent = new Date(s.updated).toLocaleTimeString();
    for (const m of s.metrics) {
      const c = card(m);
      const value = c.el.querySelector('[data-role=value]');
      const text = fmt(m, m.current);
      value.textContent = text === null ? 'no data yet' : text;
      value.classList.toggle('empty', text === null);
      c.chart.data.labels = m.series.map((p) => label(p.t));
      c.chart.data.datasets[0].data = m.series.map((p) => (m.type === 'ratio' ? p.v * 100 : p.v));
      c.chart.update();
      c.el.querySelector('.caption').textContent = m.series.length ? `${m.series.length} points · x: ${m.axis}` : '';
    }
  }

  function connect() {
    const es = new EventSource('/events');
    es.onopen = () => $('dot').classList.add('on');
    es.onmessage = (e) => render(JSON.parse(e.data));
    es.onerror = () => {
      $('dot').classList.remove('on');
      es.close();
      setTimeout(connect, 2000);
    };
  }
  connect();
})();
