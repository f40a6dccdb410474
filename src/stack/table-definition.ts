/** The product table's key and billing mode, as every DynamoDB engine is given them (plain data). */

export interface TableDefinition {
  /** The partition key: its attribute name and DynamoDB type. There is no sort key. */
  key: { name: string; type: 'S' };
  billingMode: 'PAY_PER_REQUEST';
}

/** The product table: keyed by a string `id`, billed on demand. */
export const PRODUCT_TABLE: TableDefinition = { key: { name: 'id', type: 'S' }, billingMode: 'PAY_PER_REQUEST' };

/** The table's key schema and attribute definitions, as CreateTable takes them. */
export function keySchemaOf(definition: TableDefinition) {
  return {
    AttributeDefinitions: [{ AttributeName: definition.key.name, AttributeType: definition.key.type }],
    KeySchema: [{ AttributeName: definition.key.name, KeyType: 'HASH' as const }],
  };
}
