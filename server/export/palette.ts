/** The colours every rendered format shares, as `RRGGBB` hex without the `#`. */
import type { TlpMarking } from '../../shared/domain.ts'
import type { RiskLevel } from './briefing-model.ts'

/** FIRST TLP 2.0: each level's colour, printed on black. A free-text marking prints white on black. */
const TLP_COLOURS: Record<TlpMarking, string> = {
  'TLP:RED': 'FF2B2B',
  'TLP:AMBER': 'FFC000',
  'TLP:AMBER+STRICT': 'FFC000',
  'TLP:GREEN': '33FF00',
  'TLP:CLEAR': 'FFFFFF',
}

export const MARKING_BACKGROUND = '000000'

export function markingColour(tlp: TlpMarking | null): string {
  return tlp ? TLP_COLOURS[tlp] : 'FFFFFF'
}

/** Pale enough that the assessment numbers in a cell stay readable in print. */
export const RISK_COLOURS: Record<RiskLevel, string> = {
  low: 'D9EAD3',
  medium: 'FFF2CC',
  high: 'F4CCCC',
}
