// Progressive enhancement for the staff forms (they work without it):
// "Rij toevoegen" for repeating rows (phases, budget lines, reports), greying
// out rows marked for removal, and a size check on file inputs so that an
// oversized file is refused before it is sent (the server answers 413 too).
(function () {
  'use strict';

  document.querySelectorAll('fieldset.rows[data-rows]').forEach(function (fieldset) {
    var prefix = fieldset.getAttribute('data-rows');
    var tbody = fieldset.querySelector('tbody');
    var template = fieldset.querySelector('template');
    if (!tbody || !template) { return; }
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button add-row';
    button.textContent = 'Rij toevoegen';
    button.addEventListener('click', function () {
      var highest = -1;
      tbody.querySelectorAll('[name^="' + prefix + '-"]').forEach(function (el) {
        var match = el.name.match(/^[a-z]+-(\d+)-/);
        if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
      });
      // The template is server-rendered markup with "__i__" where the row number goes.
      tbody.insertAdjacentHTML('beforeend', template.innerHTML.replace(/__i__/g, String(highest + 1)));
      var first = tbody.lastElementChild && tbody.lastElementChild.querySelector('input, select, textarea');
      if (first) { first.focus(); }
    });
    fieldset.appendChild(button);
  });

  function checkSize(input) {
    var form = input.form;
    var limit = form ? parseInt(form.getAttribute('data-max-bytes') || '0', 10) : 0;
    var message = input.parentNode.querySelector('[data-size-error]');
    var tooBig = limit > 0 && input.files && input.files.length > 0 && input.files[0].size > limit;
    input.setCustomValidity(tooBig && message ? message.textContent : '');
    if (message) { message.hidden = !tooBig; }
  }

  document.addEventListener('change', function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.matches('input[type=checkbox][name$="-verwijderen"]')) {
      var row = target.closest('tr');
      if (row) { row.classList.toggle('removed', target.checked); }
    }
    if (target.matches('input[type=file]')) { checkSize(target); }
  });

  document.querySelectorAll('input[type=checkbox][name$="-verwijderen"]:checked').forEach(function (box) {
    var row = box.closest('tr');
    if (row) { row.classList.add('removed'); }
  });
})();
