/**
 * Where JSON text goes wrong. JSON.parse does the parsing; when it fails, V8's message may
 * quote the input and does not always give a position, so this small validator finds the
 * offset of the first offending character itself. Iterative: nesting depth cannot hurt it.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

type State = 'value' | 'firstKey' | 'key' | 'colon' | 'after';

/** Offset of the first error, or the text's length when the input simply ends too soon. */
export function jsonErrorOffset(text: string): number {
  const stack: Array<'{' | '['> = [];
  let state: State = 'value';
  let i = 0;
  const sticky = (re: RegExp): number => {
    re.lastIndex = i;
    return re.test(text) ? re.lastIndex : -1;
  };
  for (;;) {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
    if (i >= text.length) return state === 'after' && stack.length === 0 ? -1 : text.length;
    const c = text[i]!;
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i; // trailing content
      if (c === ',') state = top === '{' ? 'key' : 'value';
      else if ((c === '}' && top === '{') || (c === ']' && top === '[')) stack.pop();
      else return i;
      i++;
      continue;
    }
    if (state === 'colon') {
      if (c !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    if (state === 'firstKey' || state === 'key') {
      if (c === '}' && state === 'firstKey') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      const end = c === '"' ? sticky(STRING) : -1;
      if (end < 0) return i;
      i = end;
      state = 'colon';
      continue;
    }
    // state === 'value'
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'firstKey' : 'value';
      if (c === '[') {
        while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
        if (text[i] === ']') {
          stack.pop();
          i++;
          state = 'after';
        }
      }
      continue;
    }
    const end = c === '"' ? sticky(STRING) : c === '-' || (c >= '0' && c <= '9') ? sticky(NUMBER) : sticky(LITERAL);
    if (end < 0) return i;
    i = end;
    state = 'after';
  }
}
