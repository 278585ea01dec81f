/**
 * SPEC §2: an input nested deeper than 64 levels is refused as that event's (or that object's)
 * error. Everything after validation (sorting keys, serialising, hashing) recurses, and a few
 * thousand levels overflow the stack: the bound keeps one bad event from failing a request.
 *
 * The walk is iterative, so the check itself cannot overflow on the input it guards against.
 */

export const MAX_NESTING_DEPTH = 64;

/**
 * True when `value` nests objects or arrays deeper than `MAX_NESTING_DEPTH` levels; the value
 * itself is level 1 when it is an object or an array.
 */
export function nestedTooDeep(value: unknown): boolean {
  const stack: { readonly value: unknown; readonly depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: next, depth } = stack.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth > MAX_NESTING_DEPTH) return true;
    for (const child of Object.values(next)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

export const NESTING_ERROR = `nested deeper than ${MAX_NESTING_DEPTH} levels of objects and arrays`;
