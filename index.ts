import 'reflect-metadata';
export * from './core/index.js';
export * from './plugins/trainers/exports.js';
