import { randomUUID } from 'node:crypto';
import type { ApiError } from '../core/errors.js';

export { ApiError, ERRORS, PARAM_MESSAGE, type FieldErrors } from '../core/errors.js';

export function errorBody(err: ApiError, now: number): Record<string, unknown> {
  return {
    Message: err.message,
    Type: err.type,
    Id: `${randomUUID()}#${now}`,
    Date: now,
    errors: err.errors,
    ...err.extra,
  };
}
