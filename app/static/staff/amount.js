// Shows each amount as the server will store it ("= 250.000 €") while it is
// typed, so a dot read as thousands separator is seen before saving. The
// server's parser (app/numbers.py) answers; nothing is parsed here.
(function () {
  'use strict';
  var script = document.currentScript;
  var url = script && script.getAttribute('data-url');
  if (!url || !window.fetch) { return; }
  var timers = new WeakMap();

  function show(input) {
    var output = input.parentNode.querySelector('[data-amount-preview]');
    if (!output) { return; }
    fetch(url + '?waarde=' + encodeURIComponent(input.value), { credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        output.textContent = answer.fout ? answer.fout : (answer.bedrag ? '= ' + answer.bedrag : '');
        output.classList.toggle('amount-refused', Boolean(answer.fout));
      })
      .catch(function () { /* the server checks again on saving */ });
  }

  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!input.name || !/-bedrag_eur$/.test(input.name)) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { show(input); }, 250));
  });
})();
