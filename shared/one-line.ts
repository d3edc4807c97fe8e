/**
 * The one rule for a text shown on one line (a title, a name, a label, a
 * sign-off's note in the review's list, a marking): every line or paragraph
 * break in it, of whatever kind, is a space. Formats disagree on what a break
 * in such a text does: HTML and Markdown collapse "\n" into a space, while
 * pdfmake starts a new line, so a reviewer's note "Fine.\nApproved: Rita
 * Reviewer, 061000Z DEC 26" printed a line of its own under her sign-off, an
 * approval Rita never gave. Texts made of paragraphs (a judgment, the bottom
 * line) are split with `textLines` first, each paragraph then one line.
 */

/** Line feed, carriage return, vertical tab, form feed, NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR. */
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/
const LINE_BREAKS = new RegExp(LINE_BREAK.source, 'g')

/** The text cut at each line break of any kind. */
export function textLines(text: string): string[] {
  return text.split(LINE_BREAKS)
}

/**
 * The text on one line: each run of line breaks, with the white space around
 * it, one space. Split rather than matched by a pattern of white space around
 * a break, which backtracks over every long run of spaces with no break in it.
 */
export function oneLine(text: string): string {
  if (!LINE_BREAK.test(text)) return text
  return textLines(text)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ')
}
