/**
 * Create and edit: the fields checked by the contract's own rules (src/contract/product.ts, bundled) before
 * anything is sent, the API's field errors shown beside their fields, edits sent with If-Match; a change made
 * meanwhile (412) shows both versions and lets the user choose, never overwriting silently.
 */
import { useState } from 'preact/hooks';
import {
  PRODUCT_FIELDS,
  validateProductInput,
  validateProductPatch,
  type FieldError,
  type Product,
} from '../../src/contract/product.js';
import { Dialog } from './dialog.js';
import { call, describeFailure, productPath, type Answer, type Problem } from './http.js';

type Editable = 'id' | 'title' | 'description' | 'price';
const FIELDS: { name: Editable; label: string; multiline?: boolean; createOnly?: boolean; hint: string }[] = [
  {
    name: 'id',
    label: 'Id',
    createOnly: true,
    hint: `${PRODUCT_FIELDS.id.schema.description} Leave empty and the API makes one.`,
  },
  { name: 'title', label: 'Title', hint: PRODUCT_FIELDS.title.schema.description },
  { name: 'description', label: 'Description', multiline: true, hint: PRODUCT_FIELDS.description.schema.description },
  { name: 'price', label: 'Price', hint: PRODUCT_FIELDS.price.schema.description },
];

type Values = Record<Editable, string>;
type Errors = Partial<Record<Editable | '(body)', string>>;

const valuesOf = (product?: Product): Values => ({
  id: product?.id ?? '',
  title: product?.title ?? '',
  description: product?.description ?? '',
  price: product === undefined ? '' : String(product.price),
});

/** A price as typed: a number when it reads as one, else the text, which the contract's rule then names. */
function priceOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isNaN(number) ? trimmed : number;
}

/** What the form sends: every field on create, only the changed ones on edit. */
function bodyOf(values: Values, base?: Product): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const typed: Record<Editable, unknown> = {
    id: values.id.trim() || undefined,
    title: values.title,
    description: values.description || undefined,
    price: priceOf(values.price),
  };
  for (const field of FIELDS) {
    if (base && field.createOnly) continue;
    const value = typed[field.name];
    if (
      base
        ? value !== (base[field.name] ?? '') &&
          !(field.name === 'description' && value === undefined && base.description === '')
        : value !== undefined
    ) {
      body[field.name] = field.name === 'description' && value === undefined ? '' : value;
    }
  }
  return body;
}

function errorsOf(list: readonly FieldError[]): Errors {
  const errors: Errors = {};
  for (const error of list) {
    const field = (FIELDS.some((f) => f.name === error.field) ? error.field : '(body)') as Editable | '(body)';
    errors[field] ??=
      field === '(body)' && error.field !== '(body)' ? `${error.field} ${error.message}` : error.message;
  }
  return errors;
}

/** The API's answer to a refused write, as errors beside the fields. */
function answerErrors(answer: Answer, creating: boolean): Errors {
  const problem = (answer.body ?? {}) as Problem;
  if (problem.errors?.length) return errorsOf(problem.errors);
  if (answer.status === 409 && creating) return { id: 'is taken: a product with this id exists; choose another id' };
  return { '(body)': describeFailure(answer) };
}

