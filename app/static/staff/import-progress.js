// The import job's progress bar (without JS the page reloads itself: a
// <meta http-equiv="refresh"> inside <noscript>): poll the small status JSON
// every second and reload the page once the job has moved past its running states.
(function () {
  'use strict';
  var section = document.querySelector('.job-progress[data-status-url]');
  if (!section || !window.fetch) { return; }
  var bar = document.getElementById('voortgang-balk');
  var text = document.getElementById('voortgang-tekst');
  var url = section.getAttribute('data-status-url');

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status || !status.running) { window.location.reload(); return; }
        if (status.total) {
          bar.max = status.total;
          bar.value = status.done;
          text.textContent = status.done + ' van ' + status.total + ' ' + (status.phase_label || '');
        } else if (status.phase_label) {
          text.textContent = status.phase_label;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
