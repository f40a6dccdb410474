/**
 * The products: a table that loads a page of the API at a time as it is scrolled, and renders only the rows in
 * view (so 10,000 stay smooth); sorting and a search over what is loaded (a search keeps loading until the end);
 * create, edit and delete through dialogs.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Product } from '../../src/contract/product.js';
import { call, describeFailure, type ProductPage } from './http.js';
import { ProductForm } from './product-form.js';
import { DeleteDialog } from './delete-dialog.js';

const ROW_HEIGHT = 40;
const OVERSCAN = 8;
const PAGE_SIZE = 100;

type SortKey = 'id' | 'title' | 'price' | 'version' | 'updatedAt';
const COLUMNS: { key: SortKey | 'description'; label: string; sortable: boolean; class: string }[] = [
  { key: 'id', label: 'Id', sortable: true, class: 'c-id' },
  { key: 'title', label: 'Title', sortable: true, class: 'c-title' },
  { key: 'description', label: 'Description', sortable: false, class: 'c-desc' },
  { key: 'price', label: 'Price', sortable: true, class: 'c-price' },
  { key: 'version', label: 'Version', sortable: true, class: 'c-version' },
  { key: 'updatedAt', label: 'Updated', sortable: true, class: 'c-updated' },
];

const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat();

function compare(a: Product, b: Product, key: SortKey): number {
  const [x, y] = [a[key] ?? '', b[key] ?? ''];
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), undefined, { numeric: true });
}

function when(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

export function ProductsView() {
  const [items, setItems] = useState<Product[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined); // undefined: nothing loaded yet
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 } | undefined>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<Product | 'new' | undefined>();
  const [deleting, setDeleting] = useState<Product[] | undefined>();
  const [notice, setNotice] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const scroller = useRef<HTMLElement>(null);
  const busy = useRef(false);
  const done = cursor === null;

  const loadPage = useCallback(async () => {
    if (busy.current || cursor === null) return;
    busy.current = true;
    setLoading(true);
    try {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
      const answer = await call<ProductPage>('GET', `/product?${query}`);
      if (answer.status !== 200) throw new Error(describeFailure(answer));
      setItems((old) => {
        const seen = new Set(old.map((p) => p.id));
        return [...old, ...answer.body.items.filter((p) => !seen.has(p.id))];
      });
      setCursor(answer.body.nextCursor);
      setFailure(undefined);
    } catch (error) {
      setFailure(`Could not load products: ${(error as Error).message}`);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [cursor]);

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const found = needle
      ? items.filter(
          (p) =>
            p.id.toLowerCase().includes(needle) ||
            p.title.toLowerCase().includes(needle) ||
            p.description.toLowerCase().includes(needle),
        )
      : items;
    return sort ? [...found].sort((a, b) => compare(a, b, sort.key) * sort.dir) : found;
  }, [items, query, sort]);

  // More rows when the end of what is loaded comes into view, and, while searching, until everything is loaded.
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  useEffect(() => {
    if (failure || loading || done) return;
    if (query.trim() !== '' || last + OVERSCAN * 3 >= shown.length) void loadPage();
  }, [last, shown.length, query, loading, done, failure, loadPage]);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setViewport(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const replace = (product: Product) => setItems((old) => old.map((p) => (p.id === product.id ? product : p)));
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allShownSelected = shown.length > 0 && shown.every((p) => selected.has(p.id));
  const selectShown = () => setSelected(allShownSelected ? new Set() : new Set(shown.map((p) => p.id)));
  const sortBy = (key: SortKey) =>
    setSort((old) => (old?.key === key ? (old.dir === 1 ? { key, dir: -1 } : undefined) : { key, dir: 1 }));
  const rows = shown.slice(first, last);

  return (
    <section class="products" aria-labelledby="products-title">
      <div class="toolbar">
        <h1 id="products-title">Products</h1>
        <div class="search">
          <label for="search">Search</label>
          <input
            id="search"
            type="search"
            placeholder="id, title or description"
            value={query}
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
          />
        </div>
        <span class="count" aria-live="polite">
          {query.trim() ? `${whole.format(shown.length)} found in ` : ''}
          {whole.format(items.length)} loaded{done ? ' (all)' : loading ? ', loading…' : ''}
        </span>
        <span class="spacer" />
        <button
          type="button"
          class="danger"
          disabled={selected.size === 0}
          onClick={() => setDeleting(items.filter((p) => selected.has(p.id)))}
        >
          Delete{selected.size > 0 ? ` ${whole.format(selected.size)}` : ''}
        </button>
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          New product
        </button>
      </div>
      {failure && (
        <p class="banner error" role="alert">
          {failure}{' '}
          <button type="button" onClick={() => void loadPage()}>
            Try again
          </button>
        </p>
      )}
      <p class="sr-only" role="status">
        {notice}
      </p>
      {notice && (
        <p class="banner ok" aria-hidden="true">
          {notice}
        </p>
      )}
      <section
        class="table-scroll"
        ref={scroller}
        tabIndex={0}
        aria-label="Products table, scroll for more"
        onScroll={(event) => setScrollTop((event.target as HTMLElement).scrollTop)}
      >
        <table aria-rowcount={shown.length + 1} aria-labelledby="products-title">
          <thead>
            <tr aria-rowindex={1}>
              <th class="c-select" scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every row shown"
                  checked={allShownSelected}
                  onChange={selectShown}
                />
              </th>
              {COLUMNS.map((column) => (
                <th
                  scope="col"
                  class={column.class}
                  aria-sort={
                    sort && sort.key === column.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined
                  }
                >
                  {column.sortable ? (
                    <button type="button" class="sort" onClick={() => sortBy(column.key as SortKey)}>
                      {column.label}
                      <span aria-hidden="true">{sort?.key === column.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              ))}
              <th class="c-actions" scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <tr class="filler" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} />
            {rows.map((product, index) => (
              <tr
                key={product.id}
                aria-rowindex={first + index + 2}
                class={selected.has(product.id) ? 'selected' : undefined}
              >
                <td class="c-select">
                  <input
                    type="checkbox"
                    aria-label={`Select ${product.id}`}
                    checked={selected.has(product.id)}
                    onChange={() => toggle(product.id)}
                  />
                </td>
                <td class="c-id mono">{product.id}</td>
                <td class="c-title">{product.title}</td>
                <td class="c-desc muted">{product.description}</td>
                <td class="c-price num">{money.format(product.price)}</td>
                <td class="c-version num">{product.version}</td>
                <td class="c-updated muted">{when(product.updatedAt)}</td>
                <td class="c-actions">
                  <button
                    type="button"
                    class="small"
                    aria-label={`Edit ${product.id}`}
                    onClick={() => setEditing(product)}
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
            <tr class="filler" aria-hidden="true" style={{ height: `${(shown.length - last) * ROW_HEIGHT}px` }} />
          </tbody>
        </table>
        {done && shown.length === 0 && (
          <p class="empty">
            {query.trim() ? 'No product matches the search.' : 'No products yet: create one, or import a file.'}
          </p>
        )}
      </section>
      {editing && (
        <ProductForm
          product={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={(product, created) => {
            setEditing(undefined);
            if (created) setItems((old) => [product, ...old]);
            else replace(product);
            setNotice(`${created ? 'Created' : 'Saved'} ${product.id} (version ${product.version}).`);
          }}
          onReplaced={replace}
        />
      )}
      {deleting && (
        <DeleteDialog
          products={deleting}
          onClose={() => setDeleting(undefined)}
          onDone={(gone, message) => {
            setDeleting(undefined);
            setItems((old) => old.filter((p) => !gone.has(p.id)));
            setSelected((old) => new Set([...old].filter((id) => !gone.has(id))));
            setNotice(message);
          }}
        />
      )}
    </section>
  );
}
