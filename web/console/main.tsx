/** The console's page: the products view and the import and export view, chosen by the address's #fragment. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ProductsView } from './products.js';
import { TransferView } from './transfer.js';

type View = 'products' | 'transfer';
const viewOf = (): View => (location.hash === '#transfer' ? 'transfer' : 'products');
const TITLES: Record<View, string> = { products: 'Products', transfer: 'Import & export' };

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
          <a href="/api.html">API</a>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {view === 'products' ? <ProductsView /> : <TransferView />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
