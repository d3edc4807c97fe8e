/** One choice of a SegmentedControl; `detail` is shown beside the label when the control is vertical. */
export type Segment<T> = { value: T; label: string; detail?: string; description?: string; tone?: 'support' | 'contradict' | 'neutral' }
