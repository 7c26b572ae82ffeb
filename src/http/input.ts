// Input moved to src/core (rules and services still read with it until the schemas replace it).
export * from '../core/input.js';
