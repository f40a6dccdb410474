/** The figures a running stack reports about its data: items in the table and bytes on disk. */
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes in the files below `dir` (links are not followed); 0 when it does not exist. */
export async function directorySize(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else if (entry.isFile()) total += (await lstat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Counts the table's items with a paginated COUNT scan; undefined when the engine does not answer. */
export async function countItems(dynamodb: DynamoDBClient, tableName: string): Promise<number | undefined> {
  let count = 0;
  let startKey: Record<string, never> | undefined;
  try {
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey: startKey }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (startKey);
    return count;
  } catch {
    return undefined;
  }
}