export function ProductForm(props: {
  product?: Product;
  onClose: () => void;
  onSaved: (product: Product, created: boolean) => void;
  onReplaced: (product: Product) => void;
}) {
  const [base, setBase] = useState(props.product);
  const [values, setValues] = useState<Values>(valuesOf(props.product));
  const [errors, setErrors] = useState<Errors>({});
  const [sending, setSending] = useState(false);
  const [conflict, setConflict] = useState<{ mine: Record<string, unknown>; theirs: Product } | undefined>();
  const creating = props.product === undefined;

  const send = async (body: Record<string, unknown>, version?: number) => {
    setSending(true);
    try {
      const answer = creating
        ? await call<Product>('POST', '/product', { body })
        : await call<Product>('PATCH', productPath((base as Product).id), { body, version });
      if (answer.status === 200 || answer.status === 201) return props.onSaved(answer.body, creating);
      if (answer.status === 412 && base) {
        const current = await call<Product>('GET', productPath(base.id));
        if (current.status === 200) return setConflict({ mine: body, theirs: current.body });
        return setErrors({
          '(body)': current.status === 404 ? `${base.id} was deleted meanwhile` : describeFailure(current),
        });
      }
      setErrors(answerErrors(answer, creating));
    } catch (error) {
      setErrors({ '(body)': `The console did not answer: ${(error as Error).message}` });
    } finally {
      setSending(false);
    }
  };

  const submit = (event: Event) => {
    event.preventDefault();
    const body = bodyOf(values, base);
    const checked = creating ? validateProductInput(body) : validateProductPatch(body);
    if (!checked.ok) {
      const found = errorsOf(checked.errors);
      setErrors(found);
      const firstField = FIELDS.find((f) => found[f.name]);
      if (firstField) document.getElementById(`field-${firstField.name}`)?.focus();
      return;
    }
    setErrors({});
    void send(body, base?.version);
  };

  if (conflict) {
    const theirs = conflict.theirs;
    return (
      <Dialog title={`${theirs.id} was changed meanwhile`} onClose={props.onClose} wide>
        <p>
          Someone saved version {theirs.version} after you opened version {(base as Product).version}. Nothing was
          overwritten. Compare and choose:
        </p>
        <table class="compare">
          <caption class="sr-only">Your change and the stored version</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Your change</th>
              <th scope="col">Stored now (version {theirs.version})</th>
            </tr>
          </thead>
          <tbody>
            {FIELDS.filter((f) => !f.createOnly).map((field) => {
              const mine = field.name in conflict.mine ? String(conflict.mine[field.name]) : undefined;
              const stored = String(theirs[field.name]);
              return (
                <tr class={mine !== undefined && mine !== stored ? 'differs' : undefined}>
                  <th scope="row">{field.label}</th>
                  <td>{mine ?? <span class="muted">unchanged</span>}</td>
                  <td>{stored}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div class="actions">
          <button
            type="button"
            onClick={() => {
              props.onReplaced(theirs);
              props.onClose();
            }}
          >
            Keep theirs, discard mine
          </button>
          <button
            type="button"
            onClick={() => {
              setBase(theirs);
              setValues({
                ...valuesOf(theirs),
                ...Object.fromEntries(Object.entries(conflict.mine).map(([k, v]) => [k, String(v)])),
              });
              setConflict(undefined);
            }}
          >
            Edit again on version {theirs.version}
          </button>
          <button
            type="button"
            class="primary"
            onClick={() => {
              setBase(theirs);
              setConflict(undefined);
              void send(conflict.mine, theirs.version);
            }}
          >
            Apply mine to version {theirs.version}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={creating ? 'New product' : `Edit ${(base as Product).id}`} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        {errors['(body)'] && (
          <p class="banner error" role="alert">
            {errors['(body)']}
          </p>
        )}
        {FIELDS.filter((field) => creating || !field.createOnly).map((field, index) => {
          const id = `field-${field.name}`;
          const error = errors[field.name];
          const described = `${id}-hint${error ? ` ${id}-error` : ''}`;
          const onInput = (event: Event) =>
            setValues({ ...values, [field.name]: (event.target as HTMLInputElement).value });
          return (
            <div class={`field${error ? ' invalid' : ''}`}>
              <label for={id}>
                {field.label}
                {PRODUCT_FIELDS[field.name].create === 'required' && <span aria-hidden="true"> *</span>}
              </label>
              {field.multiline ? (
                <textarea
                  id={id}
                  rows={3}
                  value={values[field.name]}
                  onInput={onInput}
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={described}
                />
              ) : (
                <input
                  id={id}
                  autoFocus={index === 0}
                  value={values[field.name]}
                  onInput={onInput}
                  inputMode={field.name === 'price' ? 'decimal' : undefined}
                  aria-required={PRODUCT_FIELDS[field.name].create === 'required' ? 'true' : undefined}
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={described}
                />
              )}
              {error && (
                <p id={`${id}-error`} class="error-text">
                  {field.label} {error}
                </p>
              )}
              <p id={`${id}-hint`} class="hint">
                {field.hint}
              </p>
            </div>
          );
        })}
        <div class="actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={sending}>
            {sending ? 'Saving…' : creating ? 'Create' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
