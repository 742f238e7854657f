// Tables people can sort, as MOJ Frontend's sortable table does it: each sortable column's header is a
// button, the column sorted by says so (aria-sort), and a second press reverses the order. Cells give the
// value to sort by in data-sort-value where their text would sort wrongly (dates, bands, tiers).

const NEXT = { ascending: 'descending', descending: 'ascending', none: 'ascending' };

function valueOf(row, index) {
  const cell = row.cells[index];
  const value = cell.dataset.sortValue ?? cell.textContent.trim();
  const number = Number(value);
  return value !== '' && !Number.isNaN(number) ? number : value;
}

function compare(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en-GB', { numeric: true });
}

export function sortable(table) {
  const headers = [...table.tHead.rows[0].cells];
  const body = table.tBodies[0];
  headers.forEach((header, index) => {
    if (!('sortable' in header.dataset)) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'app-sortable__button';
    button.append(...header.childNodes);
    header.replaceChildren(button);
    header.setAttribute('aria-sort', header.getAttribute('aria-sort') ?? 'none');
    button.addEventListener('click', () => {
      const order = NEXT[header.getAttribute('aria-sort')];
      headers.forEach((other) => other.hasAttribute('aria-sort') && other.setAttribute('aria-sort', 'none'));
      header.setAttribute('aria-sort', order);
      const rows = [...body.rows].sort((a, b) => compare(valueOf(a, index), valueOf(b, index)));
      if (order === 'descending') rows.reverse();
      body.append(...rows);
    });
  });
}
