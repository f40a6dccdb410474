/** The CRUD cycle that the artifact's tests feed to dist/handler.zip, as REST proxy events, with what each must answer. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyEvent } from './proxy-event.js';
import { product } from './product.js';

export interface CycleStep {
  event: APIGatewayProxyEvent;
  status: number;
}

/** create, get, list, update, delete, get-after-delete of product `id`. */
export function crudCycle(id = 'a1'): CycleStep[] {
  const one = { pathParameters: { id } };
  return [
    { event: proxyEvent('POST', '/product', { body: product({ id }) }), status: 201 },
    { event: proxyEvent('GET', '/product/{id}', one), status: 200 },
    { event: proxyEvent('GET', '/product'), status: 200 },
    { event: proxyEvent('PATCH', '/product/{id}', { ...one, body: { price: 899 } }), status: 200 },
    { event: proxyEvent('DELETE', '/product/{id}', one), status: 204 },
    { event: proxyEvent('GET', '/product/{id}', one), status: 404 },
  ];
}
