// The runs page: choosing an experiment reloads the page with ?experiment= (the filter lives in
// the URL, so a filtered view can be shared or bookmarked; the server does the filtering).
'use strict';
(() => {
  const select = document.getElementById('experiment-filter');
  if (!select) return;
  select.addEventListener('change', () => {
    const url = new URL(window.location.href);
    if (select.value) url.searchParams.set('experiment', select.value);
    else url.searchParams.delete('experiment');
    window.location.assign(url.pathname + url.search);
  });
})();
