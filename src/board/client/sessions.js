// The sessions page: the list and its filters are server-rendered; this draws the distribution
// of pages read (of the filtered sessions) as a bar chart.
'use strict';
(function () {
  const el = document.getElementById('pages-chart');
  if (!el || !board.data.distribution) return;
  board.chart(el, {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'sessions by pages read',
    width: 320,
    height: 140,
    data: { values: board.data.distribution },
    mark: 'bar',
    encoding: {
      x: { field: 'pages', type: 'ordinal', title: 'pages read', axis: { labelAngle: 0 } },
      y: { field: 'sessions', type: 'quantitative', title: 'sessions' },
      tooltip: [{ field: 'pages' }, { field: 'sessions' }],
    },
  });
})();
