export * from './product.js';
export * from './problem.js';
export * from './routes.js';
