/** The console's page: the products, import and export, and health views, chosen by the address's #fragment. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ProductsView } from './products.js';
import { TransferView } from './transfer.js';
import { HealthView } from './health.js';

type View = 'products' | 'transfer' | 'health';
const TITLES: Record<View, string> = { products: 'Products', transfer: 'Import & export', health: 'Health' };
const viewOf = (): View => {
  const named = location.hash.slice(1);
  return named in TITLES ? (named as View) : 'products';
};

function App() {
  const [view, setView] = useState<View>(viewOf());
  useEffect(() => {
    const onHash = () => setView(viewOf());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${TITLES[view]} · Products console`;
  }, [view]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">Products console</span>
        <nav aria-label="Views">
          <a href="#products" aria-current={view === 'products' ? 'page' : undefined}>
            Products
          </a>
          <a href="#transfer" aria-current={view === 'transfer' ? 'page' : undefined}>
            Import &amp; export
          </a>
          <a href="#health" aria-current={view === 'health' ? 'page' : undefined}>
            Health
          </a>
          <a href="/api.html">API</a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {view === 'products' ? <ProductsView /> : view === 'transfer' ? <TransferView /> : <HealthView />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
