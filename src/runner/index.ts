export * from './names.js';
export * from './registration.js';
export * from './user-data.js';
export * from './wait.js';
export * from './start.js';
export * from './stop.js';
export * from './region.js';
