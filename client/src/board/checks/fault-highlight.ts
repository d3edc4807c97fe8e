/**
 * The words at fault, marked in a CodeMirror editor as the person types: a
 * decoration over each range the analytic checks find in the editor's own
 * text, recomputed on every change of it, so the marks always sit on the
 * words they are about (computing them from the board's copy could lag a
 * keystroke behind). What to mark comes in as a function of the text.
 */
import { Compartment, Facet, type Extension } from '@codemirror/state'
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view'

/** One range to mark; an acknowledged finding is marked more lightly. */
export type FaultMark = { from: number; to: number; title: string; rule: string; acknowledged: boolean }
export type FaultMarker = (text: string) => FaultMark[]

const markerFacet = Facet.define<FaultMarker, FaultMarker | null>({ combine: (values) => values[0] ?? null })

function decorations(view: EditorView): DecorationSet {
  const marker = view.state.facet(markerFacet)
  if (!marker) return Decoration.none
  const length = view.state.doc.length
  const marks = marker(view.state.doc.toString())
    .filter((mark) => mark.from < mark.to && mark.to <= length)
    .map((mark) =>
      Decoration.mark({
        class: mark.acknowledged ? 'cm-check-fault cm-check-acknowledged' : 'cm-check-fault',
        attributes: { title: mark.title, 'data-check-fault': mark.rule },
      }).range(mark.from, mark.to),
    )
  return Decoration.set(marks, true)
}

const plugin = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet
    constructor(view: EditorView) {
      this.decorations = decorations(view)
    }
    update(update: ViewUpdate) {
      if (update.docChanged || update.startState.facet(markerFacet) !== update.state.facet(markerFacet)) {
        this.decorations = decorations(update.view)
      }
    }
  },
  { decorations: (instance) => instance.decorations },
)

const theme = EditorView.baseTheme({
  '.cm-check-fault': {
    textDecoration: 'underline wavy var(--warning)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
    backgroundColor: 'var(--warning-soft)',
  },
  '.cm-check-fault.cm-check-acknowledged': { textDecoration: 'underline dotted var(--muted)', backgroundColor: 'transparent' },
})

/** The extension for an editor, and how to change what it marks later. */
export function faultHighlighting(initial: FaultMarker | null): { extension: Extension; reconfigure: (view: EditorView, marker: FaultMarker | null) => void } {
  const compartment = new Compartment()
  return {
    extension: [compartment.of(initial ? markerFacet.of(initial) : []), plugin, theme],
    reconfigure: (view, marker) => view.dispatch({ effects: compartment.reconfigure(marker ? markerFacet.of(marker) : []) }),
  }
}
