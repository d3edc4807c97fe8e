/**
 * Characters of other scripts and symbol blocks that a reader takes for the
 * characters a TLP label is written with (the letters of TLP, CLEAR, GREEN,
 * AMBER, STRICT and RED, the colon, the plus and the space), after NFKC has
 * already folded the compatibility forms (fullwidth, mathematical, circled,
 * Roman numeral letters). Chosen from Unicode's confusables (UTS #39,
 * confusables.txt) for those characters alone: the whole table is 6,000 lines
 * the marking rule does not need, since a marking is only compared with the
 * five TLP labels (shared/marking.ts).
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  A: '\u0391\u0410\u13AA\u15C5\uA4EE\u{102A0}\u1D00',
  a: '\u0430\u0251\u03B1',
  B: '\u0392\u0412\u13F4\u15F7\uA4D0\u0299\u{10282}',
  b: '\u0184\u042C\u13CF\u1472',
  C: '\u03F9\u0421\u13DF\uA4DA\u{102A2}\u{10415}\u1D04\u2CA4',
  c: '\u03F2\u0441\u2CA5',
  D: '\u13A0\u15DE\u15EA\uA4D3\u1D05',
  d: '\u0501\u13E7\u146F\uA4D2',
  E: '\u0395\u0415\u13AC\uA4F0\u2D39\u1D07\u22FF',
  e: '\u0435\u04BD\u212E',
  G: '\u050C\u13C0\u13F3\uA4D6\u0262',
  g: '\u0261\u0581\u018D',
  I: '\u0399\u0406\u04C0\uA4F2\u01C0\u2160',
  i: '\u0456\u0131\u03B9\u0269\u1FBE',
  L: '\u13DE\u14AA\uA4E1\u2CD0\u029F\u{1041B}',
  l: '\u04CF\u01C0',
  M: '\u039C\u041C\u13B7\u15F0\uA4DF\u03FA\u1D0D\u043C\u2C98',
  N: '\u039D\u2C9A\uA4E0\u0274',
  n: '\u0578\u057C',
  P: '\u03A1\u0420\u13E2\u146D\uA4D1\u2CA2\u1D18',
  p: '\u0440\u03C1\u2CA3',
  R: '\u13A1\u13D2\u1587\uA4E3\u0280\u01A6',
  r: '\u0433\u1D26\u2C85',
  S: '\u0405\u13DA\u13D5\uA4E2\uA731\u{10296}',
  s: '\u0455\uABAA',
  T: '\u03A4\u0422\u13A2\uA4D4\u2CA6\u1D1B\u0442\u{102B1}',
  t: '\u01AB',
  ':': '\u2236\uA789\u05C3\u0589\u0703\u0704\u16EC\u02F8\u02D0\u205A\uA4FD\u1803\u1809\u0903\u0A83',
  '+': '\u16ED\u2795\u02D6',
  ' ': '\u2800',
}

/** Each lookalike and the character a reader takes it for. */
export const LOOKALIKE_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(LOOKALIKES).flatMap(([plain, lookalikes]) => [...lookalikes].map((lookalike) => [lookalike, plain] as const)),
)
