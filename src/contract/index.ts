export * from './product.js';
export * from './problem.js';
export * from './operations.js';
export * from './routes.js';
export * from './auth.js';
export * from './cors.js';
export * from './batch.js';
