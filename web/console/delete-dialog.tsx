/** Deleting one or several products, after a confirmation; each is deleted only at the version the table shows. */
import { useState } from 'preact/hooks';
import type { Product } from '../../src/contract/product.js';
import { Dialog } from './dialog.js';
import { call, describeFailure, productPath } from './http.js';

const LISTED = 8;
const summary = (gone: Set<string>) => `Deleted ${gone.size} ${gone.size === 1 ? 'product' : 'products'}.`;

export function DeleteDialog(props: {
  products: Product[];
  onClose: () => void;
  onDone: (gone: Set<string>, message: string) => void;
}) {
  const [progress, setProgress] = useState<number | undefined>();
  const [failures, setFailures] = useState<string[]>([]);
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const count = props.products.length;
  const noun = count === 1 ? 'product' : 'products';

  const remove = async () => {
    const gone = new Set<string>();
    const failed: string[] = [];
    setProgress(0);
    for (const [index, product] of props.products.entries()) {
      const answer = await call('DELETE', productPath(product.id), { version: product.version });
      if (answer.status === 204 || answer.status === 200 || answer.status === 404) gone.add(product.id);
      else
        failed.push(
          `${product.id}: ${answer.status === 412 ? 'changed meanwhile, not deleted' : describeFailure(answer)}`,
        );
      setProgress(index + 1);
    }
    setDeleted(gone);
    if (failed.length > 0) return setFailures(failed);
    props.onDone(gone, summary(gone));
  };
  const close = () => (progress === undefined ? props.onClose() : props.onDone(deleted, summary(deleted)));

  return (
    <Dialog title={`Delete ${count} ${noun}?`} onClose={close}>
      <p>This cannot be undone. The API deletes each only if it is still at the version shown.</p>
      <ul class="id-list">
        {props.products.slice(0, LISTED).map((p) => (
          <li>
            <span class="mono">{p.id}</span> {p.title}
          </li>
        ))}
        {count > LISTED && <li class="muted">and {count - LISTED} more</li>}
      </ul>
      {progress !== undefined && <progress max={count} value={progress} aria-label="Deleted so far" />}
      {failures.length > 0 && (
        <div class="banner error" role="alert">
          <p>{failures.length} not deleted:</p>
          <ul>
            {failures.map((f) => (
              <li>{f}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="actions">
        <button type="button" onClick={close} autoFocus>
          {failures.length > 0 ? 'Close' : 'Cancel'}
        </button>
        <button type="button" class="danger" disabled={progress !== undefined} onClick={() => void remove()}>
          Delete {count} {noun}
        </button>
      </div>
    </Dialog>
  );
}
